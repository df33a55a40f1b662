import { CODE_PARSER_MEMO, createCodeParser } from "@spiral-network/node/services/criteria";
import { defaultGrid, SpiralCodeError } from "@spiral-network/protocol";
import { describe, expect, it } from "vitest";

// The code parser lives as long as the CSV import service; a file full of distinct bad codes
// must not make the node's memory grow without end.
describe("the memoising code parser", () => {
  it("keeps at most CODE_PARSER_MEMO codes and still parses every code right", () => {
    const parse = createCodeParser(defaultGrid);
    const good = defaultGrid.components[0]?.code as string;
    const expected = parse(good);
    for (let i = 0; i < CODE_PARSER_MEMO * 2.5; i++) {
      expect(() => parse(`ZZ${i}`)).toThrow(SpiralCodeError);
      expect(parse.memoSize()).toBeLessThanOrEqual(CODE_PARSER_MEMO);
    }
    expect(parse(good)).toEqual(expected);
    expect(parse.memoSize()).toBeLessThanOrEqual(CODE_PARSER_MEMO);
  });
});
