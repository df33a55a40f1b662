import type { z } from "zod";
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
