import { afterEach, describe, expect, it } from "vitest";
import {
  type AdminTestNode,
  addFredAndVera,
  type Browser,
  csrfOf,
  FRED,
  PASSWORD,
  signIn,
  startSignedIn,
  VERA,
} from "./browser";

const NEW_PASSWORD = "a brand new sentence to remember";

let t: AdminTestNode;
afterEach(async () => {
  await t?.close();
});

/** A node set up through the browser: Alice (admin), Fred (facilitator) twice, Vera (viewer). */
async function signedIn() {
  const started = await startSignedIn();
  t = started.t;
  const admin = started.admin;
  const { fred } = await addFredAndVera(t.node);
  const fredHere = await signIn(t.node, FRED.email);
  const fredElsewhere = await signIn(t.node, FRED.email);
  const vera = await signIn(t.node, VERA.email);
  return { admin, fredHere, fredElsewhere, vera, fredId: fred.id };
}

/** Whether a browser's session is still open (a closed one is sent to the login page). */
const isSignedIn = async (b: Browser) => (await b.get("/admin/account")).status === 200;

/** Signs in a fresh browser; answers the status (303 signed in, 401 refused). */
const loginStatus = async (email: string, password: string) => {
  const b = t.browser();
  return (await b.submit("/admin/login", "/admin/login", { email, password })).status;
};

const changeOwn = (b: Browser, form: Record<string, string>) =>
  b.submit("/admin/account", "/admin/account/password", form);

describe("my account: changing one's own password", () => {
  it("changes it: the old one no longer signs in, the new one does, other sessions end", async () => {
    const { fredHere, fredElsewhere } = await signedIn();
    const page = await fredHere.get("/admin/account");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Signed in as Fred (fred@example.org), Facilitator.");
    for (const label of ["Current password", "New password", "New password again"]) {
      expect(page.text).toContain(`>${label}</label>`);
    }
    const answer = await changeOwn(fredHere, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      newPasswordConfirm: NEW_PASSWORD,
    });
    expect(answer.status, answer.text).toBe(303);
    expect(answer.location).toBe("/admin/account?changed");
    const after = await fredHere.get("/admin/account?changed");
    expect(after.status).toBe(200);
    expect(after.text).toContain("Your password has changed.");
    expect(await isSignedIn(fredElsewhere)).toBe(false);
    expect(await loginStatus("fred@example.org", PASSWORD)).toBe(401);
    expect(await loginStatus("fred@example.org", NEW_PASSWORD)).toBe(303);
    const [entry] = t.node.services.audit.recent(1);
    expect(entry).toMatchObject({ actor: "user:fred@example.org", action: "user.password" });
  });

  it("refuses a wrong current password (400, field error) and changes nothing", async () => {
    const { fredHere, fredElsewhere } = await signedIn();
    const answer = await changeOwn(fredHere, {
      currentPassword: "not my password at all",
      newPassword: NEW_PASSWORD,
      newPasswordConfirm: NEW_PASSWORD,
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("This is not your current password.");
    expect(answer.text).toMatch(/id="f-currentPassword"[^>]*aria-invalid="true"/);
    expect(await isSignedIn(fredElsewhere)).toBe(true);
    expect(await loginStatus("fred@example.org", NEW_PASSWORD)).toBe(401);
    expect(await loginStatus("fred@example.org", PASSWORD)).toBe(303);
  });

  it("refuses a short or mistyped new password with field errors (400)", async () => {
    const { fredHere } = await signedIn();
    const short = await changeOwn(fredHere, {
      currentPassword: PASSWORD,
      newPassword: "short",
      newPasswordConfirm: "short",
    });
    expect(short.status).toBe(400);
    expect(short.text).toContain("At least 12 characters.");
    const mismatch = await changeOwn(fredHere, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      newPasswordConfirm: `${NEW_PASSWORD}!`,
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain("The two passwords differ.");
    expect(await loginStatus("fred@example.org", PASSWORD)).toBe(303);
  });

  it("lets a viewer change their own password too, in French", async () => {
    const { vera } = await signedIn();
    await vera.get("/admin/lang/fr");
    const page = await vera.get("/admin/account");
    expect(page.text).toContain("Changer mon mot de passe");
    const answer = await changeOwn(vera, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      newPasswordConfirm: NEW_PASSWORD,
    });
    expect(answer.status).toBe(303);
    expect(await loginStatus("vera@example.org", NEW_PASSWORD)).toBe(303);
  });

  it("refuses the form without its CSRF token (403)", async () => {
    const { fredHere } = await signedIn();
    const answer = await fredHere.post("/admin/account/password", {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      newPasswordConfirm: NEW_PASSWORD,
    });
    expect(answer.status).toBe(403);
    expect(await loginStatus("fred@example.org", PASSWORD)).toBe(303);
  });
});

describe("users: an admin resets someone's password", () => {
  it("sets the password the admin types and ends that person's sessions", async () => {
    const { admin, fredHere, fredElsewhere, fredId } = await signedIn();
    const page = await admin.get("/admin/users");
    expect(page.text).toContain(`action="/admin/users/${fredId}/password"`);
    expect(page.text).toContain(`<label for="f-reset-${fredId}"`);
    expect(page.text).toContain("New password for Fred");
    const answer = await admin.post(`/admin/users/${fredId}/password`, {
      _csrf: csrfOf(page.text),
      password: NEW_PASSWORD,
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.text).toContain("The password of fred@example.org has changed");
    expect(await isSignedIn(fredHere)).toBe(false);
    expect(await isSignedIn(fredElsewhere)).toBe(false);
    expect(await isSignedIn(admin)).toBe(true);
    expect(await loginStatus("fred@example.org", PASSWORD)).toBe(401);
    expect(await loginStatus("fred@example.org", NEW_PASSWORD)).toBe(303);
    const [entry] = t.node.services.audit.recent(1);
    expect(entry).toMatchObject({
      actor: "user:alice@example.org",
      action: "user.passwordReset",
      subject: `user:${fredId}`,
    });
  });

  it("refuses a short password next to that person's form (400), changing nothing", async () => {
    const { admin, fredHere, fredId } = await signedIn();
    const page = await admin.get("/admin/users");
    const answer = await admin.post(`/admin/users/${fredId}/password`, {
      _csrf: csrfOf(page.text),
      password: "short",
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("The password of Fred was not changed: At least 12 characters.");
    expect(answer.text).toMatch(new RegExp(`id="f-reset-${fredId}"[^>]*aria-invalid="true"`));
    expect(await isSignedIn(fredHere)).toBe(true);
    expect(await loginStatus("fred@example.org", PASSWORD)).toBe(303);
  });

  it("is for admins only (403), refuses a missing CSRF token (403), 404 for nobody", async () => {
    const { admin, fredHere, vera, fredId } = await signedIn();
    const veraId = t.node.services.users.list().find((u) => u.email === "vera@example.org")?.id;
    const fredPage = await fredHere.get("/admin/account");
    const byFacilitator = await fredHere.post(`/admin/users/${veraId}/password`, {
      _csrf: csrfOf(fredPage.text),
      password: NEW_PASSWORD,
    });
    expect(byFacilitator.status).toBe(403);
    const veraPage = await vera.get("/admin/account");
    const byViewer = await vera.post(`/admin/users/${fredId}/password`, {
      _csrf: csrfOf(veraPage.text),
      password: NEW_PASSWORD,
    });
    expect(byViewer.status).toBe(403);
    const noToken = await admin.post(`/admin/users/${fredId}/password`, {
      password: NEW_PASSWORD,
    });
    expect(noToken.status).toBe(403);
    const adminPage = await admin.get("/admin/users");
    const nobody = await admin.post("/admin/users/9999/password", {
      _csrf: csrfOf(adminPage.text),
      password: NEW_PASSWORD,
    });
    expect(nobody.status).toBe(404);
    expect(await loginStatus("vera@example.org", PASSWORD)).toBe(303);
    expect(await loginStatus("fred@example.org", PASSWORD)).toBe(303);
  });
});
