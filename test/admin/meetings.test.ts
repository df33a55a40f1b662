import { outboxActivities } from "@spiral-network/node/db/schema";
import { asc, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { type AdminTestNode, startWithFredAndVera } from "./browser";

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

/** A node set up through the browser (its clock at 2026-06-15), Fred and Vera signed in. */
async function signedIn() {
  const { t: started, ...browsers } = await startWithFredAndVera();
  t = started;
  return browsers;
}

const MEETING = {
  title: "Coordination group, spring",
  kind: "coordination-group",
  date: "2026-09-24",
  startTime: "18h",
  endTime: "20:30",
  endDate: "",
  timeZone: "Europe/Paris",
  place: "Centre social Papin",
  street: "4 rue Papin",
  postalCode: "68200",
  locality: "Mulhouse",
  onlineUrl: "",
  languages: "fr, en",
  description: "Second session of the year.",
  registrationUrl: "",
  capacity: "30",
  visibility: "public",
};

const meetings = () => t.node.services.meetings.list("testville");
/** What the outbox holds about meetings, oldest first. */
const sent = () =>
  t.node.services.ctx.db
    .select()
    .from(outboxActivities)
    .orderBy(asc(sql`rowid`))
    .all()
    .filter((row) => row.meetingUuid !== null)
    .map((row) => row.type);

describe("meetings in the workspace", () => {
  it("are announced from the calendar with the territory's zone by default, and go out as Create", async () => {
    const { fred } = await signedIn();
    const calendar = await fred.get("/admin/calendar");
    expect(calendar.text).toContain('href="/admin/meetings/new"');
    const form = await fred.get("/admin/meetings/new");
    expect(form.status).toBe(200);
    // Testville is in France: its zone is chosen, and the territory's languages filled in.
    expect(form.text).toMatch(/<option value="Europe\/Paris" selected/);
    expect(form.text).toContain('value="fr, en"');

    const answer = await fred.submit("/admin/meetings/new", "/admin/meetings", MEETING);
    expect(answer.status, answer.text).toBe(303);
    expect(answer.location).toBe("/admin/calendar?done=created");
    const [row] = meetings();
    expect(row?.payload).toMatchObject({
      title: MEETING.title,
      start: "2026-09-24T18:00",
      end: "2026-09-24T20:30",
      timeZone: "Europe/Paris",
      place: { name: "Centre social Papin", street: "4 rue Papin", locality: "Mulhouse" },
      languages: ["fr", "en"],
      capacity: 30,
      visibility: "public",
    });
    expect(row?.startUtc).toBe("2026-09-24T16:00:00Z");
    expect(sent()).toEqual(["Create"]);
    const listed = await fred.get("/admin/calendar?done=created");
    expect(listed.text).toContain("The meeting is announced");
    expect(listed.text).toContain(`href="/admin/meetings/${row?.uuid}/edit"`);
  });

  it("refuses what the API refuses, with its messages beside the fields and nothing sent", async () => {
    const { fred } = await signedIn();
    const answer = await fred.submit("/admin/meetings/new", "/admin/meetings", {
      ...MEETING,
      endTime: "17:00",
      place: "",
      street: "",
      postalCode: "",
      locality: "",
    });
    expect(answer.status).toBe(400);
    // The API's own words: ends before it starts (end), no place.
    expect(answer.text).toContain("the meeting ends before it starts");
    expect(answer.text).toContain("give a place, an online URL (onlineUrl), or both");
    expect(answer.text).toMatch(/id="f-endTime"[^>]*aria-invalid="true"/);
    expect(answer.text).toMatch(/id="f-place"[^>]*aria-invalid="true"/);
    // What was typed stays.
    expect(answer.text).toContain(`value="${MEETING.title}"`);
    const past = await fred.submit("/admin/meetings/new", "/admin/meetings", {
      ...MEETING,
      date: "2026-06-01",
    });
    expect(past.status).toBe(400);
    expect(past.text).toContain("this time has already passed in the meeting&#39;s time zone");
    expect(past.text).toMatch(/id="f-startTime"[^>]*aria-invalid="true"/);
    const badShape = await fred.submit("/admin/meetings/new", "/admin/meetings", {
      ...MEETING,
      date: "24/09/2026",
      startTime: "25:00",
      capacity: "many",
    });
    expect(badShape.status).toBe(400);
    expect(badShape.text).toContain("A date as YYYY-MM-DD");
    expect(badShape.text).toContain("A time as HH:MM");
    expect(badShape.text).toContain("A whole number of places");
    expect(meetings()).toEqual([]);
    expect(sent()).toEqual([]);
  });

  it("are changed, cancelled and deleted, each going out to followers", async () => {
    const { fred, vera } = await signedIn();
    await fred.submit("/admin/meetings/new", "/admin/meetings", MEETING);
    const uuid = meetings()[0]?.uuid ?? "";
    const edit = await fred.get(`/admin/meetings/${uuid}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain('value="18:00"');

    const changed = await fred.submit(`/admin/meetings/${uuid}/edit`, `/admin/meetings/${uuid}`, {
      ...MEETING,
      startTime: "18:30",
      place: "",
      street: "",
      postalCode: "",
      locality: "",
      onlineUrl: "https://visio.example.org/spiral",
      visibility: "followers",
      status: "postponed",
    });
    expect(changed.status, changed.text).toBe(303);
    expect(meetings()[0]?.payload).toMatchObject({
      start: "2026-09-24T18:30",
      onlineUrl: "https://visio.example.org/spiral",
      visibility: "followers",
      status: "postponed",
    });
    expect(meetings()[0]?.payload.place).toBeUndefined();
    // The same form again: nothing changed, nothing sent, said so.
    const same = await fred.submit(`/admin/meetings/${uuid}/edit`, `/admin/meetings/${uuid}`, {
      ...MEETING,
      startTime: "18:30",
      place: "",
      street: "",
      postalCode: "",
      locality: "",
      onlineUrl: "https://visio.example.org/spiral",
      visibility: "followers",
      status: "postponed",
    });
    expect(same.status).toBe(200);
    expect(same.text).toContain("Nothing changed");

    // A viewer may not change a meeting.
    expect((await vera.get(`/admin/meetings/${uuid}/edit`)).status).toBe(403);

    const cancelled = await fred.submit(
      `/admin/meetings/${uuid}/edit`,
      `/admin/meetings/${uuid}/cancel`,
      {},
    );
    expect(cancelled.location).toBe("/admin/calendar?done=cancelled");
    expect(meetings()[0]?.payload.status).toBe("cancelled");

    const confirm = await fred.get(`/admin/meetings/${uuid}/delete`);
    expect(confirm.text).toContain("Delete this meeting?");
    expect(meetings()).toHaveLength(1);
    const deleted = await fred.submit(
      `/admin/meetings/${uuid}/delete`,
      `/admin/meetings/${uuid}/delete`,
      {},
    );
    expect(deleted.location).toBe("/admin/calendar?done=deleted");
    expect(meetings()).toEqual([]);
    expect(sent()).toEqual(["Create", "Update", "Update", "Delete"]);
    expect((await fred.get(`/admin/meetings/${uuid}/edit`)).status).toBe(404);
  });
});
