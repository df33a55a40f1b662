import { createRoute } from "@hono/zod-openapi";
import type { z } from "zod";
import type { Actor } from "../app/index";
import { principalOf, type Router } from "./env";
import { errorSchema } from "./problem";

/** Response entry for a JSON body. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

/** Request body entry for a JSON body (required). */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  content: { "application/json": { schema } },
  required: true,
});

const error = (description: string) => jsonResponse(errorSchema, description);

/** The error answers most routes can give. */
export const errors = {
  400: error("Invalid input: one issue per bad field"),
  401: error("Missing, wrong or revoked API token"),
  403: error("The token's role does not allow this"),
  404: error("Not found"),
  409: error("Conflicts with the current state"),
  410: error("Withdrawn by its publisher: no longer public"),
  413: error("Body too large"),
  502: error("The remote server answered something refused (e.g. over the size limit)"),
  504: error("The remote server did not answer within the outbound timeout"),
} as const;

export const adminOnly = [{ bearer: [] }];

/** What every admin command's route states first: its method, path, summary and token. */
const adminCommand = <M extends string>(spec: {
  method: M;
  path: string;
  summary: string;
  description?: string;
}) => ({
  method: spec.method,
  path: spec.path,
  summary: spec.summary,
  ...(spec.description ? { description: spec.description } : {}),
  security: adminOnly,
});

/**
 * A command that answers 204 No Content (delete, unfollow, approve, leave…): its OpenAPI route
 * and its handler in one call, so each states only its path, what it does and the application
 * layer's command it runs as the token's actor.
 */
export function noContentRoute<P extends z.ZodObject>(
  router: Router,
  spec: {
    method: "post" | "delete";
    path: string;
    summary: string;
    description?: string;
    params: P;
    done: string;
    /** It can conflict with the current state (409): already withdrawn, nothing published… */
    conflicts?: boolean;
  },
  command: (actor: Actor, params: z.infer<P>) => unknown,
): void {
  router.openapi(
    createRoute({
      ...adminCommand(spec),
      request: { params: spec.params },
      responses: {
        204: { description: spec.done },
        401: errors[401],
        404: errors[404],
        ...(spec.conflicts ? { 409: errors[409] } : {}),
      },
    }),
    async (c) => {
      // Validated by the route already (400 otherwise); parsed again for its type, which a
      // generic route does not carry.
      await command(principalOf(c), spec.params.parse(c.req.param()) as z.infer<P>);
      return c.body(null, 204);
    },
  );
}

/**
 * A read that needs a token and answers JSON (the lists and records of a territory's own data):
 * its OpenAPI route and its handler in one call, running the application layer's query as the
 * token's actor. The schema documents the answer; the query's own type is what checks it.
 */
export function tokenReadRoute<P extends z.ZodObject, S extends z.ZodType>(
  router: Router,
  spec: { path: string; summary: string; params: P; schema: S; description: string },
  query: (actor: Actor, params: z.infer<P>) => z.input<S>,
): void {
  router.openapi(
    createRoute({
      method: "get",
      path: spec.path,
      summary: spec.summary,
      security: adminOnly,
      request: { params: spec.params },
      responses: {
        200: jsonResponse(spec.schema, spec.description),
        401: errors[401],
        404: errors[404],
      },
    }),
    (c) => {
      const params = spec.params.parse(c.req.param()) as z.infer<P>;
      return c.json(query(principalOf(c), params) as never, 200);
    },
  );
}

/**
 * A command with a JSON body that answers JSON (create, change, publish, follow…): its OpenAPI
 * route and its handler in one call, running the application layer's command as the token's
 * actor on the validated path parameters and body. Every such command can answer 400, 401 and
 * 404; `errors` names the others it can give.
 */
export function jsonCommandRoute<
  P extends z.ZodObject,
  B extends z.ZodType,
  S extends z.ZodType,
  Status extends 200 | 201 | 202,
>(
  router: Router,
  spec: {
    method: "post" | "patch";
    path: string;
    summary: string;
    description?: string;
    params: P;
    body: B;
    status: Status;
    schema: S;
    answer: string;
    errors?: ReadonlyArray<409 | 502 | 504>;
  },
  command: (
    actor: Actor,
    params: z.infer<P>,
    body: z.output<B>,
  ) => z.input<S> | Promise<z.input<S>>,
): void {
  router.openapi(
    createRoute({
      ...adminCommand(spec),
      request: { params: spec.params, body: jsonBody(spec.body) },
      responses: {
        [spec.status]: jsonResponse(spec.schema, spec.answer),
        400: errors[400],
        401: errors[401],
        404: errors[404],
        ...Object.fromEntries((spec.errors ?? []).map((status) => [status, errors[status]])),
      },
    }),
    async (c) => {
      // Validated by the route already (400 otherwise); a generic route does not carry the types.
      const valid = c.req.valid as unknown as (target: "param" | "json") => unknown;
      const params = valid.call(c.req, "param") as z.infer<P>;
      const body = valid.call(c.req, "json") as z.output<B>;
      return c.json((await command(principalOf(c), params, body)) as never, spec.status);
    },
  );
}
