import { SpiralCodeError } from "@spiral-network/protocol";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { isStorageFull } from "../db/open";
import type { Logger } from "../logger";
import {
  ConflictError,
  type FieldIssue,
  ForbiddenError,
  GoneError,
  InvalidInputError,
  NotFoundError,
  UpstreamError,
} from "../services/errors";

/** Every API error has this shape: a stable code, a sentence for people, and details. */
export const errorSchema = z.object({
  error: z.string(),
  message: z.string(),
  issues: z
    .array(z.object({ path: z.string(), message: z.string(), line: z.number().optional() }))
    .optional(),
  reasons: z.array(z.string()).optional(),
});
export type ApiError = z.infer<typeof errorSchema>;

export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.join(".") || "(body)",
    message: issue.message,
  }));
}

/** The validation hook of every route: 400 with one entry per bad field. */
export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError; target?: string },
  c: Context,
) {
  if (!result.success) {
    const issues = zodIssues(result.error);
    return c.json<ApiError, 400>(
      {
        error: "invalid_request",
        message: `invalid ${result.target ?? "request"}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
        issues,
      },
      400,
    );
  }
}

/** Maps domain errors to HTTP answers; anything unexpected is logged and answered with 500. */
export function errorResponder(logger: Logger) {
  return (error: Error, c: Context) => {
    const reply = (status: ContentfulStatusCode, body: ApiError) => c.json(body, status);
    if (error instanceof InvalidInputError) {
      return reply(400, { error: "invalid_request", message: error.message, issues: error.issues });
    }
    if (error instanceof z.ZodError) {
      const issues = zodIssues(error);
      return reply(400, { error: "invalid_request", message: "invalid request", issues });
    }
    if (error instanceof SpiralCodeError) {
      return reply(400, {
        error: "invalid_code",
        message: error.message,
        issues: [{ path: "code", message: error.reason }],
      });
    }
    if (error instanceof NotFoundError)
      return reply(404, { error: "not_found", message: error.message });
    if (error instanceof ForbiddenError) {
      return reply(403, { error: "forbidden", message: error.message });
    }
    if (error instanceof GoneError) return reply(410, { error: "gone", message: error.message });
    if (error instanceof ConflictError) {
      return reply(409, { error: "conflict", message: error.message, reasons: error.reasons });
    }
    if (error instanceof UpstreamError) {
      return reply(error.status, { error: error.code, message: error.message });
    }
    if (error instanceof HTTPException) {
      if (error.res) return error.res;
      const status = error.status as ContentfulStatusCode;
      return reply(status, { error: httpErrorCode(status), message: error.message });
    }
    if (isStorageFull(error)) {
      logger.error(`disk full: ${c.req.method} ${c.req.path} saved nothing`, error);
      return reply(507, { error: "storage_full", message: STORAGE_FULL_MESSAGE });
    }
    logger.error(`unexpected error on ${c.req.method} ${c.req.path}`, error);
    return reply(500, { error: "internal_error", message: "unexpected error; see the node's log" });
  };
}

/** The 507 answer (docs/running-a-node.md, "Operations", disk full). */
export const STORAGE_FULL_MESSAGE =
  "the node's disk is full: nothing was saved. Reading still works. Ask the node's operator to free space; saving works again by itself as soon as there is room, then send the request again";

function httpErrorCode(status: number): string {
  if (status === 413) return "payload_too_large";
  if (status === 415) return "unsupported_media_type";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  return "bad_request";
}
