import { describe, expect, it } from "vitest";
import { addValidatedCriteria, createGroup, PUBLIC_URL, T, useTestvilleNode } from "./helpers";
import { deliver, MULHOUSE, payloadOf } from "./network-fixture";

// What a visitor (or any server) can read must be what was published and still is: a withdrawn
// synthesis version leaves every public surface, a followers-only meeting version never becomes
// public, and the public pages show figures from published syntheses only.

const AS = { accept: "application/activity+json" };
const HTML = { accept: "text/html" };
const PERIOD = { start: "2026-01-01", end: "2026-06-14" };

const t = useTestvilleNode();

const request = async (path: string, headers: Record<string, string> = {}) => {
  const response = await t.node.app.request(path, { headers });
  const text = await response.text();
  expect(response.status, `${path}: ${text}`).toBeLessThan(500);
  return { status: response.status, text, json: () => JSON.parse(text) };
};

/** The outbox collection as a federation client reads it (first page). */
const outboxItems = async (): Promise<Array<Record<string, unknown>>> => {
  const page = await request("/actors/testville/outbox?cursor=0", AS);
  expect(page.status).toBe(200);
  return page.json().orderedItems ?? [];
};

async function publishGroup(participants: number, session: string, codes: string[]) {
  const group = await createGroup(t.admin, { participants, sessionDates: [session] });
  await addValidatedCriteria(
    t.admin,
    group,
    codes.map((code, i) => ({ question: "Q1", text: `critère ${i}`, code })),
  );
  const published = await t.admin.post(`${T}/syntheses`, { period: PERIOD, correction: false });
  expect(published.status, published.text).toBe(201);
  await (await t.node.federation.get()).outbox.drain();
  return published.body as { id: string; synthesisId: string; version: number };
}

/** The outbox row (Create/Update) that published this version (the latest of its synthesis). */
const publicationOf = (versionId: string) => {
  const version = t.services.syntheses.list("testville").find((v) => v.uuid === versionId);
  return t.services.outbox
    .latestPublications("testville")
    .find((r) => r.synthesisVersionId === version?.id);
};

describe("withdrawal unpublishes", () => {
  it("a withdrawn version leaves the API, the outbox, /activities and the pages; a republication is public", async () => {
    const v1 = await publishGroup(7, "2026-02-10", ["A01", "B01"]);
    const create = publicationOf(v1.id);
    expect(create?.type).toBe("Create");
    const createUuid = create?.uuid as string;
    expect((await request(`/activities/${createUuid}`, AS)).status).toBe(200);

    const withdrawn = await t.admin.post(`${T}/syntheses/${v1.id}/withdrawal`);
    expect(withdrawn.status, withdrawn.text).toBe(204);
    await (await t.node.federation.get()).outbox.drain();

    // JSON API without a token: not listed, and its payload is gone (410, said plainly).
    const list = await t.anonymous.get(`${T}/syntheses`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([]);
    const one = await t.anonymous.get(`${T}/syntheses/${v1.id}`);
    expect(one.status).toBe(410);
    expect(one.body.message).toMatch(/withdrawn/);
    expect(one.text).not.toContain("A01");

    // The outbox shows the Delete (its object a Tombstone), not the Create any more.
    const items = await outboxItems();
    expect(items.map((i) => i.type)).toEqual(["Delete"]);
    expect(JSON.stringify(items)).not.toContain("A01");
    // The Create's own URL answers 410 with a Tombstone in its place.
    const gone = await request(`/activities/${createUuid}`, AS);
    expect(gone.status).toBe(410);
    expect(gone.json()).toMatchObject({
      type: "Tombstone",
      id: `${PUBLIC_URL}/activities/${createUuid}`,
      formerType: "Create",
    });
    expect(gone.text).not.toContain("A01");
    // HTML: the synthesis page is gone, the home and territory pages do not list it.
    expect((await request(`/syntheses/${v1.synthesisId}`, HTML)).status).toBe(410);
    for (const page of ["/", "/actors/testville"]) {
      const html = await request(page, HTML);
      expect(html.text).not.toContain(v1.synthesisId);
    }

    // Publishing the period again is allowed: version 2 is public, version 1 stays gone.
    const v2 = await publishGroup(6, "2026-03-10", ["A02"]);
    expect(v2.version).toBe(2);
    const listed = await t.anonymous.get(`${T}/syntheses`);
    expect(listed.body.map((v: { id: string }) => v.id)).toEqual([v2.id]);
    expect((await t.anonymous.get(`${T}/syntheses/${v2.id}`)).status).toBe(200);
    expect((await t.anonymous.get(`${T}/syntheses/${v1.id}`)).status).toBe(410);
    expect((await request(`/activities/${createUuid}`, AS)).status).toBe(410);
    const after = await outboxItems();
    expect(after.map((i) => i.type)).toEqual(["Update", "Delete"]);
    expect((await request(`/syntheses/${v2.synthesisId}`, HTML)).status).toBe(200);
  });
});

describe("a received synthesis its origin withdrew", () => {
  it("leaves the public API of the receiver too (the admin still sees it)", async () => {
    const payload = payloadOf(MULHOUSE);
    deliver(t.node, payload);
    const [held] = t.services.received.list();
    expect((await t.anonymous.get(`/api/v1/received-syntheses/${held?.id}`)).status).toBe(200);
    expect(t.services.received.withdraw(payload.territory.id, String(held?.objectId))).toBe(true);
    const list = await t.anonymous.get("/api/v1/received-syntheses");
    expect(list.body).toEqual([]);
    const one = await t.anonymous.get(`/api/v1/received-syntheses/${held?.id}`);
    expect(one.status).toBe(410);
    expect(one.body.message).toMatch(/withdrawn/);
    const asAdmin = await t.admin.get("/api/v1/received-syntheses");
    expect(asAdmin.body).toEqual([expect.objectContaining({ id: held?.id, withdrawn: true })]);
  });
});

const meetingInput = (overrides: Record<string, unknown> = {}) => ({
  title: "Réunion interne du groupe",
  description: "Première séance.",
  kind: "homogeneous-group-session",
  start: "2026-07-02T18:00",
  end: "2026-07-02T20:00",
  timeZone: "Europe/Paris",
  place: { name: "Salle privée", locality: "Testville", country: "FR" },
  languages: ["fr"],
  visibility: "followers",
  ...overrides,
});

describe("a followers-only meeting version never becomes public", () => {
  it("made public later: only the activities sent while public are served", async () => {
    const created = await t.admin.post(`${T}/meetings`, meetingInput());
    expect(created.status, created.text).toBe(201);
    await (await t.node.federation.get()).outbox.drain();
    const [first] = t.services.outbox.latestMeetingActivities("testville", [created.body.id]);
    expect(first?.type).toBe("Create");
    const madePublic = await t.admin.patch(`${T}/meetings/${created.body.id}`, {
      visibility: "public",
      title: "Réunion publique",
      place: { name: "Centre social", locality: "Testville", country: "FR" },
    });
    expect(madePublic.status, madePublic.text).toBe(200);
    await (await t.node.federation.get()).outbox.drain();
    const [second] = t.services.outbox.latestMeetingActivities("testville", [created.body.id]);
    expect(second?.type).toBe("Update");

    // The first version (followers only) stays private everywhere…
    expect(t.services.outbox.isPublic(first as never)).toBe(false);
    expect((await request(`/activities/${first?.uuid}`, AS)).status).toBe(404);
    const items = await outboxItems();
    expect(JSON.stringify(items)).not.toContain("Réunion interne");
    expect(JSON.stringify(items)).not.toContain("Salle privée");
    // …while the public Update is served.
    expect(items.map((i) => i.type)).toEqual(["Update"]);
    expect((await request(`/activities/${second?.uuid}`, AS)).status).toBe(200);
  });
});

describe("public pages show only what was published", () => {
  it("the home and territory pages show figures of published syntheses, never live counts", async () => {
    const v1 = await publishGroup(7, "2026-02-10", ["A01", "B01"]);
    const before = (await request("/", HTML)).text;
    // A group session afterwards (not published): nothing on any public page may move.
    const group = await createGroup(t.admin, { participants: 9, sessionDates: ["2026-04-01"] });
    await addValidatedCriteria(t.admin, group, [
      { question: "Q1", text: "Un secret", code: "A02" },
      { question: "Q1", text: "Un autre", code: "A03" },
      { question: "Q2", text: "Encore", code: "B02" },
    ]);
    const home = (await request("/", HTML)).text;
    expect(home).toBe(before);
    // What it shows comes from the published synthesis: 1 group, 2 criteria, 7 participants.
    expect(home).toContain(v1.synthesisId);
    expect(home).toContain("2 criteria · 7 participants · 1 groups");
    expect(home).not.toMatch(/2 groups/);
    expect(home).not.toMatch(/5 criteria/);
    const territory = (await request("/actors/testville", HTML)).text;
    expect(territory).not.toMatch(/5 criteria/);
  });

  it("a custom category label is public only once a published synthesis uses it", async () => {
    const added = await t.admin.post("/api/v1/categories", {
      code: "roma-families",
      en: "Roma families of the east side",
      fr: "Familles roms du quartier est",
    });
    expect(added.status, added.text).toBe(201);
    const surfaces = async () => {
      const api = await t.anonymous.get("/api/v1/categories");
      expect(api.status).toBe(200);
      const figures = (await request("/figures", HTML)).text;
      const home = (await request("/", HTML)).text;
      return JSON.stringify(api.body) + figures + home;
    };
    expect(await surfaces()).not.toContain("Roma families");
    // The admin sees it (to create groups with it).
    const asAdmin = await t.admin.get("/api/v1/categories");
    expect(JSON.stringify(asAdmin.body)).toContain("Roma families");

    // A group of that category, big enough for its own cell, published: now public.
    const group = await createGroup(t.admin, {
      category: "roma-families",
      participants: 8,
      sessionDates: ["2026-02-10"],
    });
    await addValidatedCriteria(t.admin, group, [{ question: "Q1", text: "Des amis", code: "A01" }]);
    const published = await t.admin.post(`${T}/syntheses`, { period: PERIOD, correction: false });
    expect(published.status, published.text).toBe(201);
    expect(JSON.stringify(published.body.payload.categories)).toContain("roma-families");
    expect(await surfaces()).toContain("Roma families");

    // Withdrawn: the label is private again.
    const withdrawn = await t.admin.post(`${T}/syntheses/${published.body.id}/withdrawal`);
    expect(withdrawn.status).toBe(204);
    expect(await surfaces()).not.toContain("Roma families");
  });
});
