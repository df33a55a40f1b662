import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
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

/** A router whose invalid params, queries and bodies all answer 400 the same way. */
export const createRouter = () => new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
export type Router = ReturnType<typeof createRouter>;

/** Who is acting on a route that needs a token (the authentication middleware set it). */
export function principalOf(c: Context<ApiEnv>): Actor {
  const actor = c.get("principal");
  if (!actor) throw new ForbiddenError("this needs an API token");
  return actor;
}
