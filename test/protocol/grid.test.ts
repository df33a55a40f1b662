import { defaultGrid, GridError, type GridFile, loadGrid } from "@spiral-network/protocol";
import { describe, expect, it } from "vitest";

/** A fresh, valid copy of the default grid file to break in one place. */
const validFile = (): GridFile => structuredClone(defaultGrid.file);

/** The dimension with this code in a grid file, and its index. */
function dimensionOf(file: GridFile, code: string) {
  const index = file.dimensions.findIndex((d) => d.code === code);
  const dimension = file.dimensions[index];
  if (!dimension) throw new Error(`no dimension ${code}`);
  return { index, dimension };
}

const component = (code: string) => ({ code, en: code, fr: code, status: "confirmed" as const });

describe("defaultGrid", () => {
  it("is the SPIRAL 9-dimension grid", () => {
    expect(defaultGrid.id).toBe("spiral-9d");
    expect(defaultGrid.version).toBe(defaultGrid.file.version);
    expect(defaultGrid.dimensions.map((d) => d.code)).toEqual([..."ABCDEFGHI"]);
  });

  it("looks up dimensions and components by code", () => {
    expect(defaultGrid.entry("A")).toMatchObject({ kind: "dimension", dimension: "A" });
    expect(defaultGrid.entry("A01")).toMatchObject({ kind: "component", dimension: "A" });
    expect(defaultGrid.entry("B02")).toMatchObject({ kind: "component", dimension: "B" });
    expect(defaultGrid.entry("A08")).toBeUndefined();
    expect(defaultGrid.entry("Z")).toBeUndefined();
    expect(defaultGrid.entry("A01")?.description).toMatch(/food/i);
    // the shipped file has "description_en": null for the provisional X00 entries
    expect(defaultGrid.entry("C00")).not.toHaveProperty("description");
  });

  it("lists the components of each dimension, X00 included", () => {
    const a = defaultGrid.componentsOf("A").map((c) => c.code);
    expect(a).toContain("A00");
    expect(a).toContain("A01");
    expect(a).not.toContain("A08");
    expect(a.every((code) => code.startsWith("A"))).toBe(true);
    expect(defaultGrid.componentsOf("C").map((c) => c.code)).toEqual(["C00"]);
    expect(defaultGrid.componentsOf("Z")).toEqual([]);
    for (const d of defaultGrid.dimensions) {
      expect(defaultGrid.entry(`${d.code}00`)?.kind).toBe("component");
    }
    expect(defaultGrid.components).toHaveLength(
      defaultGrid.dimensions.reduce((n, d) => n + defaultGrid.componentsOf(d.code).length, 0),
    );
  });

  it("has English and French labels", () => {
    expect(defaultGrid.label("A", "en")).toBe("Access to essential resources");
    expect(defaultGrid.label("A", "fr")).toBe("Accès aux moyens de vie");
    expect(defaultGrid.label("A01", "en")).toBe("Food / drink");
    expect(defaultGrid.label("A01", "fr")).toBe("Alimentation / boisson");
    expect(() => defaultGrid.label("A08", "en")).toThrow(GridError);
  });

  it("flags provisional entries", () => {
    expect(defaultGrid.entry("C")?.provisional).toBe(true);
    expect(defaultGrid.entry("C00")?.provisional).toBe(true);
    expect(defaultGrid.entry("A")?.provisional).toBe(false);
    expect(defaultGrid.entry("A01")).toMatchObject({ status: "confirmed", provisional: false });
    // label_inferred is flagged by its status, but is not provisional
    expect(defaultGrid.entry("A04")).toMatchObject({
      status: "label_inferred",
      provisional: false,
    });
  });

  it("knows the sense categories and beneficiaries", () => {
    for (const s of "RPOQS") expect(defaultGrid.hasSense(s)).toBe(true);
    expect(defaultGrid.hasSense("X")).toBe(false);
    expect(defaultGrid.hasBeneficiary("i")).toBe(true);
    expect(defaultGrid.hasBeneficiary("k")).toBe(true);
    expect(defaultGrid.hasBeneficiary("z")).toBe(false);
  });
});

describe("loadGrid", () => {
  it("accepts a valid grid file", () => {
    expect(loadGrid(validFile()).components).toHaveLength(defaultGrid.components.length);
  });

  it.each([null, "spiral-9d", 42, []])("rejects %j, which is not an object", (data) => {
    expect(() => loadGrid(data)).toThrow(GridError);
    expect(() => loadGrid(data)).toThrow(/invalid grid file: \(root\): .*expected object/);
  });

  it("rejects a duplicate dimension code", () => {
    const file = validFile();
    file.dimensions.push(structuredClone(dimensionOf(file, "B").dimension));
    expect(() => loadGrid(file)).toThrow(/dimensions\.9\.code: duplicate code B\b/);
  });

  it("rejects a duplicate component code", () => {
    const file = validFile();
    const a = dimensionOf(file, "A").dimension.components;
    a.push(component("A01"));
    expect(() => loadGrid(file)).toThrow(
      new RegExp(`dimensions\\.0\\.components\\.${a.length - 1}\\.code: duplicate code A01`),
    );
  });

  it("rejects a component filed under the wrong dimension", () => {
    const file = validFile();
    const a = dimensionOf(file, "A").dimension.components;
    a.push(component("B05"));
    expect(() => loadGrid(file)).toThrow(
      new RegExp(
        `dimensions\\.0\\.components\\.${a.length - 1}\\.code: component B05 does not belong to dimension A`,
      ),
    );
  });

  it("rejects a dimension without its X00 component", () => {
    const file = validFile();
    const b = dimensionOf(file, "B").dimension;
    b.components = b.components.filter((c) => c.code !== "B00");
    expect(() => loadGrid(file)).toThrow(
      /dimensions\.1\.components: dimension B needs its "in general" component B00/,
    );
  });

  it("rejects malformed codes and missing fields, naming each path", () => {
    const file = validFile();
    dimensionOf(file, "C").dimension.components = [component("C1")];
    const { id: _id, ...withoutId } = file;
    let message = "";
    try {
      loadGrid(withoutId);
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/^GridError: invalid grid file: /);
    expect(message).toMatch(/\bid: /);
    expect(message).toMatch(/dimensions\.2\.components\.0\.code: a component code is/);
  });
});
