import { randomUUID } from "node:crypto";
import http from "node:http";
import { signRequest } from "@fedify/fedify";
import {
  INBOX_BODY_LIMIT,
  isActivityContentType,
  jsonDepth,
  MAX_JSON_DEPTH,
} from "@spiral-network/node/federation/hono";
import { duplicateJsonKey, type SynthesisPayload } from "@spiral-network/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { type Peer, publishSynthesis, receivedBy, settled, startPeer } from "./harness";
import { isValidPayload, rehash, withExtraCount } from "./synthesis-fixtures";

// The inbox guard runs before Fedify parses anything: size, JSON, depth, and for a synthesis
// Create/Update the payload and its origin. Every refusal is a 4xx with a message, never a 500,
// and nothing reaches the received syntheses.

describe("jsonDepth", () => {
  it("counts nested objects and arrays; scalars have no depth", () => {
    expect(jsonDepth(null)).toBe(0);
    expect(jsonDepth("text")).toBe(0);
    expect(jsonDepth(42)).toBe(0);
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth([])).toBe(1);
    expect(jsonDepth([1, "a", null])).toBe(1);
    expect(jsonDepth({ a: { b: [1] } })).toBe(3);
    expect(jsonDepth([[[]], {}, [[[{}]]]])).toBe(5);
    expect(jsonDepth({ shallow: 1, deep: { a: { b: { c: {} } } }, other: [] })).toBe(5);
  });

  it("stops early once past the limit", () => {
    const deep = JSON.parse(`${"[".repeat(1000)}${"]".repeat(1000)}`);
    expect(jsonDepth(deep)).toBe(1000);
    expect(jsonDepth(deep, 32)).toBe(33);
    expect(jsonDepth(JSON.parse(`${"[".repeat(32)}${"]".repeat(32)}`), 32)).toBe(32);
  });

  it("walks very deep values without overflowing the stack", () => {
    let value: unknown = {};
    for (let i = 0; i < 200_000; i++) value = { a: [value] };
    expect(jsonDepth(value)).toBe(400_001);
    expect(jsonDepth(value, MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH + 1);
  });
});

describe("duplicateJsonKey", () => {
  it("finds a key repeated in one object, at any depth, after unescaping", () => {
    expect(duplicateJsonKey('{"a":1,"b":2}')).toBeNull();
    expect(duplicateJsonKey('{"a":1,"a":2}')).toBe("a");
    expect(duplicateJsonKey('{"a":{"b":1},"c":[{"d":1,"e":{"d":2}},{"d":3}]}')).toBeNull();
    expect(duplicateJsonKey('{"a":[{"x":1,"y":{"z":1,"z":2}}]}')).toBe("z");
    expect(duplicateJsonKey('{"a":1,"\\u0061":2}')).toBe("a");
    // Values that look like keys, and escaped quotes, are not keys.
    expect(duplicateJsonKey('{"a":"a","b":["a","a"],"c":"\\"a\\":1,\\"a\\""}')).toBeNull();
    expect(duplicateJsonKey('{"a":1, "b" : 2 ,\n "b":3}')).toBe("b");
  });

  it("walks very deep text without overflowing the stack", () => {
    const deep = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;
    expect(duplicateJsonKey(deep)).toBeNull();
    expect(duplicateJsonKey(`${"[".repeat(100_000)}{"k":1,"k":2}${"]".repeat(100_000)}`)).toBe("k");
  });
});

describe("isActivityContentType", () => {
  it("accepts ActivityStreams and JSON-LD (no profile, or the ActivityStreams one)", () => {
    for (const type of [
      "application/activity+json",
      "Application/Activity+JSON; charset=utf-8",
      "application/ld+json",
      'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
      'application/ld+json;profile="https://example.org/p https://www.w3.org/ns/activitystreams"',
    ]) {
      expect(isActivityContentType(type), type).toBe(true);
    }
  });

  it("refuses anything else", () => {
    for (const type of [
      undefined,
      "",
      "application/json",
      "text/plain",
      "application/x-www-form-urlencoded",
      'application/ld+json; profile="https://example.org/other"',
      "application/activity+jsonx",
    ]) {
      expect(isActivityContentType(type), String(type)).toBe(false);
    }
  });
});

describe("inbox guard on a real node", () => {
  let receiver: Peer;
  let origin: Peer;
  /** A genuine synthesis Create of `origin`, exactly as it went out (with its proof). */
  let genuine: Record<string, any>;
  let genuinePayload: SynthesisPayload;
  let inboxes: string[];

  beforeAll(async () => {
    [receiver, origin] = await Promise.all([
      startPeer({ slug: "gent", name: "Gent", country: "BE" }),
      startPeer({ slug: "evora", name: "Évora", country: "PT" }),
    ]);
    await publishSynthesis(origin, 8);
    const row = await waitFor(
      () => origin.node.services.outbox.latestPublications(origin.slug)[0]?.json,
      "the origin to sign its Create",
    );
    genuine = row as Record<string, any>;
    genuinePayload = JSON.parse(genuine.object.source.content);
    inboxes = [`${receiver.actorUrl}/inbox`, `${receiver.url}/inbox`];
  });
  afterAll(async () => {
    await Promise.all([receiver, origin].map((p) => p?.close()));
  });
  afterEach(() => {
    expect(receiver.logs.filter((l) => l.startsWith("error"))).toEqual([]);
  });

  async function post(url: string, body: string | ReadableStream, headers = {}) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/activity+json", ...headers },
      body,
      ...(typeof body === "string" ? {} : { duplex: "half" }),
    } as RequestInit);
    const text = await response.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: response.status, text, json };
  }

  /**
   * POSTs with node:http, in chunks when `chunked`: a server that refuses a large body answers
   * before reading it and closes the connection, which fetch reports as a failure, not as the
   * answer it got. Resolves with the answer as soon as it arrives.
   */
  function rawPost(url: string, body: string, chunked: boolean) {
    return new Promise<{ status: number; json: any }>((resolve, reject) => {
      const request = http.request(url, {
        method: "POST",
        agent: false, // a fresh connection: the refused one may be closed by the server

        headers: {
          "content-type": "application/activity+json",
          ...(chunked ? {} : { "content-length": Buffer.byteLength(body) }),
        },
      });
      request.on("response", (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => {
          text += chunk;
        });
        response.on("end", () => {
          let json: any = null;
          try {
            json = JSON.parse(text);
          } catch {}
          resolve({ status: response.statusCode ?? 0, json });
        });
        response.on("error", reject);
      });
      // Writing may fail once the server has answered and closed: that is expected here.
      request.on("error", (error) => setTimeout(() => reject(error), 1000));
      const bytes = Buffer.from(body);
      for (let at = 0; at < bytes.length; at += 16 * 1024) {
        request.write(bytes.subarray(at, at + 16 * 1024));
      }
      request.end();
    });
  }

  /** POSTs to both inboxes and expects the same refusal from each. */
  async function refusedEverywhere(body: string, status: number, message: string | RegExp) {
    for (const inbox of inboxes) {
      const response = await post(inbox, body);
      expect(response.status, `${inbox}: ${response.text}`).toBe(status);
      expect(response.json?.message).toMatch(message);
    }
    expect(receivedBy(receiver)).toEqual([]);
  }

  /** The genuine Create without its integrity proof: only an HTTP signature could vouch for it. */
  function unsigned(): Record<string, any> {
    const { proof: _proof, ...rest } = structuredClone(genuine);
    return rest;
  }

  /** A copy of the genuine Create with its payload replaced (and everything else kept). */
  function withPayload(payload: unknown, type = "Create") {
    const activity = structuredClone(genuine);
    activity.type = type;
    activity.object.source.content =
      typeof payload === "string" ? payload : JSON.stringify(payload);
    return activity;
  }

  it("the genuine activity is a well-formed synthesis Create", () => {
    expect(genuine).toMatchObject({
      type: "Create",
      actor: origin.actorUrl,
      object: {
        type: "Article",
        attributedTo: origin.actorUrl,
        source: { mediaType: "application/vnd.spiral.synthesis+json" },
      },
      proof: expect.objectContaining({ cryptosuite: "eddsa-jcs-2022" }),
    });
    expect(genuinePayload.territory.id).toBe(origin.actorUrl);
    expect(isValidPayload(genuinePayload)).toBe(true);
  });

  it("lets a well-formed activity through to Fedify (without proof or signature: 401 there)", async () => {
    for (const inbox of inboxes) {
      const response = await post(inbox, JSON.stringify(unsigned()));
      expect(response.status).toBe(401);
    }
    expect(receivedBy(receiver)).toEqual([]);
  });

  it("refuses bodies over 256 KiB with 413, with or without Content-Length", async () => {
    const big = JSON.stringify({ ...genuine, padding: "x".repeat(INBOX_BODY_LIMIT) });
    expect(big.length).toBeGreaterThan(INBOX_BODY_LIMIT);
    for (const inbox of inboxes) {
      for (const chunked of [false, true]) {
        const response = await rawPost(inbox, big, chunked);
        expect(response.status, `${inbox} chunked=${chunked}`).toBe(413);
        expect(response.json).toEqual({
          error: "payload_too_large",
          message: "inbox bodies are limited to 256 KiB",
        });
      }
    }
    // Exactly at the limit is not a size problem (no proof, no signature: Fedify says 401).
    const fits = JSON.stringify({ ...unsigned(), padding: "" });
    const atLimit = JSON.stringify({
      ...unsigned(),
      padding: "x".repeat(INBOX_BODY_LIMIT - Buffer.byteLength(fits)),
    });
    expect(Buffer.byteLength(atLimit)).toBe(INBOX_BODY_LIMIT);
    for (const chunked of [false, true]) {
      expect((await rawPost(inboxes[0] as string, atLimit, chunked)).status).toBe(401);
    }
    expect(receivedBy(receiver)).toEqual([]);
  });

  it("refuses a body that is not JSON with 400", async () => {
    await refusedEverywhere("this is not json", 400, "the body is not JSON");
    await refusedEverywhere(`${JSON.stringify(genuine).slice(0, -1)}`, 400, "the body is not JSON");
    await refusedEverywhere("", 400, "the body is not JSON");
  });

  it("refuses JSON that is not an object with 400 (a bare string made Fedify answer 500)", async () => {
    for (const body of ['"http://127.0.0.1:9/x"', '"x"', "null", "42", "true", "[]", "[{}]"]) {
      await refusedEverywhere(body, 400, "an activity must be a JSON object");
    }
    await refusedEverywhere(JSON.stringify([genuine]), 400, "an activity must be a JSON object");
  });

  it("refuses an activity whose @context cannot be loaded with 400, not 500", async () => {
    const bare = (context: unknown) =>
      JSON.stringify({
        "@context": context,
        type: "Create",
        id: `${origin.url}/activities/${randomUUID()}`,
      });
    // Unreachable: Fedify expands the activity, the context fails to load, and the error used
    // to come out of federation.fetch() as a 500.
    await refusedEverywhere(
      bare("http://127.0.0.1:9/context.jsonld"),
      400,
      /^the activity is not valid JSON-LD: .*http:\/\/127\.0\.0\.1:9\/context\.jsonld/,
    );
    for (const context of [
      "http://127.0.0.1:9/context.jsonld", // nothing listens there
      `${receiver.url}/no/such/context`, // 404
      [`${origin.url}/`, "https://www.w3.org/ns/activitystreams"], // HTML, not JSON-LD
    ]) {
      for (const inbox of inboxes) {
        const response = await post(inbox, bare(context));
        expect(response.status, response.text).toBe(400);
        // With a proof that cannot be checked for the same reason: refused, never 500.
        const proved = await post(inbox, JSON.stringify({ ...genuine, "@context": context }));
        expect([400, 401], proved.text).toContain(proved.status);
      }
    }
    expect(receivedBy(receiver)).toEqual([]);
  });

  it("refuses JSON nested deeper than 32 levels with 400, even very deep (never 500)", async () => {
    // Built as text: JSON.stringify itself overflows the stack on thousands of levels.
    const nested = (depth: number) =>
      `${JSON.stringify(unsigned()).slice(0, -1)},"extra":${'{"a":'.repeat(depth - 1)}{}${"}".repeat(depth - 1)}}`;
    // Depth 32 exactly passes the guard (then 401: no proof, no signature).
    const atLimit = { ...unsigned(), extra: JSON.parse(`${"[".repeat(31)}${"]".repeat(31)}`) };
    expect(jsonDepth(atLimit)).toBe(32);
    expect((await post(inboxes[0] as string, JSON.stringify(atLimit))).status).toBe(401);

    const justOver = { ...unsigned(), extra: JSON.parse(`${"[".repeat(32)}${"]".repeat(32)}`) };
    expect(jsonDepth(justOver)).toBe(33);
    await refusedEverywhere(JSON.stringify(justOver), 400, "JSON nested deeper than 32 levels");
    await refusedEverywhere(nested(40), 400, /nested deeper than 32/);
    // What made bare Fedify overflow its stack (500): thousands of levels.
    await refusedEverywhere(nested(5000), 400, /nested deeper than 32/);
    expect(jsonDepth(JSON.parse(nested(40)))).toBe(41);
    await refusedEverywhere(
      `{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
      400,
      /nested deeper than 32/,
    );
  });

  describe("a synthesis Create or Update with an invalid payload is refused with a reason", () => {
    it("negative count", async () => {
      const payload = structuredClone(genuinePayload) as any;
      payload.counts.Q1.A05 = -1;
      await refusedEverywhere(
        JSON.stringify(withPayload(rehash(payload))),
        400,
        /^invalid synthesis payload: counts\.Q1\.A05: /,
      );
    });

    it("unknown grid code (A08), otherwise consistent", async () => {
      const payload = withExtraCount(genuinePayload, "Q1", "A08", 2);
      expect(isValidPayload(payload)).toBe(true);
      await refusedEverywhere(JSON.stringify(withPayload(payload)), 400, "unknown grid codes: A08");
      await refusedEverywhere(
        JSON.stringify(withPayload(payload, "Update")),
        400,
        "unknown grid codes: A08",
      );
    });

    it("tampered hash (a count changed after hashing)", async () => {
      const payload = {
        ...withExtraCount(genuinePayload, "Q1", "A05", 100),
        hash: genuinePayload.hash,
      };
      await refusedEverywhere(
        JSON.stringify(withPayload(payload)),
        400,
        "invalid synthesis payload: hash: the content hash does not match the payload",
      );
    });

    it("absurd participants and groups", async () => {
      const payload = rehash({ ...genuinePayload, participants: 50_000_000 });
      await refusedEverywhere(
        JSON.stringify(withPayload(payload)),
        400,
        /^invalid synthesis payload: .*participants: /,
      );
      const groups = rehash({ ...genuinePayload, groups: 1_000_000_000 });
      await refusedEverywhere(
        JSON.stringify(withPayload(groups, "Update")),
        400,
        /^invalid synthesis payload: .*groups: /,
      );
    });

    it("a source that is not JSON, or not a payload at all", async () => {
      await refusedEverywhere(
        JSON.stringify(withPayload("<p>not json</p>")),
        400,
        "the synthesis source is not JSON",
      );
      await refusedEverywhere(
        JSON.stringify(withPayload({ hello: "world" })),
        400,
        /^invalid synthesis payload: /,
      );
    });
  });

  describe("a forged origin (actor, attributedTo and payload territory differ) is refused", () => {
    const elsewhere = "https://elsewhere.example/actors/someone";

    it("the activity's actor is not the author", async () => {
      const activity = structuredClone(genuine);
      activity.actor = receiver.actorUrl;
      await refusedEverywhere(JSON.stringify(activity), 400, /^forged origin: /);
    });

    it("the Article is attributed to someone else", async () => {
      const activity = structuredClone(genuine);
      activity.object.attributedTo = elsewhere;
      await refusedEverywhere(JSON.stringify(activity), 400, /^forged origin: /);
    });

    it("the payload speaks for another territory (re-hashed so the payload alone is valid)", async () => {
      const payload = rehash({
        ...genuinePayload,
        territory: { ...genuinePayload.territory, id: elsewhere },
      });
      expect(isValidPayload(payload)).toBe(true);
      await refusedEverywhere(JSON.stringify(withPayload(payload)), 400, /^forged origin: /);
    });

    it("all three point at another territory, but not consistently", async () => {
      const activity = withPayload(
        rehash({ ...genuinePayload, territory: { ...genuinePayload.territory, id: elsewhere } }),
      );
      activity.object.attributedTo = elsewhere;
      await refusedEverywhere(JSON.stringify(activity), 400, /^forged origin: /);
      // An actor given as an object rather than a URL is not a consistent origin either.
      const embedded = structuredClone(genuine);
      embedded.actor = { id: origin.actorUrl, type: "Organization" };
      await refusedEverywhere(JSON.stringify(embedded), 400, /^forged origin: /);
    });
  });

  describe("signed deliveries (the origin's real key)", () => {
    async function signedPost(activity: unknown, inbox = inboxes[0] as string) {
      const [rsa] = await (await origin.node.federation.get()).deps.keys.keyPairs(origin.slug);
      if (!rsa) throw new Error("the origin has an RSA key");
      const request = await signRequest(
        new Request(inbox, {
          method: "POST",
          headers: { "content-type": "application/activity+json" },
          body: JSON.stringify(activity),
        }),
        rsa.privateKey,
        new URL(`${origin.actorUrl}#main-key`),
      );
      const response = await fetch(request);
      return { status: response.status, text: await response.text() };
    }

    it("an invalid payload that a signature cannot save is still refused by the guard", async () => {
      const payload = structuredClone(genuinePayload) as any;
      payload.counts.Q1.A05 = -1;
      const response = await signedPost(withPayload(rehash(payload)));
      expect(response.status).toBe(400);
      expect(receivedBy(receiver)).toEqual([]);
    });

    it("what slips past the guard's quick look (type as a compact IRI) is dropped by the handler, with a reason", async () => {
      // `as:Create` is the same type to JSON-LD; the guard only recognises the plain term, so
      // Fedify accepts the signed request and the inbox handler must do the refusing.
      const payload = structuredClone(genuinePayload) as any;
      payload.counts.Q1.A05 = -1;
      const invalid = withPayload(rehash(payload), "as:Create");
      invalid.id = `${origin.url}/activities/${randomUUID()}`;
      const first = await signedPost(invalid);
      expect(first.status).toBeLessThan(300);

      const forged = withPayload(
        rehash({
          ...genuinePayload,
          territory: { ...genuinePayload.territory, id: receiver.actorUrl },
        }),
        "as:Create",
      );
      forged.id = `${origin.url}/activities/${randomUUID()}`;
      const second = await signedPost(forged, inboxes[1]);
      expect(second.status).toBeLessThan(300);

      await waitFor(
        () =>
          receiver.logs.some((l) => l.includes(invalid.id) && l.includes("invalid payload")) &&
          receiver.logs.some((l) => l.includes(forged.id) && l.includes("forged origin")),
        "the receiver to log both refusals",
      );
      expect(receivedBy(receiver)).toEqual([]);
    });

    it("the genuine activity gets through and is stored: its integrity proof vouches for it, signed or not", async () => {
      // No HTTP signature at all: Fedify accepts an activity whose FEP-8b32 proof verifies.
      const response = await post(inboxes[1] as string, JSON.stringify(genuine));
      expect(response.status).toBe(202);
      const stored = await waitFor(() => receivedBy(receiver)[0], "the receiver to store it");
      expect(stored).toMatchObject({
        origin: origin.actorUrl,
        hash: genuinePayload.hash,
        version: 1,
        via: null,
        conflictedAt: null,
      });
      expect(stored.activity).toEqual(genuine);
      // Again, signed, to the actor's inbox: accepted, and still one row.
      expect((await signedPost(genuine)).status).toBe(202);
      await settled(receiver);
      expect(receivedBy(receiver)).toHaveLength(1);
    });
  });
});
