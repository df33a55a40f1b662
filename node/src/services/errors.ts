/** Domain errors; the API maps each to one HTTP status. */

export interface FieldIssue {
  path: string;
  message: string;
  /** For file imports: the line the problem is on (1-based, header included). */
  line?: number;
}

/** Input that is well-formed but wrong for this node (400). */
export class InvalidInputError extends Error {
  override name = "InvalidInputError";
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

/**
 * Refuses to publish what starts after `today` (receivers refuse it, docs/protocol.md §7, §13):
 * `message` names what has not started, `path` the field that says when it starts.
 */
export function refuseBeforeStart(start: string, today: string, message: string, path: string) {
  if (start > today) {
    throw new InvalidInputError(message, [{ path, message: `starts after today (${today})` }]);
  }
}

/** Something named by id does not exist here (404). */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** It existed and was public, and its publisher withdrew it (410). */
export class GoneError extends Error {
  override name = "GoneError";
}

/** The request contradicts the current state (409). */
export class ConflictError extends Error {
  override name = "ConflictError";
  constructor(
    message: string,
    readonly reasons: string[] = [],
  ) {
    super(message);
  }
}

/**
 * A remote server this node had to contact did not answer in time (504) or answered something
 * refused, such as a body over the size limit (502).
 */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  constructor(
    readonly status: 502 | 504,
    readonly code: "upstream_timeout" | "upstream_too_large",
    message: string,
  ) {
    super(message);
  }
}

/** The actor's role does not allow this (403). */
export class ForbiddenError extends Error {
  override name = "ForbiddenError";
}
