import { accountActor, createApplication, permissionOfRequest } from "@spiral-network/node/app";
import type { SpiralNode } from "@spiral-network/node/node";
import { ForbiddenError } from "@spiral-network/node/services/errors";
import { afterEach, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  type AdminTestNode,
  addFredAndVera,
  type Browser,
  createGroup,
  signIn,
  startSignedIn,
  VERA,
} from "./browser";

/**
 * The application layer (docs/architecture.md, "The application layer"): the JSON API and the
 * workspace ask the same rule, personal API tokens act as their account, and the workspace works
 * on the territory chosen in its top bar.
 */

const GROUP_FORM = {
  label: "Young people of Bourtzwiller",
  category: "young-people",
  sessionDates: "2026-05-12",
  participants: "12",
  cycle: "0",
};
const GROUP_JSON = {
  label: "Jeunes du centre",
  category: "young-people",
  sessionDates: ["2026-03-10"],
  participants: 8,
  cycle: 1,
};
/** A meeting in ten days (the node's clock is the real one in these tests). */
const meetingJson = (title: string) => {
  const day = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
  return {
    title,
    kind: "homogeneous-group-session" as const,
    start: `${day}T18:00`,
    end: `${day}T20:00`,
    timeZone: "Europe/Paris",
    place: { name: "Maison des associations", locality: "Mulhouse", country: "FR" },
    languages: ["fr"],
  };
};
const SECOND = {
  slug: "secondville",
  name: "Secondville",
  country: "FR",
  languages: ["fr"],
};

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

/** An API request with a bearer token; answers the status and the parsed body. */
async function api(node: SpiralNode, token: string, method: string, path: string, body?: unknown) {
  const response = await node.app.request(`/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  expect(response.status, `${method} ${path}: ${text}`).toBeLessThan(500);
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Creates a personal token on the account page; answers the token shown once. */
async function newToken(browser: Browser, label: string): Promise<string> {
  const answer = await browser.submit("/admin/account", "/admin/account/tokens", { label });
  expect(answer.status, answer.text).toBe(200);
  const token = /(spt_[\w-]{43})/.exec(answer.text)?.[1];
  expect(token, "the new token on the page").toBeDefined();
  return token ?? "";
}

/** Alice (admin, set up Testville), Fred (facilitator), Vera (viewer), each signed in with a token. */
async function everyone() {
  const started = await startSignedIn();
  t = started.t;
  const { fred: fredAccount } = await addFredAndVera(t.node);
  const fred = await signIn(t.node, "fred@example.org");
  const vera = await signIn(t.node, VERA.email);
  return {
    alice: started.admin,
    fred,
    vera,
    fredId: fredAccount.id,
    tokens: {
      alice: await newToken(started.admin, "alice script"),
      fred: await newToken(fred, "fred script"),
      vera: await newToken(vera, "vera script"),
    },
  };
}

describe("one permission rule for the API and the workspace", () => {
  it("maps API requests to the permission they need", () => {
    expect(permissionOfRequest("GET", "/api/v1/territories/x/groups")).toEqual({
      permission: "read",
    });
    expect(permissionOfRequest("POST", "/api/v1/territories/x/groups")).toEqual({
      permission: "edit",
    });
    expect(permissionOfRequest("POST", "/api/v1/territories")).toEqual({
      permission: "manageNode",
    });
    expect(permissionOfRequest("DELETE", "/api/v1/subnetworks/s/members/3")).toEqual({
      permission: "moderate",
      subnetwork: "s",
    });
  });

  it("answers alike through both doors: viewers read, facilitators edit, admins manage", async () => {
    const { alice, fred, vera, tokens, fredId } = await everyone();
    const browsers = { alice, fred, vera };
    t.node.services.subnetworks.create(
      { slug: "youth", name: "Youth", admission: "approval", moderators: [fredId] },
      "test",
    );
    /** Whether the workspace let it through (303 after a form, 200 a page) or refused (403). */
    const allowedIn = (status: number) => {
      expect([200, 303, 400, 403]).toContain(status);
      return status !== 403;
    };
    const cases: Array<{
      name: string;
      viaApi: (token: string) => Promise<number>;
      /** Absent when the workspace has no such write. */
      viaWorkspace?: (browser: Browser) => Promise<number>;
      expected: Record<"alice" | "fred" | "vera", boolean>;
    }> = [
      {
        name: "read the groups",
        viaApi: async (token) =>
          (await api(t.node, token, "GET", "/territories/testville/groups")).status,
        viaWorkspace: async (b) => (await b.get("/admin/groups")).status,
        expected: { alice: true, fred: true, vera: true },
      },
      {
        name: "create a group",
        viaApi: async (token) =>
          (await api(t.node, token, "POST", "/territories/testville/groups", GROUP_JSON)).status,
        // Each browser posts with its own CSRF token, read from a page every role may see.
        viaWorkspace: async (b) =>
          (await b.submit("/admin/account", "/admin/groups", GROUP_FORM)).status,
        expected: { alice: true, fred: true, vera: false },
      },
      {
        // No follower 999: an allowed actor gets past the rule to 404 (the workspace: ?gone).
        name: "approve a follower",
        viaApi: async (token) =>
          (await api(t.node, token, "POST", "/territories/testville/followers/999/approval"))
            .status,
        viaWorkspace: async (b) =>
          (await b.submit("/admin/account", "/admin/network/followers/999/approve", {})).status,
        expected: { alice: true, fred: true, vera: false },
      },
      {
        name: "unfollow",
        viaApi: async (token) =>
          (await api(t.node, token, "DELETE", "/territories/testville/following/999")).status,
        viaWorkspace: async (b) =>
          (await b.submit("/admin/account", "/admin/network/following/999/unfollow", {})).status,
        expected: { alice: true, fred: true, vera: false },
      },
      {
        name: "change the territory's profile",
        viaApi: async (token) =>
          (
            await api(t.node, token, "PATCH", "/territories/testville", {
              manualApproval: true,
            })
          ).status,
        viaWorkspace: async (b) =>
          (
            await b.submit("/admin/account", "/admin/network/approval", {
              manualApproval: "on",
            })
          ).status,
        expected: { alice: true, fred: true, vera: false },
      },
      {
        // The workspace has no meeting form (its calendar only reads): the API alone writes.
        name: "announce a meeting",
        viaApi: async (token) =>
          (
            await api(
              t.node,
              token,
              "POST",
              "/territories/testville/meetings",
              meetingJson(`Session ${token.slice(4, 10)}`),
            )
          ).status,
        expected: { alice: true, fred: true, vera: false },
      },
      {
        // Fred moderates "youth"; no member 999, so an allowed actor gets 404 (or ?done=gone).
        name: "remove a hosted sub-network's member",
        viaApi: async (token) =>
          (await api(t.node, token, "DELETE", "/subnetworks/youth/members/999")).status,
        viaWorkspace: async (b) =>
          (
            await b.submit(
              "/admin/account",
              "/admin/subnetworks/hosted/youth/members/999/remove",
              {},
            )
          ).status,
        expected: { alice: true, fred: true, vera: false },
      },
      {
        name: "change a hosted sub-network",
        viaApi: async (token) =>
          (await api(t.node, token, "PATCH", "/subnetworks/youth", { name: "Youth network" }))
            .status,
        viaWorkspace: async (b) =>
          (
            await b.submit("/admin/account", "/admin/subnetworks/hosted/youth", {
              name: "Youth network",
              admission: "approval",
            })
          ).status,
        expected: { alice: true, fred: false, vera: false },
      },
      {
        name: "leave a joined sub-network",
        viaApi: async (token) =>
          (await api(t.node, token, "DELETE", "/territories/testville/subnetworks/999")).status,
        viaWorkspace: async (b) =>
          (await b.submit("/admin/account", "/admin/subnetworks/joined/999/leave", {})).status,
        expected: { alice: true, fred: true, vera: false },
      },
      {
        name: "manage the node (a new hosted sub-network)",
        viaApi: async (token) =>
          (
            await api(t.node, token, "POST", "/subnetworks", {
              slug: `sub-${token
                .slice(4, 10)
                .toLowerCase()
                .replace(/[^a-z0-9]/g, "x")}`,
              name: "Young people",
            })
          ).status,
        viaWorkspace: async (b) => (await b.get("/admin/subnetworks/new")).status,
        expected: { alice: true, fred: false, vera: false },
      },
      {
        // The API has no account routes: its admin-only write is a new territory.
        name: "admin only (a new territory; the accounts page)",
        viaApi: async (token) =>
          (
            await api(t.node, token, "POST", "/territories", {
              ...SECOND,
              slug: `t-${token
                .slice(4, 10)
                .toLowerCase()
                .replace(/[^a-z0-9]/g, "x")}`,
            })
          ).status,
        viaWorkspace: async (b) => (await b.get("/admin/users")).status,
        expected: { alice: true, fred: false, vera: false },
      },
    ];
    for (const c of cases) {
      for (const who of ["alice", "fred", "vera"] as const) {
        const apiStatus = await c.viaApi(tokens[who]);
        expect([200, 201, 204, 403, 404], `${c.name} as ${who} via the API`).toContain(apiStatus);
        expect(apiStatus !== 403, `${c.name} as ${who} via the API`).toBe(c.expected[who]);
        if (!c.viaWorkspace) continue;
        const workspaceStatus = await c.viaWorkspace(browsers[who]);
        expect(allowedIn(workspaceStatus), `${c.name} as ${who} in the workspace`).toBe(
          c.expected[who],
        );
      }
    }
  });

  it("the application layer itself refuses a viewer's commands and answers its queries", async () => {
    await everyone();
    const services = t.node.services;
    const app = createApplication(services);
    const account = services.users.list().find((u) => u.email === VERA.email);
    expect(account?.role).toBe("viewer");
    if (!account) return;
    const vera = accountActor(account);
    expect(() => app.groups.create(vera, "testville", GROUP_JSON)).toThrow(ForbiddenError);
    expect(() => app.criteria.validate(vera, "testville", [1])).toThrow(ForbiddenError);
    expect(() =>
      app.syntheses.publish(vera, "testville", { start: "2026-01-01", end: "2026-06-01" }, false),
    ).toThrow(ForbiddenError);
    expect(() =>
      app.imports.import(vera, "testville", new Uint8Array(), { codes: "proposed", dryRun: true }),
    ).toThrow(ForbiddenError);
    expect(app.groups.list(vera, "testville")).toEqual([]);
    expect(services.groups.list("testville")).toEqual([]);
  });

  it("meetings, the network, sub-networks and territory profiles go through the layer's rule", async () => {
    await everyone();
    const { services, application: app } = t.node;
    const accounts = services.users.list();
    const actorOf = (email: string) => {
      const account = accounts.find((u) => u.email === email);
      if (!account) throw new Error(`no account ${email}`);
      return accountActor(account, "testville");
    };
    const vera = actorOf(VERA.email);
    const fred = actorOf("fred@example.org");
    // A viewer: refused before anything is written or sent.
    expect(() => app.meetings.create(vera, "testville", meetingJson("Refused"))).toThrow(
      ForbiddenError,
    );
    expect(() => app.territoryProfiles.update(vera, "testville", { manualApproval: true })).toThrow(
      ForbiddenError,
    );
    expect(() => app.network.follow(vera, "testville", "@x@example.org")).toThrow(ForbiddenError);
    expect(() => app.network.unfollow(vera, "testville", 1)).toThrow(ForbiddenError);
    expect(() => app.network.approve(vera, "testville", 1)).toThrow(ForbiddenError);
    expect(() => app.network.remove(vera, "testville", 1)).toThrow(ForbiddenError);
    expect(() => app.network.relay(vera, "testville", 1)).toThrow(ForbiddenError);
    expect(services.meetings.list("testville")).toEqual([]);
    expect(services.territories.get("testville").manualApproval).toBe(false);
    // A facilitator edits, and the audit log names the person; a new territory is the admin's.
    const meeting = app.meetings.create(fred, "testville", meetingJson("Allowed"));
    app.meetings.update(fred, "testville", meeting.uuid, { title: "Renamed" });
    app.territoryProfiles.update(fred, "testville", { manualApproval: true });
    expect(services.territories.get("testville").manualApproval).toBe(true);
    // The profile itself (what the actor shows the network) is the admins'.
    expect(() => app.territoryProfiles.update(fred, "testville", { name: "Renamed" })).toThrow(
      ForbiddenError,
    );
    expect(() => app.meetings.delete(vera, "testville", meeting.uuid)).toThrow(ForbiddenError);
    app.meetings.delete(fred, "testville", meeting.uuid);
    expect(() => app.territoryProfiles.create(fred, { ...SECOND, slug: "by-fred" })).toThrow(
      ForbiddenError,
    );
    await expect(app.network.approve(fred, "testville", 999)).rejects.toThrow(/999|follower/);
    // Sub-networks: hosting is the admin's; members are their moderators' (and admins').
    const alice = actorOf("alice@example.org");
    expect(() => app.subnetworks.create(fred, { slug: "by-fred", name: "No" })).toThrow(
      ForbiddenError,
    );
    app.subnetworks.create(alice, { slug: "energy", name: "Energy" });
    expect(() => app.subnetworks.update(fred, "energy", { name: "Renamed" })).toThrow(
      ForbiddenError,
    );
    expect(() => app.subnetworks.removeMember(fred, "energy", 1)).toThrow(ForbiddenError);
    expect(() => app.subnetworks.approveMember(vera, "energy", 1)).toThrow(ForbiddenError);
    expect(() => app.subnetworks.join(vera, "testville", "@energy@example.org")).toThrow(
      ForbiddenError,
    );
    expect(() => app.subnetworks.leave(vera, "testville", 1)).toThrow(ForbiddenError);
    expect(() => app.subnetworks.share(vera, "testville", 1, { synthesisId: "x" })).toThrow(
      ForbiddenError,
    );
    app.subnetworks.update(alice, "energy", { moderators: [fred.accountId ?? 0] });
    await expect(app.subnetworks.removeMember(fred, "energy", 999)).rejects.toThrow(/999|member/);
    const actions = services.audit
      .recent(50)
      .filter((e) => e.actor === "user:fred@example.org")
      .map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(["meeting.create", "meeting.update", "meeting.delete"]),
    );
    expect(actions).toContain("territory.update");
  });

  it("refuses a viewer's API write with 403 and writes nothing", async () => {
    const { tokens } = await everyone();
    const before = t.node.services.groups.list("testville").length;
    const answer = await api(
      t.node,
      tokens.vera,
      "POST",
      "/territories/testville/groups",
      GROUP_JSON,
    );
    expect(answer.status).toBe(403);
    expect(answer.body.error).toBe("forbidden");
    expect(t.node.services.groups.list("testville")).toHaveLength(before);
  });
});

describe("one set of queries for the API and the workspace", () => {
  it("a personal token of any role reads what the public does not; anonymous callers do not", async () => {
    const { tokens, vera } = await everyone();
    const node = t.node;
    const anonymous = async (path: string) => {
      const response = await node.app.request(`/api/v1${path}`);
      return { status: response.status, body: await response.json() };
    };
    // A category added through the application layer (the audit names the person), and a
    // followers-only meeting: neither is public yet.
    const added = await api(node, tokens.fred, "POST", "/categories", {
      code: "x-tenants",
      en: "Tenants",
      fr: "Locataires",
    });
    expect(added.status).toBe(201);
    expect(node.services.audit.recent(20)).toContainEqual(
      expect.objectContaining({ actor: "user:fred@example.org", action: "category.create" }),
    );
    expect(
      (await api(node, tokens.vera, "POST", "/categories", { ...added.body, code: "x-2" })).status,
    ).toBe(403);
    const meeting = await api(node, tokens.fred, "POST", "/territories/testville/meetings", {
      ...meetingJson("Followers only"),
      visibility: "followers",
    });
    expect(meeting.status).toBe(201);
    const codes = (body: Array<{ code: string }>) => body.map((c) => c.code);
    // A viewer's token sees them, as the workspace does; an anonymous caller does not.
    expect(codes((await api(node, tokens.vera, "GET", "/categories")).body)).toContain("x-tenants");
    expect(codes((await anonymous("/categories")).body)).not.toContain("x-tenants");
    const veraMeetings = await api(node, tokens.vera, "GET", "/territories/testville/meetings");
    expect(veraMeetings.body.map((m: { id: string }) => m.id)).toEqual([meeting.body.id]);
    expect((await anonymous("/territories/testville/meetings")).body).toEqual([]);
    const one = `/territories/testville/meetings/${meeting.body.id}`;
    expect((await api(node, tokens.vera, "GET", one)).status).toBe(200);
    expect((await anonymous(one)).status).toBe(404);
    expect((await vera.get("/admin/calendar")).text).toContain("Followers only");
  });

  it("the layer's queries state their permission: accounts are the admins'", async () => {
    await everyone();
    const { services, application: app } = t.node;
    const actorOf = (email: string) => {
      const account = services.users.list().find((u) => u.email === email);
      if (!account) throw new Error(`no account ${email}`);
      return accountActor(account, "testville");
    };
    expect(() => app.accounts.list(actorOf("fred@example.org"))).toThrow(ForbiddenError);
    expect(() => app.accounts.list(actorOf(VERA.email))).toThrow(ForbiddenError);
    expect(app.accounts.list(actorOf("alice@example.org")).map((u) => u.email)).toContain(
      VERA.email,
    );
    expect(() =>
      app.categories.add(actorOf(VERA.email), { code: "x-no", en: "No", fr: "Non" }),
    ).toThrow(ForbiddenError);
    expect(services.categories.exists("x-no")).toBe(false);
  });
});

describe("personal API tokens", () => {
  it("create, show once, use (the audit log names the person), revoke → 401", async () => {
    const { fred, tokens, fredId } = await everyone();
    // Shown once: the account page lists it by label, never the secret again.
    const page = await fred.get("/admin/account");
    expect(page.text).toContain("fred script");
    expect(page.text).not.toContain(tokens.fred);
    expect(t.node.services.audit.recent(50)).toContainEqual(
      expect.objectContaining({ actor: "user:fred@example.org", action: "api_token.create" }),
    );

    const created = await api(
      t.node,
      tokens.fred,
      "POST",
      "/territories/testville/groups",
      GROUP_JSON,
    );
    expect(created.status).toBe(201);
    const [entry] = t.node.services.audit.recent(1);
    expect(entry).toMatchObject({ actor: "user:fred@example.org", action: "group.create" });
    const [row] = t.node.services.apiTokens.listFor(fredId);
    expect(row?.lastUsedAt).not.toBeNull();

    // Revoked from the account page: the API answers 401 from then on.
    const revoke = await fred.submit(
      "/admin/account",
      `/admin/account/tokens/${row?.id}/revoke`,
      {},
    );
    expect(revoke.status).toBe(303);
    expect((await fred.get("/admin/account")).text).toContain("revoked");
    const after = await api(t.node, tokens.fred, "GET", "/territories/testville/groups");
    expect(after.status).toBe(401);
  });

  it("acts with the account's current role, and stops when the account is disabled", async () => {
    const { tokens, fredId } = await everyone();
    t.node.services.users.changeRole(fredId, "viewer", "test");
    const write = await api(
      t.node,
      tokens.fred,
      "POST",
      "/territories/testville/groups",
      GROUP_JSON,
    );
    expect(write.status).toBe(403);
    t.node.services.users.disable(fredId, "test");
    expect((await api(t.node, tokens.fred, "GET", "/territories/testville/groups")).status).toBe(
      401,
    );
  });

  it("cannot revoke someone else's token; the legacy admin token still works as 'admin'", async () => {
    const { vera, fredId, tokens } = await everyone();
    const [fredsToken] = t.node.services.apiTokens.listFor(fredId);
    const answer = await vera.submit(
      "/admin/account",
      `/admin/account/tokens/${fredsToken?.id}/revoke`,
      {},
    );
    expect(answer.status).toBe(404);
    expect((await api(t.node, tokens.fred, "GET", "/territories/testville/groups")).status).toBe(
      200,
    );
    const legacy = await api(
      t.node,
      ADMIN_TOKEN,
      "POST",
      "/territories/testville/groups",
      GROUP_JSON,
    );
    expect(legacy.status).toBe(201);
    expect(t.node.services.audit.recent(1)[0]).toMatchObject({ actor: "admin" });
  });

  it("refuses an empty label (400) and a token that is not one (401)", async () => {
    const { fred } = await everyone();
    const answer = await fred.submit("/admin/account", "/admin/account/tokens", { label: " " });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("Say what the token is for");
    const forged = await api(
      t.node,
      `spt_${"A".repeat(43)}`,
      "GET",
      "/territories/testville/groups",
    );
    expect(forged.status).toBe(401);
  });
});

describe("switching territories in the workspace", () => {
  it("shows and edits the second territory once chosen; accounts are per node", async () => {
    const { fred } = await everyone();
    expect((await api(t.node, ADMIN_TOKEN, "POST", "/territories", SECOND)).status).toBe(201);
    const first = await api(
      t.node,
      ADMIN_TOKEN,
      "POST",
      "/territories/testville/groups",
      GROUP_JSON,
    );
    expect(first.status).toBe(201);
    expect((await fred.get(`/admin/groups/${first.body.id}/criteria`)).status).toBe(200);
    // The switcher lists both; the workspace starts on the first.
    const home = await fred.get("/admin");
    expect(home.text).toContain('action="/admin/territory"');
    expect(home.text).toMatch(/<option value="testville" selected[^>]*>Testville/);
    const switched = await fred.submit("/admin", "/admin/territory", {
      territory: "secondville",
      back: "/admin/groups",
    });
    expect(switched.status).toBe(303);
    expect(switched.location).toBe("/admin/groups");
    expect((await fred.get("/admin")).text).toMatch(
      /<option value="secondville" selected[^>]*>Secondville/,
    );
    // Every page is scoped to it: the first territory's group is not found from here.
    expect((await fred.get(`/admin/groups/${first.body.id}/criteria`)).status).toBe(404);
    const id = await createGroup(fred, GROUP_FORM);
    expect(t.node.services.groups.list("secondville").map((g) => g.id)).toEqual([id]);
    expect(t.node.services.groups.list("testville").map((g) => g.id)).toEqual([first.body.id]);
    const groups = (await fred.get("/admin/groups")).text;
    expect(groups).toContain(GROUP_FORM.label);
    expect(groups).not.toContain(GROUP_JSON.label);
  });

  it("refuses a territory the node does not host, and never redirects outside", async () => {
    const { fred } = await everyone();
    const unknown = await fred.submit("/admin", "/admin/territory", { territory: "elsewhere" });
    expect(unknown.status).toBe(400);
    const outside = await fred.submit("/admin", "/admin/territory", {
      territory: "testville",
      back: "https://evil.example/",
    });
    expect(outside.location).toBe("/admin");
  });
});

describe("the figures query", () => {
  it("the synthesis page counts what publishing would count (one query)", async () => {
    const { alice } = await everyone();
    await createGroup(alice, GROUP_FORM);
    const group = t.node.services.groups.list("testville")[0];
    expect(group).toBeDefined();
    const app = t.node.services;
    const added = app.criteria.add(
      "testville",
      group?.id ?? 0,
      [
        { question: "Q1", text: "a", code: "A01" },
        { question: "Q1", text: "b", code: "A01" },
        { question: "Q2", text: "c", code: "B02" },
      ],
      "test",
    );
    app.criteria.validate(
      "testville",
      added.map((c) => c.id),
      "test",
    );
    const period = { start: "2026-01-01", end: "2026-12-31" };
    const figures = app.syntheses.figures("testville", period);
    const preview = app.syntheses.preview("testville", period);
    expect(figures.groups).toHaveLength(preview.groupsCounted);
    const counted = figures.groups.flatMap((g) => g.counts).reduce((n, c) => n + c.count, 0);
    expect(counted).toBe(3);
    const page = await alice.get("/admin/synthesis?start=2026-01-01&end=2026-12-31");
    expect(page.status).toBe(200);
  });
});
