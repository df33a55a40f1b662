import http from "node:http";
import type { AddressInfo } from "node:net";
import { guardDeliveries } from "@spiral-network/node/federation/delivery-guard";
import {
  addressKind,
  createContextLoader,
  createDocumentLoader,
  DEFAULT_OUTBOUND_LIMITS,
  guardedGet,
  type OutboundPolicy,
  RemoteContextRefused,
  signedBy,
} from "@spiral-network/node/federation/outbound";
import { afterEach, describe, expect, it } from "vitest";

// The guarded client on its own: names that resolve to private addresses, bodies that never
// end, peers that trickle, redirects, and the context loader that fetches nothing.

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(
  handler: http.RequestListener,
): Promise<{ port: number; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { port, url: `http://127.0.0.1:${port}`, requests };
}

const policy = (overrides: Partial<OutboundPolicy> = {}): OutboundPolicy => ({
  ...DEFAULT_OUTBOUND_LIMITS,
  allowPrivateAddress: true,
  userAgent: "test",
  ...overrides,
});

/** "peer.test" resolves to loopback (a host that was public when its follow was recorded). */
const rebound = async (host: string) => (host === "peer.test" ? ["127.0.0.1"] : ["93.184.215.14"]);

describe("addresses", () => {
  it("classifies literals, localhost and resolved names", async () => {
    for (const url of [
      "http://127.0.0.1/",
      "http://[::1]/",
      "http://10.1.2.3/",
      "http://192.168.1.20/",
      "http://172.16.0.1/",
      "http://169.254.169.254/latest/meta-data",
      "http://[::ffff:127.0.0.1]/",
      "http://[fd00::1]/",
      "http://localhost:8080/",
      "http://0.0.0.0/",
    ]) {
      expect(await addressKind(new URL(url), rebound), url).toBe("private");
    }
    expect(await addressKind(new URL("https://93.184.215.14/"), rebound)).toBe("public");
    expect(await addressKind(new URL("https://peer.test/"), rebound)).toBe("private");
    expect(await addressKind(new URL("https://other.test/"), rebound)).toBe("public");
    const nowhere = async () => {
      throw new Error("ENOTFOUND");
    };
    expect(await addressKind(new URL("https://nowhere.test/"), nowhere)).toBe("unresolved");
  });
});

describe("guardedGet", () => {
  it("refuses a name that resolves to a private address, on the connection itself", async () => {
    const server = await serve((_, res) => res.end("{}"));
    const attempt = guardedGet(
      new URL(`http://peer.test:${server.port}/actors/a`),
      { accept: "application/activity+json" },
      policy({ allowPrivateAddress: false, resolve: rebound }),
    );
    await expect(attempt).rejects.toMatchObject({ name: "OutboundError", kind: "private" });
    expect(server.requests).toEqual([]);
  });

  it("stops reading a body that never ends at the size limit", async () => {
    const server = await serve((_, res) => {
      res.writeHead(200, { "content-type": "application/activity+json" });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (res.write(chunk)) {}
      };
      res.on("drain", pump);
      pump();
    });
    const started = Date.now();
    await expect(
      guardedGet(
        new URL(`${server.url}/stream`),
        { accept: "*/*" },
        policy({ maxBytes: 256 * 1024 }),
      ),
    ).rejects.toMatchObject({
      kind: "too-large",
      message: expect.stringMatching(/256 KiB|262144 bytes/),
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("times out a peer that trickles its answer, whatever it has sent so far", async () => {
    const server = await serve((_, res) => {
      res.writeHead(200, { "content-type": "application/activity+json" });
      const timer = setInterval(() => res.write(" "), 50);
      res.on("close", () => clearInterval(timer));
    });
    const started = Date.now();
    await expect(
      guardedGet(new URL(`${server.url}/slow`), { accept: "*/*" }, policy({ timeoutMs: 300 })),
    ).rejects.toMatchObject({ kind: "timeout", message: expect.stringMatching(/within 0\.3 s/) });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("follows a bounded number of redirects", async () => {
    const server = await serve((req, res) => res.writeHead(302, { location: `${req.url}x` }).end());
    await expect(
      guardedGet(new URL(`${server.url}/r`), { accept: "*/*" }, policy()),
    ).rejects.toThrow(/more than 5 redirects/);
    expect(server.requests).toHaveLength(6);
  });
});

describe("loaders", () => {
  it("the context loader serves the well-known contexts and fetches nothing else", async () => {
    const loader = createContextLoader();
    const known = await loader("https://www.w3.org/ns/activitystreams");
    expect(known.document).toHaveProperty("@context");
    await expect(loader("https://example.org/ns")).rejects.toBeInstanceOf(RemoteContextRefused);
  });

  it("the authenticated loader signs its GETs (servers that require signed fetches)", async () => {
    const seen: Array<string | undefined> = [];
    const server = await serve((req, res) => {
      seen.push(req.headers.signature as string | undefined);
      res.writeHead(200, { "content-type": "application/activity+json" }).end('{"id":"x"}');
    });
    const { privateKey } = (await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const keyId = new URL("https://spiral.example.org/actors/a#main-key");
    const loader = createDocumentLoader(policy(), signedBy({ keyId, privateKey }));
    await expect(loader(`${server.url}/actors/b`)).resolves.toMatchObject({
      document: { id: "x" },
    });
    expect(seen[0]).toContain(`keyId="${keyId.href}"`);
  });

  it("the document loader refuses what is not JSON", async () => {
    const server = await serve((_, res) =>
      res.writeHead(200, { "content-type": "text/plain" }).end("hello"),
    );
    await expect(createDocumentLoader(policy())(`${server.url}/x`)).rejects.toThrow(/not JSON/);
  });
});

describe("the delivery guard", () => {
  it("drops an outbox task whose inbox now resolves to a private address, at send time", async () => {
    const handled: unknown[] = [];
    const refused: string[] = [];
    let listener: ((message: unknown) => Promise<void> | void) | undefined;
    const queue = guardDeliveries(
      {
        enqueue: async () => {},
        listen: async (handler) => {
          listener = handler;
        },
      },
      {
        allowPrivateAddress: false,
        resolve: rebound,
        timeoutMs: 1_000,
        onRefused: (r) => refused.push(r.inbox),
      },
    );
    await queue.listen((message) => {
      handled.push(message);
    });
    const deliver = (inbox: string) => listener?.({ type: "outbox", inbox, activityId: "x" });
    await deliver("https://peer.test/inbox");
    await deliver("https://other.test/inbox");
    await listener?.({ type: "inbox", activity: {} });
    expect(refused).toEqual(["https://peer.test/inbox"]);
    expect(handled).toEqual([
      { type: "outbox", inbox: "https://other.test/inbox", activityId: "x" },
      { type: "inbox", activity: {} },
    ]);
  });
});
