import { readFileSync } from "node:fs";
import { contentHash, DEFAULT_POLICY, draftSynthesis } from "@spiral-network/protocol";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AdminTestNode,
  addFredAndVera,
  type Browser,
  csrfOf,
  signInFredAndVera,
  startSignedIn,
} from "./browser";

/**
 * The grid page without JavaScript: admins only; a file uploaded (multipart) is checked and
 * previewed, refused files list their reasons and change nothing; the import carries the
 * checked text; a failed fetch says why.
 */
const grid3 = readFileSync(
  new URL("../fixtures/grid-spiral-9d-3-test.json", import.meta.url),
  "utf8",
);

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

async function postMultipart(b: Browser, path: string, fields: Record<string, string | Blob>) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === "string") form.append(name, value);
    else form.append(name, value, "grid.json");
  }
  const cookie = [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const response = await t.node.app.request(path, {
    method: "POST",
    headers: { cookie },
    body: form,
  });
  const text = await response.text();
  expect(response.status, text).toBeLessThan(500);
  return { status: response.status, text, location: response.headers.get("location") };
}

const htmlText = (html: string) =>
  html
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");

describe("the grid page", () => {
  it("is for admins only", async () => {
    const started = await startSignedIn();
    t = started.t;
    await addFredAndVera(t.node);
    const { fred } = await signInFredAndVera(t.node);
    expect((await fred.get("/admin/grid")).status).toBe(403);
    const home = await fred.get("/admin");
    expect(home.text).not.toContain('href="/admin/grid"');
    const admin = await started.admin.get("/admin/grid");
    expect(admin.status).toBe(200);
    expect(admin.text).toContain("In use: spiral-9d 2026.2-partial");
  });

  it("previews an uploaded file, refuses a bad one with its reasons, and imports", async () => {
    const started = await startSignedIn();
    t = started.t;
    const { admin } = started;
    const page = await admin.get("/admin/grid");
    const csrf = csrfOf(page.text);

    const broken = JSON.parse(grid3);
    broken.mapping.changes[0].to = ["A01", "A13"];
    const refused = await postMultipart(admin, "/admin/grid/preview", {
      _csrf: csrf,
      file: new Blob([JSON.stringify(broken)], { type: "application/json" }),
    });
    expect(refused.status).toBe(400);
    expect(htmlText(refused.text)).toContain(
      "the mapping sends counts to A13, which this grid does not have",
    );
    expect(refused.text).not.toContain('action="/admin/grid/import"');

    const notJson = await postMultipart(admin, "/admin/grid/preview", {
      _csrf: csrf,
      text: "{ nope",
    });
    expect(notJson.status).toBe(400);
    expect(notJson.text).toContain("the grid file is not JSON");

    const preview = await postMultipart(admin, "/admin/grid/preview", {
      _csrf: csrf,
      file: new Blob([grid3], { type: "application/json" }),
    });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.text).toContain("What importing 3-test changes");
    expect(preview.text).toContain("C01 · Relations with public services (provisional)");
    expect(t.node.services.grids.active().version).toBe("2026.2-partial");

    const hidden = /<input type="hidden" name="text" value="([^"]*)"/.exec(preview.text)?.[1];
    expect(hidden).toBeDefined();
    const applied = await admin.post("/admin/grid/import", {
      _csrf: csrf,
      text: htmlText(hidden ?? ""),
    });
    expect(applied.status, applied.text).toBe(303);
    expect(applied.location).toMatch(/^\/admin\/grid\?applied=3-test&review=0$/);
    expect(t.node.services.grids.active().version).toBe("3-test");
    const after = await admin.get(applied.location ?? "");
    expect(after.text).toContain("3-test is now the grid in use.");
    expect(after.text).toContain("known (figures count it)");
  });

  it("names another version's codes once that version is known, never with a stand-in", async () => {
    const started = await startSignedIn();
    t = started.t;
    const { admin } = started;
    const { payload } = draftSynthesis({
      territory: { id: "https://lyon.example/actors/lyon", name: "Lyon", country: "FR" },
      period: { start: "2026-01-01", end: "2026-06-30" },
      grid: { id: "spiral-9d", version: "3-test" },
      groups: [
        {
          category: "young-people",
          participants: 8,
          counts: [
            { question: "Q1", component: "A12", count: 3 },
            { question: "Q2", component: "C01", count: 2 },
          ],
        },
      ],
      previous: null,
      correction: false,
      policy: DEFAULT_POLICY,
    });
    if (!payload) throw new Error("no payload");
    t.node.services.received.accept({
      origin: payload.territory.id,
      objectId: "https://lyon.example/syntheses/1",
      payload,
      activity: { type: "Create" },
      via: null,
    });
    const [received] = t.node.services.received.list();
    const before = await admin.get(`/admin/network/syntheses/${received?.id}`);
    expect(before.status).toBe(200);
    expect(before.text).toContain("A12 · not named in this grid version");
    expect(before.text).toContain("spiral-9d 3-test (a version this node does not know: see Grid)");
    const grid = await admin.get("/admin/grid");
    expect(grid.text).toContain("spiral-9d 3-test, used by Lyon");

    t.node.services.grids.offer(JSON.parse(grid3), contentHash(JSON.parse(grid3)), "test");
    t.node.services.grids.accept("spiral-9d", "3-test", "test");
    const after = await admin.get(`/admin/network/syntheses/${received?.id}`);
    expect(after.text).toContain("A12 · Drink and water");
    expect(after.text).toContain("spiral-9d 3-test (known here)");
    const figures = await admin.get("/admin/figures");
    expect(figures.text).toContain("Drink and water (provisional)");
  });

  it("says why a fetch failed, and changes nothing", async () => {
    const started = await startSignedIn();
    t = started.t;
    const { admin } = started;
    const csrf = csrfOf((await admin.get("/admin/grid")).text);
    const answer = await admin.post("/admin/grid/fetch", { _csrf: csrf, actor: "not a url" });
    expect(answer.status).toBe(400);
    expect(htmlText(answer.text)).toContain('"not a url" is not a URL');
    expect(t.node.services.grids.list()).toHaveLength(2);
  });
});
