import { afterEach, describe, expect, it } from "vitest";
import { type AdminTestNode, startSignedIn } from "./browser";

let t: AdminTestNode | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("workspace 404 pages", () => {
  it("answer an unknown address or record with a page in the user's language, not a bare 404", async () => {
    const started = await startSignedIn({ headers: { "accept-language": "fr" } });
    t = started.t;
    for (const path of [
      "/admin/nothing-here",
      "/admin/groups/99999/criteria",
      "/admin/network/syntheses/99999",
      "/admin/subnetworks/hosted/none",
    ]) {
      const page = await started.admin.get(path);
      expect(page.status, path).toBe(404);
      expect(page.text, path).toContain("<h1>Page introuvable</h1>");
      // The workspace's navigation is there: no dead end.
      expect(page.text, path).toContain('href="/admin/groups"');
    }
  });

  it("say it in English to an English browser", async () => {
    const started = await startSignedIn();
    t = started.t;
    const page = await started.admin.get("/admin/nothing-here");
    expect(page.text).toContain("<h1>Page not found</h1>");
    expect(page.text).not.toContain("404 Not Found");
  });
});
