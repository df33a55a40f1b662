import { OpenAPIHono } from "@hono/zod-openapi";
import { validationHook } from "./problem";

/** Per-request values the API middleware sets. */
export interface ApiEnv {
  Variables: { actor: string };
}

/** A router whose invalid params, queries and bodies all answer 400 the same way. */
export const createRouter = () => new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
export type Router = ReturnType<typeof createRouter>;
