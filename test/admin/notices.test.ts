import { outcomeNotice } from "@spiral-network/node/admin/kit";
import { afterEach, describe, expect, it } from "vitest";
import { type AdminTestNode, startSignedIn } from "./browser";

let t: AdminTestNode | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("?done= notices", () => {
  it("names only a page's own outcomes, never inherited object properties", () => {
    const outcomes = { followed: "a", left: "b" } as const;
    expect(outcomeNotice(outcomes, "followed")).toBe("a");
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "", undefined]) {
      expect(outcomeNotice(outcomes, name)).toBeUndefined();
    }
  });

  it("pages answer an unknown or hostile ?done= with the page, not an error", async () => {
    const started = await startSignedIn();
    t = started.t;
    for (const path of ["/admin/network", "/admin/subnetworks"]) {
      for (const done of ["constructor", "__proto__", "nonsense"]) {
        const page = await started.admin.get(`${path}?done=${done}`);
        expect(page.status, `${path}?done=${done}: ${page.text.slice(0, 200)}`).toBe(200);
      }
    }
  });
});
