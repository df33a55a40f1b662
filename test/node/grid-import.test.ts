import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createNode } from "@spiral-network/node/node";
import { bundledGrids, contentHash, type Grid } from "@spiral-network/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  addCriteria,
  addValidatedCriteria,
  createGroup,
  NOW,
  PUBLIC_URL,
  T,
  TESTVILLE,
  useTestvilleNode,
} from "./helpers";

const [v1, v2] = bundledGrids as [Grid, Grid];
const grid3 = () =>
  JSON.parse(
    readFileSync(new URL("../fixtures/grid-spiral-9d-3-test.json", import.meta.url), "utf8"),
  ) as Record<string, any>;

const silent = { error: () => {}, info: () => {}, warn: () => {} };

describe("a node still on 2026.1 moves to 2026.2-partial at start, through the import", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "spiral-grid-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps every criterion's code and classification, and records the import", async () => {
    const databaseFile = path.join(dir, "node.db");
    const options = {
      databaseFile,
      publicUrl: PUBLIC_URL,
      logger: silent,
      adminToken: ADMIN_TOKEN,
      now: () => NOW,
    };
    // The node as it ran before: 2026.1 pinned, criteria coded and validated.
    const old = createNode({ ...options, grid: v1 });
    old.services.territories.create(TESTVILLE, "test");
    const request = async (node: typeof old, method: string, route: string, body?: unknown) => {
      const response = await node.app.request(route, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(body ? { "content-type": "application/json" } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: await response.json() };
    };
    const admin = {
      post: (route: string, body: unknown) => request(old, "POST", route, body),
    } as never;
    const group = await createGroup(admin);
    const ids = await addValidatedCriteria(admin, group, [
      { question: "Q1", text: "Manger à sa faim", code: "A01/O10" },
      { question: "Q2", text: "Le bruit", code: "B01" },
      { question: "Q1", text: "Des amis", code: "D00" },
    ]);
    expect(old.services.territories.get("testville").gridVersion).toBe(v1.version);
    await old.close();

    const node = createNode(options);
    try {
      expect(node.services.grids.active().version).toBe(v2.version);
      expect(node.services.territories.get("testville").gridVersion).toBe(v2.version);
      const criteria = (await request(node, "GET", `${T}/criteria`)).body.items;
      expect(criteria.map((c: any) => [c.id, c.code, c.status])).toEqual([
        [ids[0], "A01/O10", "validated"],
        [ids[1], "B01", "validated"],
        [ids[2], "D00", "validated"],
      ]);
      expect(node.services.grids.list().map((g) => [g.version, g.state, g.source])).toEqual(
        expect.arrayContaining([
          [v1.version, "known", "bundled"],
          [v2.version, "active", "bundled"],
        ]),
      );
      expect(node.services.audit.recent().map((a) => [a.actor, a.action])).toContainEqual([
        "system:bundled-grid",
        "grid.import",
      ]);
      expect(node.services.grids.reviews("testville")).toEqual([]);
    } finally {
      await node.close();
    }
    // A second start changes nothing.
    const again = createNode(options);
    expect(again.services.grids.list()).toHaveLength(2);
    await again.close();
  });

  it("moves to the bundled version even when a look-alike of it was offered or accepted from elsewhere", async () => {
    const databaseFile = path.join(dir, "node.db");
    const options = {
      databaseFile,
      publicUrl: PUBLIC_URL,
      logger: silent,
      adminToken: ADMIN_TOKEN,
      now: () => NOW,
    };
    // A territory elsewhere serves its own "2026.2-partial" (other labels) with a hash that matches.
    const lookAlike = structuredClone(v2.file) as unknown as Record<string, any>;
    lookAlike.dimensions[0].components[0].en = "Something else";
    for (const accepted of [false, true]) {
      rmSync(databaseFile, { force: true });
      const old = createNode({ ...options, grid: v1 });
      old.services.grids.offer(lookAlike, contentHash(lookAlike), "https://far.example/grids/x");
      if (accepted) old.services.grids.accept(v2.id, v2.version, "test");
      await old.close();
      const node = createNode(options);
      try {
        // The offer never blocks the node's start; an offered look-alike gives way to the bundled
        // version, an accepted one is left as it is and the move waits for an admin.
        const active = node.services.grids.active();
        expect(active.version).toBe(accepted ? v1.version : v2.version);
        const held = node.services.grids.list().find((g) => g.version === v2.version);
        expect([held?.state, held?.hash === contentHash(lookAlike)]).toEqual(
          accepted ? ["known", true] : ["active", false],
        );
      } finally {
        await node.close();
      }
    }
  });
});

describe("importing a made-up grid 3 (splits A01 and C00, names components of C)", () => {
  const t = useTestvilleNode();

  it("previews, applies, and queues the criteria of split codes for review", async () => {
    const group = await createGroup(t.admin);
    const ids = await addValidatedCriteria(t.admin, group, [
      { question: "Q1", text: "Manger à sa faim", code: "A01" },
      { question: "Q1", text: "La mairie écoute", code: "C00" },
      { question: "Q2", text: "Le bruit", code: "B01" },
    ]);
    const [unclassified] = await addCriteria(t.admin, group, [{ question: "Q1", text: "Rien" }]);

    const preview = await t.admin.post("/api/v1/grids/preview", grid3());
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body.changes.from.version).toBe(v2.version);
    expect(preview.body.changes.to.version).toBe("3-test");
    expect(preview.body.changes.added.map((c: any) => c.code)).toEqual(["A12", "C01", "C02"]);
    expect(preview.body.changes.relabelled.map((r: any) => r.code)).toEqual(["A01"]);
    expect(preview.body.changes.review).toEqual(["A01", "C00"]);
    expect(preview.body.criteriaToReview).toBe(2);
    // A preview changes nothing.
    expect(t.services.grids.active().version).toBe(v2.version);

    const applied = await t.admin.post("/api/v1/grids", grid3());
    expect(applied.status, applied.text).toBe(200);
    expect(t.services.grids.active().version).toBe("3-test");
    expect(t.services.territories.get("testville").gridVersion).toBe("3-test");
    // The new components can be used at once, without a restart.
    const [newOne] = await addValidatedCriteria(t.admin, group, [
      { question: "Q1", text: "Eau potable", code: "A12" },
    ]);
    expect(newOne).toBeGreaterThan(0);

    const queue = await t.admin.get(`${T}/grid-reviews`);
    expect(queue.status).toBe(200);
    expect(queue.body.map((r: any) => [r.criterionId, r.code, r.choices])).toEqual([
      [ids[0], "A01", ["A01", "A12"]],
      [ids[1], "C00", ["C00", "C01", "C02"]],
    ]);
    // Criteria keep their codes.
    const criteria = (await t.admin.get(`${T}/criteria`)).body.items;
    expect(criteria.find((c: any) => c.id === ids[0]).code).toBe("A01");
    expect(criteria.find((c: any) => c.id === unclassified).status).toBe("unclassified");

    // Classifying a queued criterion again takes it off the queue.
    const classify = await t.admin.put(`${T}/criteria/${ids[0]}/classification`, {
      code: "A12",
      status: "validated",
    });
    expect(classify.status, classify.text).toBe(200);
    expect(t.services.grids.reviews("testville").map((r) => r.criterionId)).toEqual([ids[1]]);
  });

  it("moves the criteria of renamed and merged components to their new code", async () => {
    const group = await createGroup(t.admin);
    const ids = await addValidatedCriteria(t.admin, group, [
      { question: "Q2", text: "Pas de droits", code: "A11/P" },
      { question: "Q2", text: "Le bruit", code: "B01" },
      { question: "Q2", text: "Pas de bus", code: "B02/O/k" },
    ]);
    const file = grid3();
    const a = file.dimensions[0];
    a.components = a.components.filter((c: any) => c.code !== "A11");
    a.components.push({ code: "A13", en: "Rights", fr: "Droits", status: "provisional" });
    const b = file.dimensions[1];
    b.components = b.components.filter((c: any) => c.code !== "B01");
    file.mapping.changes.push(
      { kind: "renamed", from: "A11", to: "A13" },
      { kind: "merged", from: ["B01", "B02"], to: "B02" },
    );
    const preview = await t.admin.post("/api/v1/grids/preview", file);
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body.criteriaMoved).toBe(3);
    const applied = await t.admin.post("/api/v1/grids", file);
    expect(applied.status, applied.text).toBe(200);
    const criteria = (await t.admin.get(`${T}/criteria`)).body.items;
    expect(ids.map((id) => criteria.find((c: any) => c.id === id)?.code)).toEqual([
      "A13/P",
      "B02",
      "B02/O/k",
    ]);
    expect(criteria.every((c: any) => c.status === "validated")).toBe(true);
    // The synthesis counts them under their new components.
    const synthesis = await t.admin.get(`${T}/synthesis?start=2026-01-01&end=2026-12-31`);
    expect(synthesis.status, synthesis.text).toBe(200);
    expect(JSON.stringify(synthesis.body)).not.toMatch(/"(A11|B01)"/);
  });

  it("refuses malformed grid files with the reason, and changes nothing", async () => {
    const cases: Array<[string, (file: Record<string, any>) => unknown, RegExp]> = [
      ["not a grid", () => ({ hello: "world" }), /id: .*expected string/i],
      [
        "a duplicate code",
        (f) => {
          f.dimensions[0].components.push({ ...f.dimensions[0].components[1] });
          return f;
        },
        /duplicate code A01/,
      ],
      [
        "a mapping to a code it does not have",
        (f) => {
          f.mapping.changes[0].to = ["A01", "A13"];
          return f;
        },
        /sends counts to A13, which this grid does not have/,
      ],
      [
        "an unknown dimension in the mapping",
        (f) => {
          f.mapping.changes[0].to = ["A01", "Z12"];
          return f;
        },
        /Z12, which this grid does not have/,
      ],
      [
        "a mapping that loses counts",
        (f) => {
          f.dimensions[0].components = f.dimensions[0].components.filter(
            (c: any) => c.code !== "A05",
          );
          return f;
        },
        /A05 is not in 3-test and the mapping does not say where its counts go/,
      ],
      [
        "a mapping from a version this node does not hold",
        (f) => {
          f.mapping.from.version = "2025.9";
          return f;
        },
        /starts from spiral-9d 2025.9/,
      ],
    ];
    for (const [what, breakIt, reason] of cases) {
      for (const route of ["/api/v1/grids/preview", "/api/v1/grids"]) {
        const response = await t.admin.post(route, breakIt(grid3()));
        expect(response.status, what).toBe(400);
        expect(JSON.stringify(response.body), what).toMatch(reason);
      }
    }
    expect(t.services.grids.active().version).toBe(v2.version);
    expect(
      t.services.grids
        .list()
        .map((g) => g.version)
        .sort(),
    ).toEqual([v1.version, v2.version]);
  });

  it("holds back the synthesis while criteria wait on a code the new version no longer has", async () => {
    const group = await createGroup(t.admin);
    await addValidatedCriteria(t.admin, group, [
      { question: "Q1", text: "Manger à sa faim", code: "A01/O10" },
      { question: "Q2", text: "Le bruit", code: "B01" },
    ]);
    // A01 is split into two new components and is gone from the new version.
    const file = grid3();
    const components = file.dimensions[0].components;
    const a01 = components.find((c: any) => c.code === "A01");
    file.dimensions[0].components = [
      ...components.filter((c: any) => c.code !== "A01"),
      { ...a01, code: "A13", en: "Food (other)", fr: "Alimentation (autre)" },
    ];
    file.mapping.changes[0].to = ["A12", "A13"];
    const applied = await t.admin.post("/api/v1/grids", file);
    expect(applied.status, applied.text).toBe(200);
    expect(applied.body.criteriaToReview).toBe(1);

    // Published as is, the synthesis would name 3-test and count A01, which 3-test does not
    // have: every node on 3-test refuses it, the others count a code nobody can map.
    const period = { start: "2026-01-01", end: "2026-12-31" };
    const draft = await t.admin.get(`${T}/synthesis?start=${period.start}&end=${period.end}`);
    expect(draft.status, draft.text).toBe(200);
    expect(draft.body.publishable).toBe(false);
    expect(JSON.stringify(draft.body.blockers)).toMatch(/A01/);
    const published = await t.admin.post(`${T}/syntheses`, { period, correction: false });
    expect(published.status, published.text).toBe(409);
    expect(JSON.stringify(published.body)).toMatch(/A01/);
  });

  it("refuses a grid whose id and version collide with a version held, and changes nothing", async () => {
    const before = t.services.grids.list().map((g) => [g.version, g.state, g.hash]);
    // A file claiming the bundled earlier version (different content) over the one in use.
    const colliding = { ...grid3(), version: v1.version };
    for (const route of ["/api/v1/grids/preview", "/api/v1/grids"]) {
      const response = await t.admin.post(route, colliding);
      expect(response.status, route).toBe(400);
      expect(JSON.stringify(response.body), route).toMatch(/already holds spiral-9d/);
    }
    expect(t.services.grids.active().version).toBe(v2.version);
    expect(t.services.grids.list().map((g) => [g.version, g.state, g.hash])).toEqual(before);
  });

  it("lets only admins import", async () => {
    const viewer = await t.services.users.create(
      {
        email: "v@example.org",
        name: "V",
        role: "facilitator",
        password: "a long enough password",
      },
      "test",
    );
    const token = t.services.apiTokens.create(viewer.id, "t", "test").token;
    const response = await t.anonymous.post("/api/v1/grids", grid3(), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(403);
    expect(t.services.grids.active().version).toBe(v2.version);
  });

  it("serves the grid in use at a stable URL with its hash, linked from the actor", async () => {
    const url = `/grids/spiral-9d/${encodeURIComponent(v2.version)}`;
    const served = await t.anonymous.get(url);
    expect(served.status).toBe(200);
    expect(served.body).toMatchObject({
      type: "spiral/grid@1",
      id: `${PUBLIC_URL}${url}`,
      grid: { id: "spiral-9d", version: v2.version },
      hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(served.headers.get("etag")).toBe(`"${served.body.hash}"`);
    const actor = await t.anonymous.get("/actors/testville", {
      headers: { accept: "application/activity+json" },
    });
    // The link is on the actor's own origin (whatever host the request named).
    expect(actor.body.attachment).toContainEqual({
      type: "Link",
      href: `${new URL(actor.body.id).origin}${url}`,
      mediaType: "application/vnd.spiral.grid+json",
      name: `spiral-9d ${v2.version}`,
    });
    expect((await t.anonymous.get("/grids/spiral-9d/9.9")).status).toBe(404);
  });
});
