import { OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { z } from "zod";
import type { Actor } from "../app/index";
import { ForbiddenError } from "../services/errors";
import { validationHook } from "./problem";

/** Per-request values the API middleware sets. */
export interface ApiEnv {
  Variables: {
    /** The audit log's name of who is acting (`user:<email>`, `admin`, or `anonymous`). */
    actor: string;
    /** Who is acting, for the application layer (undefined: an anonymous public read). */
    principal: Actor | undefined;
  };
}

/**
 * A router whose invalid params, queries and bodies all answer 400 the same way. A route's query
 * and path parameters are parsed in one synchronous step before the handler (its body, if any,
 * after them by the library's validators): the library awaits an asynchronous parse for each
 * part, which cost a public read ≈ 0.05–0.1 ms of its answer (docs/benchmarks.md, "Aggregates").
 */
export function createRouter() {
  const router = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const withLibraryValidators = router.openapi;
  const openapi = (route: RouteConfig, handler: never, hook?: never) => {
    const { middleware, hide, ...described } = route;
    const { query, params, ...body } = route.request ?? {};
    // A route with its own hook keeps the library's validators throughout.
    if (hook || (!query && !params)) return withLibraryValidators(route, handler, hook);
    if (!hide) router.openAPIRegistry.registerPath(described);
    const before = middleware ? [middleware].flat() : [];
    return withLibraryValidators(
      { ...route, hide: true, request: body, middleware: [...before, urlParts(query, params)] },
      handler,
    );
  };
  router.openapi = openapi as unknown as typeof router.openapi;
  return router;
}
export type Router = ReturnType<typeof createRouter>;

/**
 * Parses the query, then the path parameters, as the library's validators would (a repeated
 * query key gives a list), answering the first invalid part with the validation hook's 400.
 */
function urlParts(query?: z.ZodType, params?: z.ZodType): MiddlewareHandler<ApiEnv> {
  const parts = [
    ...(query ? [{ target: "query" as const, schema: query }] : []),
    ...(params ? [{ target: "param" as const, schema: params }] : []),
  ];
  return async (c, next) => {
    for (const { target, schema } of parts) {
      const value =
        target === "param"
          ? c.req.param()
          : Object.fromEntries(
              Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0] : v]),
            );
      const parsed = parseSoonest(schema, value);
      const result = parsed instanceof Promise ? await parsed : parsed;
      if (!result.success) {
        return validationHook({ ...result, target }, c) ?? c.json(result, 400);
      }
      c.req.addValidatedData(target, result.data as object);
    }
    return next();
  };
}

/** A synchronous parse, or the asynchronous one for a schema that needs it (an async check). */
function parseSoonest(schema: z.ZodType, value: unknown) {
  try {
    return schema.safeParse(value);
  } catch (error) {
    if (error instanceof z.core.$ZodAsyncError) return schema.safeParseAsync(value);
    throw error;
  }
}

/** Who is acting on a route that needs a token (the authentication middleware set it). */
export function principalOf(c: Context<ApiEnv>): Actor {
  const actor = c.get("principal");
  if (!actor) throw new ForbiddenError("this needs an API token");
  return actor;
}
