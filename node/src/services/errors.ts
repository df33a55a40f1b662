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
