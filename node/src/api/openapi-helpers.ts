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
  401: error("Missing or wrong admin token"),
  404: error("Not found"),
  409: error("Conflicts with the current state"),
  410: error("Withdrawn by its publisher: no longer public"),
  413: error("Body too large"),
} as const;

export const adminOnly = [{ bearer: [] }];
