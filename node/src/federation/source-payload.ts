import { duplicateJsonKey } from "@spiral-network/protocol";
import type { z } from "zod";

export type SourceParse<T> = { ok: true; payload: T } | { ok: false; reason: string };

/**
 * Reads the exact payload an origin put in an object's `source` (docs/protocol.md §6): right media type,
 * JSON text, and valid under the same schema the origin built it with.
 */
export function readSourcePayload<S extends z.ZodType>(
  source: { mediaType: string | null; content: unknown } | null,
  mediaType: string,
  schema: S,
): SourceParse<z.infer<S>> {
  if (!source || source.mediaType !== mediaType)
    return { ok: false, reason: `no ${mediaType} source` };
  if (typeof source.content !== "string") return { ok: false, reason: "the source has no text" };
  let json: unknown;
  try {
    json = JSON.parse(source.content);
  } catch {
    return { ok: false, reason: "the source is not JSON" };
  }
  // Parsers disagree on which copy of a repeated key wins: the signed text must read one way.
  const duplicate = duplicateJsonKey(source.content);
  if (duplicate !== null) {
    return { ok: false, reason: `duplicate key ${JSON.stringify(duplicate)} in the source` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    return { ok: false, reason: `invalid payload: ${issues.slice(0, 5).join("; ")}` };
  }
  return { ok: true, payload: parsed.data };
}
