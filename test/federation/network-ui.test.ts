import { readFileSync } from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Browser, csrfOf, PASSWORD } from "../admin/browser";
import { waitFor } from "../support/wait";
import { type Peer, startPeer } from "./harness";

// The workspace's follow preview by handle (@slug@host): WebFinger over https only, so both nodes
// serve https with the self-signed fixture certificate, which this test process trusts.
const certificate = readFileSync(
  path.join(import.meta.dirname, "../fixtures/tls/localhost-cert.pem"),
  "utf8",
);

let namur: Peer;
let lisbon: Peer;
let facilitator: Browser;
beforeAll(async () => {
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), certificate]);
  [namur, lisbon] = await Promise.all([
    startPeer(
      {
        slug: "namur",
        name: "Namur",
        country: "BE",
        description: "Ville de Namur & ses quartiers",
      },
      { tls: true },
    ),
    startPeer({ slug: "lisboa", name: "Lisboa", country: "PT" }, { tls: true }),
  ]);
  await lisbon.node.services.users.create(
    { email: "ana@lisboa.example.org", name: "Ana", password: PASSWORD, role: "facilitator" },
    "test",
  );
  facilitator = new Browser(lisbon.node);
  await facilitator.login("ana@lisboa.example.org");
}, 60_000);
afterAll(async () => {
  await Promise.all([namur, lisbon].map((p) => p?.close()));
});

const preview = (target: string) =>
  facilitator.get(`/admin/network/preview?target=${encodeURIComponent(target)}`);

it("previews a territory by its handle, then follows it from the preview", async () => {
  const handle = `@namur@${new URL(namur.url).host}`;
  const page = await preview(handle);
  expect(page.status, page.text).toBe(200);
  expect(page.text).toContain('<h2 id="preview-heading">Namur</h2>');
  expect(page.text).toContain(`<dd>${handle}</dd>`);
  // The description arrives as HTML and is shown as text (escaped once, no markup).
  expect(page.text).toContain("<dd>Ville de Namur &amp; ses quartiers</dd>");
  expect(page.text).toContain(`name="target" value="${namur.actorUrl}"`);

  const sent = await facilitator.post("/admin/network/follow", {
    _csrf: csrfOf(page.text),
    target: namur.actorUrl,
  });
  expect(sent.status, sent.text).toBe(303);
  await waitFor(
    () => lisbon.node.services.follows.following("lisboa")[0]?.state === "accepted",
    "namur to accept",
  );
  const list = await facilitator.get("/admin/network");
  expect(list.text).toContain(handle);
  expect(list.text).toContain(">accepted<");
});

it("a handle nobody serves gets a clear message and a 502, not a server error", async () => {
  const response = await lisbon.node.app.request(
    `/admin/network/preview?target=${encodeURIComponent(`@nobody@${new URL(namur.url).host}`)}`,
    {
      headers: {
        cookie: [...facilitator.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
      },
    },
  );
  expect(response.status).toBe(502);
  expect(await response.text()).toContain("Nothing that can be followed was found");
});
