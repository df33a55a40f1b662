import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type AdminTestNode, type Browser, startSignedIn } from "../admin/browser";

// A full disk (SQLITE_FULL, simulated with PRAGMA max_page_count): writes answer 507 with words a
// facilitator can act on — in the API and in the workspace — reads keep working, and once there
// is room again the same node saves again, without a restart.

let t: AdminTestNode;
let admin: Browser;
beforeEach(async () => {
  ({ t, admin } = await startSignedIn());
});
afterEach(() => t.close());

const api = (method: string, route: string, body?: unknown) =>
  t.node.app.request(`/api/v1${route}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const group = (n: number) => ({
  label: `Group ${n} ${"x".repeat(150)}`,
  category: "young-people",
  sessionDates: ["2026-05-12"],
  participants: 12,
  cycle: 0,
});
const pragma = (statement: string) => t.node.storage.sqlite.pragma(statement, { simple: true });

/** Caps the database at its current size, then writes until a write no longer fits. */
async function fillTheDisk(): Promise<Response> {
  pragma(`max_page_count = ${Number(pragma("page_count"))}`);
  for (let n = 0; n < 500; n++) {
    const response = await api("POST", "/territories/testville/groups", group(n));
    if (response.status !== 201) return response;
  }
  throw new Error("the capped database never filled up");
}

describe("disk full", () => {
  it("a personal API token still reads (its last use is not written)", async () => {
    const [alice] = t.node.services.users.list();
    const { token } = t.node.services.apiTokens.create(alice?.id ?? 0, "script", "test");
    expect((await fillTheDisk()).status).toBe(507);
    const list = await t.node.app.request("/api/v1/territories/testville/groups", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(list.status).toBe(200);
  });

  it("the API answers 507 storage_full, reads work, and writes work again once there is room", async () => {
    const full = await fillTheDisk();
    expect(full.status).toBe(507);
    expect(await full.json()).toEqual({
      error: "storage_full",
      message: expect.stringContaining("the node's disk is full: nothing was saved"),
    });
    const groups = t.node.services.groups.list("testville").length;
    // Reads keep working.
    const list = await api("GET", "/territories/testville/groups");
    expect(list.status).toBe(200);
    expect(await list.json()).toHaveLength(groups);
    expect((await api("GET", "/territories/testville")).status).toBe(200);
    // Another write: 507 again, nothing half-saved.
    expect((await api("POST", "/territories/testville/groups", group(999))).status).toBe(507);
    expect(t.node.services.groups.list("testville")).toHaveLength(groups);

    // Space is freed: the same node saves again, no restart.
    pragma("max_page_count = 1073741823");
    const saved = await api("POST", "/territories/testville/groups", group(999));
    expect(saved.status).toBe(201);
    expect(t.node.services.groups.list("testville")).toHaveLength(groups + 1);
  });

  it("the workspace shows a page saying the disk is full (507), and still shows its pages", async () => {
    await fillTheDisk();
    const answer = await admin.submit("/admin/groups/new", "/admin/groups", {
      label: "Young people",
      category: "young-people",
      sessionDates: "2026-05-12",
      participants: "12",
      cycle: "0",
    });
    expect(answer.status).toBe(507);
    expect(answer.text).toContain("The node&#39;s disk is full");
    expect(answer.text).toContain("Nothing was saved");
    expect((await admin.get("/admin/groups")).status).toBe(200);

    pragma("max_page_count = 1073741823");
    const again = await admin.submit("/admin/groups/new", "/admin/groups", {
      label: "Young people",
      category: "young-people",
      sessionDates: "2026-05-12",
      participants: "12",
      cycle: "0",
    });
    expect(again.status).toBe(303);
  });
});
