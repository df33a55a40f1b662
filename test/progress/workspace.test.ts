import { encode } from "uqr";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AdminTestNode,
  addUser,
  PASSWORD,
  signIn,
  startSignedIn,
  VERA,
} from "../admin/browser";

// The workspace's paths of progress and campaigns, and the public answer page, through HTTP.

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

const statementForm = (code: string) =>
  Object.fromEntries(
    [1, 2, 3, 4, 5].flatMap((level) => [
      [`s${level}.fr`, `${code} niveau ${level}`],
      [`s${level}.en`, `${code} level ${level}`],
    ]),
  );

/** Signs in, writes a path on A01 and starts a campaign on it; answers its address. */
async function campaignThroughWorkspace() {
  const started = await startSignedIn();
  t = started.t;
  const admin = started.admin;
  const form = await admin.get("/admin/progress/paths/new?code=A01");
  expect(form.status, form.text).toBe(200);
  expect(form.text).toContain("Validated criteria on A01");
  const unconfirmed = await admin.submit(
    "/admin/progress/paths/new?code=A01",
    "/admin/progress/paths/new",
    {
      code: "A01",
      ...statementForm("A01"),
    },
  );
  expect(unconfirmed.status).toBe(303);
  const path = unconfirmed.location?.split("/").pop()?.split("?")[0] as string;
  const confirmed = await admin.submit(
    `/admin/progress/paths/${path}`,
    `/admin/progress/paths/${path}`,
    {
      code: "A01",
      ...statementForm("A01"),
      confirmedPublic: "yes",
    },
  );
  expect(confirmed.status).toBe(303);
  const created = await admin.submit(
    "/admin/progress/campaigns/new",
    "/admin/progress/campaigns/new",
    {
      label: "Printemps",
      start: "2026-06-01",
      end: "2026-06-30",
      cycle: "1",
      phase: "ex-ante",
      paths: path,
      askCategory: "yes",
    },
  );
  expect(created.status, created.text).toBe(303);
  const campaign = created.location?.split("/").pop()?.split("?")[0] as string;
  return { admin, path, campaign };
}

const codesOf = (html: string) =>
  [...html.matchAll(/<code>([A-Z0-9]{5}-[A-Z0-9]{5})<\/code>/g)].map((m) => m[1] as string);

describe("paths and campaigns in the workspace", () => {
  it("writes a path and starts a campaign on it; a campaign without a path is refused beside its field", async () => {
    const { admin, campaign } = await campaignThroughWorkspace();
    const home = await admin.get("/admin/progress");
    expect(home.text).toContain("ready for a campaign");
    expect(home.text).toContain(`data-campaign="${campaign}"`);
    // A campaign with no path is refused beside its field, nothing written.
    const refused = await admin.submit(
      "/admin/progress/campaigns/new",
      "/admin/progress/campaigns/new",
      {
        label: "Vide",
        start: "2026-06-01",
        end: "2026-06-30",
        cycle: "1",
        phase: "ex-ante",
      },
    );
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("pick at least one path");
  });

  it("prints codes, takes one answer per code on the public page, and refuses reused and forged codes alike", async () => {
    const { admin, campaign } = await campaignThroughWorkspace();
    const sheet = await admin.submit(
      `/admin/progress/campaigns/${campaign}`,
      `/admin/progress/campaigns/${campaign}/codes`,
      {
        count: "6",
      },
    );
    const codes = codesOf(sheet.text);
    expect(codes).toHaveLength(6);
    // Each slip's QR code holds the answer page's address with its code: scanned, the form opens
    // with the code filled in.
    const link = `http://node.test/survey/${campaign}?code=${codes[0]}`;
    const drawn = /<path d="([^"]+)" fill="#000"/.exec(sheet.text)?.[1] as string;
    const dark = new Set(
      [...drawn.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map(
        (m) => `${Number(m[1]) - 4},${Number(m[2]) - 4}`,
      ),
    );
    const expected = encode(link, { ecc: "M", border: 0 }).data.flatMap((row, y) =>
      row.flatMap((on, x) => (on ? [`${x},${y}`] : [])),
    );
    expect(dark).toEqual(new Set(expected));
    const prefilled = await t.browser().get(`/survey/${campaign}?code=${codes[0]}`);
    expect(prefilled.text).toContain(`value="${codes[0]}"`);
    const visitor = t.browser(undefined, "203.0.113.7");
    const survey = await visitor.get(`/survey/${campaign}`);
    expect(survey.status).toBe(200);
    expect(survey.text).not.toContain("<script");
    const versionField = /name="(p\d+)"/.exec(survey.text)?.[1] as string;
    const answered = await visitor.post(`/survey/${campaign}`, {
      code: codes[0] as string,
      [versionField]: "4",
      category: "women",
    });
    expect(answered.status).toBe(200);
    expect(answered.text).toContain("your answers are recorded");
    const reused = await visitor.post(`/survey/${campaign}`, {
      code: codes[0] as string,
      [versionField]: "2",
    });
    const forged = await visitor.post(`/survey/${campaign}`, {
      code: "ZZZZZ-ZZZZZ",
      [versionField]: "2",
    });
    expect(reused.status).toBe(409);
    expect(forged.status).toBe(409);
    const message = (html: string) => /<p[^>]*id="outcome"[^>]*>([^<]+)</.exec(html)?.[1];
    expect(message(reused.text)).toBe(message(forged.text));
    expect(message(reused.text)).toContain("This code cannot be used");
    for (const code of codes.slice(1)) {
      const ok = await visitor.post(`/survey/${campaign}`, {
        code: code.toLowerCase(),
        [versionField]: "5",
      });
      expect(ok.status).toBe(200);
    }
    const page = await admin.get(`/admin/progress/campaigns/${campaign}`);
    expect(page.text).toContain("6 respondents.");
    expect(page.text).toContain("6 codes printed, 6 used.");
    expect(page.text).toContain("100\u00a0% at good or ideal (4–5)");
  });

  it("throttles an address after repeated refused codes", async () => {
    const { campaign } = await campaignThroughWorkspace();
    const visitor = t.browser(undefined, "198.51.100.9");
    let last = 0;
    for (let i = 0; i < 12; i++) {
      last = (
        await visitor.post(`/survey/${campaign}`, {
          code: `AAAAA-AAA${String(i).padStart(2, "2")}`,
        })
      ).status;
    }
    expect(last).toBe(429);
    // Another address is not held back.
    const other = t.browser(undefined, "198.51.100.10");
    expect((await other.post(`/survey/${campaign}`, { code: "AAAAA-AAAAA" })).status).toBe(409);
  });

  it("types in paper answers, publishes once k respondents answered, and lets a viewer read but not write", async () => {
    const { admin, campaign } = await campaignThroughWorkspace();
    const page = await admin.get(`/admin/progress/campaigns/${campaign}`);
    const field = /name="(p\d+)"/.exec(page.text)?.[1] as string;
    for (let i = 0; i < 5; i++) {
      const paper = await admin.submit(
        `/admin/progress/campaigns/${campaign}`,
        `/admin/progress/campaigns/${campaign}/paper`,
        {
          [field]: String(1 + i),
        },
      );
      expect(paper.status).toBe(303);
    }
    const ready = await admin.get(`/admin/progress/campaigns/${campaign}`);
    expect(ready.text).toContain("Publish version 1");
    const published = await admin.submit(
      `/admin/progress/campaigns/${campaign}`,
      `/admin/progress/campaigns/${campaign}/publish`,
      {},
    );
    expect(published.status).toBe(303);
    const publicPage = await t.browser().get(`/progress/${campaign}`);
    expect(publicPage.status).toBe(200);
    expect(publicPage.text).toContain("A01 level 1");
    await addUser(t.node, VERA);
    const vera = await signIn(t.node, VERA.email, PASSWORD);
    expect((await vera.get(`/admin/progress/campaigns/${campaign}`)).status).toBe(200);
    expect((await vera.get("/admin/progress/campaigns/new")).status).toBe(403);
    expect(
      (
        await vera.submit(
          `/admin/progress/campaigns/${campaign}`,
          `/admin/progress/campaigns/${campaign}/withdrawal`,
          { confirm: "yes" },
        )
      ).status,
    ).toBe(403);
    // Withdrawing asks for a confirmation, then takes the public page away.
    const after = await admin.get(`/admin/progress/campaigns/${campaign}`);
    expect(after.text).toContain("Withdraw the published progress");
    const unconfirmed = await admin.submit(
      `/admin/progress/campaigns/${campaign}`,
      `/admin/progress/campaigns/${campaign}/withdrawal`,
      {},
    );
    expect(unconfirmed.status).toBe(400);
    expect((await t.browser().get(`/progress/${campaign}`)).status).toBe(200);
    const withdrawn = await admin.submit(
      `/admin/progress/campaigns/${campaign}`,
      `/admin/progress/campaigns/${campaign}/withdrawal`,
      { confirm: "yes" },
    );
    expect(withdrawn.status).toBe(303);
    const notice = await admin.get(withdrawn.headers.get("location") as string);
    expect(notice.text).toContain("The published progress is withdrawn");
    expect(notice.text).not.toContain("Withdraw the published progress");
    expect((await t.browser().get(`/progress/${campaign}`)).status).toBe(410);
  });
});
