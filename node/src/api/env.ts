import { OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { z } from "zod";
import type { Actor } from "../app/index";
import { boundedMemo } from "../bounded-memo";
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

/** Valid query strings whose parsed values a route keeps (`urlParts`), and their longest. */
const KEPT_QUERIES = 64;
const KEPT_QUERY_LENGTH = 1024;

/**
 * Parses the query, then the path parameters, as the library's validators would (a repeated
 * query key gives a list), answering the first invalid part with the validation hook's 400.
 * A query string parses to the same values each time: a route keeps those of the last few valid
 * ones it was sent (frozen, so no handler changes what the next request is given), as a public
 * figure read after each change asks the same query again.
 */
function urlParts(query?: z.ZodType, params?: z.ZodType): MiddlewareHandler<ApiEnv> {
  const parts = [
    ...(query ? [{ target: "query" as const, schema: query }] : []),
    ...(params ? [{ target: "param" as const, schema: params }] : []),
  ];
  const kept = boundedMemo<string, unknown>(KEPT_QUERIES);
  return async (c, next) => {
    for (const { target, schema } of parts) {
      const search = target === "query" ? searchOf(c.req.url) : null;
      if (search !== null && search.length <= KEPT_QUERY_LENGTH) {
        const data = kept.peek(search);
        if (data !== undefined) {
          c.req.addValidatedData(target, data as object);
          continue;
        }
      }
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
      if (search !== null && search.length <= KEPT_QUERY_LENGTH) {
        kept.get(search, () => deepFreeze(result.data));
      }
      c.req.addValidatedData(target, result.data as object);
    }
    return next();
  };
}

/** The query string of a URL, "?" included ("" without one). */
const searchOf = (url: string) => {
  const at = url.indexOf("?");
  return at < 0 ? "" : url.slice(at);
};

const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
};

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
