import type { Grid } from "./grid.ts";

/**
 * A parsed SPIRAL code `object[/sense[/beneficiary]]` (grid file, `code_syntax`).
 * `canonical` drops every part that only restates the default ("in general" sub-object -00,
 * sense O / O-00, beneficiary i), so `A00-00/O-00/i` and `A00` have the same canonical form.
 */
export interface SpiralCode {
  canonical: string;
  dimension: string;
  /** The component the code counts under; a bare dimension counts under its "in general" X00. */
  component: string;
  /** Whether the code named a component (A01) or only a dimension (A). */
  namesComponent: boolean;
  subObject?: string;
  sense?: { category: string; detail?: string };
  beneficiary?: string;
}

export class SpiralCodeError extends Error {
  override name = "SpiralCodeError";
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid SPIRAL code "${input}": ${reason}`);
  }
}

const OBJECT = /^([A-Z])(?:(\d{2})(?:-(\d{2}))?)?$/;
const SENSE = /^([A-Z])(?:-?(\d{2}))?$/;
const BENEFICIARY = /^[a-z]$/;
const DEFAULT_SENSE = "O";
const DEFAULT_BENEFICIARY = "i";
const GENERAL = "00";

/**
 * Parses and checks a code against the grid; throws SpiralCodeError with the reason. Any case is
 * accepted (`a03/p15/K` reads as `A03/P15/k`): the object and sense letters are capitals and the
 * beneficiary a lower-case letter by position, so case carries no meaning of its own.
 */
export function parseSpiralCode(input: string, grid: Grid): SpiralCode {
  const text = input.trim();
  if (text === "") throw new SpiralCodeError(input, "the code is empty");
  const parts = text.split("/");
  if (parts.length > 3) {
    throw new SpiralCodeError(
      input,
      "expected object[/sense[/beneficiary]], found more than 3 parts",
    );
  }
  const [objectPart = "", sensePart, beneficiaryPart] = parts;

  const object = OBJECT.exec(objectPart.toUpperCase());
  if (!object) {
    throw new SpiralCodeError(
      input,
      `object "${objectPart}" must be a dimension letter, optionally two digits and "-NN" (A, A01, A01-11)`,
    );
  }
  const [, dimension = "", componentDigits, subDigits] = object;
  if (grid.entry(dimension)?.kind !== "dimension") {
    throw new SpiralCodeError(
      input,
      `unknown dimension ${dimension} in grid ${grid.id} ${grid.version}`,
    );
  }
  const component = `${dimension}${componentDigits ?? GENERAL}`;
  if (componentDigits !== undefined && grid.entry(component)?.kind !== "component") {
    throw new SpiralCodeError(
      input,
      `unknown component ${component} in grid ${grid.id} ${grid.version}`,
    );
  }

  let sense: SpiralCode["sense"];
  if (sensePart !== undefined) {
    const match = SENSE.exec(sensePart.toUpperCase());
    if (!match) {
      throw new SpiralCodeError(
        input,
        `sense "${sensePart}" must be a category letter and optionally two digits (P, P15)`,
      );
    }
    const [, category = "", detail] = match;
    if (!grid.hasSense(category)) {
      throw new SpiralCodeError(input, `unknown sense category ${category}`);
    }
    sense = detail !== undefined && detail !== GENERAL ? { category, detail } : { category };
  }

  let beneficiary: string | undefined;
  if (beneficiaryPart !== undefined) {
    const letter = beneficiaryPart.toLowerCase();
    if (!BENEFICIARY.test(letter)) {
      throw new SpiralCodeError(input, `beneficiary "${beneficiaryPart}" must be one letter`);
    }
    if (!grid.hasBeneficiary(letter)) {
      throw new SpiralCodeError(input, `unknown beneficiary ${letter}`);
    }
    beneficiary = letter;
  }

  const subObject = subDigits !== undefined && subDigits !== GENERAL ? subDigits : undefined;
  const senseIsDefault = !sense || (sense.category === DEFAULT_SENSE && !sense.detail);
  const beneficiaryIsDefault = !beneficiary || beneficiary === DEFAULT_BENEFICIARY;

  let canonical = componentDigits === undefined ? dimension : component;
  if (subObject) canonical += `-${subObject}`;
  if (!senseIsDefault || !beneficiaryIsDefault) {
    canonical += `/${sense ? `${sense.category}${sense.detail ?? ""}` : DEFAULT_SENSE}`;
  }
  if (!beneficiaryIsDefault) canonical += `/${beneficiary}`;

  return {
    canonical,
    dimension,
    component,
    namesComponent: componentDigits !== undefined,
    ...(subObject ? { subObject } : {}),
    ...(sense && !senseIsDefault ? { sense } : {}),
    ...(beneficiary && !beneficiaryIsDefault ? { beneficiary } : {}),
  };
}

/** Like parseSpiralCode but returns the error instead of throwing (for bulk validation). */
export function tryParseSpiralCode(
  input: string,
  grid: Grid,
): { ok: true; code: SpiralCode } | { ok: false; error: string } {
  try {
    return { ok: true, code: parseSpiralCode(input, grid) };
  } catch (error) {
    if (error instanceof SpiralCodeError) return { ok: false, error: error.message };
    throw error;
  }
}
