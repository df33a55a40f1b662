import { afterEach, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  type AdminTestNode,
  addFredAndVera,
  signInFredAndVera,
  startSignedIn,
} from "./browser";

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

const PROFILE = {
  name: "Testville and around",
  description: "Three districts north of the river.",
  languages: "fr, de",
  region: "FR-GES",
  link_label_1: "Website",
  link_url_1: "https://testville.example.org/spiral",
};

describe("the territory's profile", () => {
  it("is edited by an admin, and the actor the network reads shows it", async () => {
    const { t: started, admin } = await startSignedIn();
    t = started;
    const home = await admin.get("/admin");
    expect(home.text).toContain('href="/admin/territory/profile"');
    const form = await admin.get("/admin/territory/profile");
    expect(form.text).toContain('value="Testville"');
    const saved = await admin.submit(
      "/admin/territory/profile",
      "/admin/territory/profile",
      PROFILE,
    );
    expect(saved.status, saved.text).toBe(303);
    expect(t.node.services.territories.get("testville")).toMatchObject({
      name: "Testville and around",
      description: "Three districts north of the river.",
      languages: ["fr", "de"],
      region: "FR-GES",
      links: [{ label: "Website", url: "https://testville.example.org/spiral" }],
    });
    const actor = await t.node.app.request("/actors/testville", {
      headers: { accept: "application/activity+json" },
    });
    const json = (await actor.json()) as {
      name: string;
      summary?: string;
      attachment: Array<{ name: string; value: string }>;
    };
    expect(json.name).toBe("Testville and around");
    expect(json.attachment).toContainEqual(
      expect.objectContaining({
        name: "Website",
        value: expect.stringContaining('href="https://testville.example.org/spiral"'),
      }),
    );
    // Emptied, the description and the region are cleared.
    await admin.submit("/admin/territory/profile", "/admin/territory/profile", {
      ...PROFILE,
      description: "",
      region: "",
      link_label_1: "",
      link_url_1: "",
    });
    expect(t.node.services.territories.get("testville")).toMatchObject({
      description: null,
      region: null,
      links: [],
    });
  });

  it("refuses bad fields beside them, and is not offered to facilitators", async () => {
    const started = await startSignedIn();
    t = started.t;
    const { fred: fredAccount } = await addFredAndVera(t.node);
    const { fred } = await signInFredAndVera(t.node);
    const bad = await started.admin.submit("/admin/territory/profile", "/admin/territory/profile", {
      ...PROFILE,
      name: "",
      languages: "français",
      link_label_1: "",
      link_url_1: "ftp://x",
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('<a href="#f-name">1 to 200 characters.</a>');
    expect(bad.text).toMatch(/id="f-languages"[^>]*aria-invalid="true"/);
    expect(bad.text).toContain("Give the link a name");
    expect(bad.text).toContain("A web address starting with https://");
    expect(t.node.services.territories.get("testville").name).toBe("Testville");
    expect((await fred.get("/admin/territory/profile")).status).toBe(403);
    // The API's rule is the same: a facilitator's token may not change the profile either.
    const patch = (token: string) =>
      t.node.app.request("/api/v1/territories/testville", {
        method: "PATCH",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ description: null }),
      });
    const fredToken = t.node.services.apiTokens.create(fredAccount.id, "script", "test").token;
    expect((await patch(fredToken)).status).toBe(403);
    expect((await patch(ADMIN_TOKEN)).status).toBe(200);
  });
});
