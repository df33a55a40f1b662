import {
  defaultGrid,
  parseSpiralCode,
  SpiralCodeError,
  tryParseSpiralCode,
} from "@spiral-network/protocol";
import { describe, expect, it } from "vitest";

const parse = (code: string) => parseSpiralCode(code, defaultGrid);

describe("parseSpiralCode", () => {
  it("covers every example published in the grid's code_syntax", () => {
    const examples = (defaultGrid.file.code_syntax as { examples: string[] }).examples;
    expect(examples).toEqual(["A", "A01", "A01/P", "A01/P15", "A01-11/P15", "A01-11/P15/k"]);
    for (const example of examples) expect(parse(example).canonical).toBe(example);
  });

  it.each([
    ["A", { dimension: "A", component: "A00", namesComponent: false }],
    ["A01", { dimension: "A", component: "A01", namesComponent: true }],
    ["A01/P", { component: "A01", sense: { category: "P" } }],
    ["A01/P15", { component: "A01", sense: { category: "P", detail: "15" } }],
    ["A01-11/P15", { component: "A01", subObject: "11", sense: { category: "P", detail: "15" } }],
    [
      "A01-11/P15/k",
      {
        dimension: "A",
        component: "A01",
        subObject: "11",
        sense: { category: "P", detail: "15" },
        beneficiary: "k",
      },
    ],
  ])("parses %s", (code, expected) => {
    expect(parse(code)).toMatchObject({ canonical: code, ...expected });
  });

  it("reads the full generalisation A00-00/O-00/i as A00", () => {
    const general = parse("A00-00/O-00/i");
    expect(general).toEqual(parse("A00"));
    expect(general).toEqual({
      canonical: "A00",
      dimension: "A",
      component: "A00",
      namesComponent: true,
    });
  });

  it("rolls a bare dimension up to its X00 component", () => {
    expect(parse("A").component).toBe("A00");
    expect(parse("C")).toMatchObject({ canonical: "C", dimension: "C", component: "C00" });
    expect(parse("A01-11/P15/k")).toMatchObject({ dimension: "A", component: "A01" });
  });

  it.each([
    ["A01/O", "A01"],
    ["A01/O/i", "A01"],
    ["A01/P/i", "A01/P"],
    ["A01/P-15", "A01/P15"],
    ["A01-00/P", "A01/P"],
    ["A01/O/k", "A01/O/k"],
    ["A01/O-00/k", "A01/O/k"],
    ["A01/O15", "A01/O15"],
    [" A01/P ", "A01/P"],
    // Any case: what a facilitator types quickly.
    ["a03", "A03"],
    ["a", "A"],
    ["a01/p15", "A01/P15"],
    ["a01-11/p-15/K", "A01-11/P15/k"],
  ])("canonicalises %j as %s", (code, canonical) => {
    expect(parse(code).canonical).toBe(canonical);
  });

  it.each([
    ["", /empty/],
    ["   ", /empty/],
    ["a1", /object "a1" must be a dimension letter/],
    ["A1", /object "A1"/],
    ["A001", /object "A001"/],
    ["A01-1", /object "A01-1"/],
    ["Z01", /unknown dimension Z in grid spiral-9d/],
    ["A08", /unknown component A08 in grid spiral-9d/],
    ["C03", /unknown component C03/],
    ["A01/X", /unknown sense category X/],
    ["A01/P1", /sense "P1" must be a category letter/],
    ["A01/P15/kk", /beneficiary "kk" must be one letter/],
    ["A01/P15/Z", /unknown beneficiary z/],
    ["A01/P15/z", /unknown beneficiary z/],
    ["A01/P/i/x", /more than 3 parts/],
    ["A01//k", /sense "" must be/],
  ])("rejects %j", (code, reason) => {
    let error: unknown;
    try {
      parse(code);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpiralCodeError);
    const codeError = error as SpiralCodeError;
    expect(codeError.input).toBe(code);
    expect(codeError.reason).toMatch(reason);
    expect(codeError.message).toContain(`"${code}"`);
  });
});

describe("tryParseSpiralCode", () => {
  it("returns the parsed code", () => {
    expect(tryParseSpiralCode("A01/P15", defaultGrid)).toEqual({
      ok: true,
      code: parse("A01/P15"),
    });
  });

  it("returns the error message instead of throwing", () => {
    const result = tryParseSpiralCode("A08", defaultGrid);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error).toMatch(/^invalid SPIRAL code "A08": unknown component A08/);
  });
});
