import { afterEach, describe, expect, it } from "vitest";
import { type AdminTestNode, startSignedIn } from "./browser";

let t: AdminTestNode | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

// A node started without ALLOW_PRIVATE_ADDRESSES refuses to contact loopback and private
// addresses (Fedify's protection); the workspace must say so, not "unreachable".
describe("following a private address on a public node", () => {
  it("explains the refusal and how a local demo network allows it (en, fr), 400", async () => {
    const started = await startSignedIn();
    t = started.t;
    for (const target of ["http://localhost:9/actors/porto", "http://192.168.1.20/actors/porto"]) {
      const preview = await started.admin.get(
        `/admin/network/preview?target=${encodeURIComponent(target)}`,
      );
      expect(preview.status, preview.text.slice(0, 300)).toBe(400);
      expect(preview.text).toContain("ALLOW_PRIVATE_ADDRESSES=true");
      expect(preview.text).not.toContain("Nothing that can be followed");
      const follow = await started.admin.submit("/admin/network", "/admin/network/follow", {
        target,
      });
      expect(follow.status).toBe(400);
      expect(follow.text).toContain("private network");
    }
    const french = started.t.browser({ "accept-language": "fr" });
    for (const [name, value] of started.admin.cookies) french.cookies.set(name, value);
    const page = await french.get(
      `/admin/network/preview?target=${encodeURIComponent("http://localhost:9/actors/x")}`,
    );
    expect(page.text).toContain("réseau privé");
  });
});
