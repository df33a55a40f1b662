import { readFileSync } from "node:fs";
import path from "node:path";
import { generateCryptoKeyPair, signObject, verifyProof } from "@fedify/fedify";
import {
  Article,
  Create,
  DataIntegrityProof,
  Multikey,
  PUBLIC_COLLECTION,
  Source,
} from "@fedify/vocab";
import { exportMultibaseKey } from "@fedify/vocab-runtime";
import {
  createIntegrityProof,
  withFullPublicAddressing,
} from "@spiral-network/node/federation/proofs";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { knownKey, verifyIndependently } from "./independent-verifier";

const ACTOR = "https://mulhouse.example/actors/mulhouse";
const KEY_ID = `${ACTOR}#multikey-2`;
const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";

const activity = () => ({
  "@context": [
    "https://www.w3.org/ns/activitystreams",
    "https://w3id.org/security/data-integrity/v1",
  ],
  id: "https://mulhouse.example/activities/1",
  type: "Create",
  actor: ACTOR,
  to: "as:Public",
  cc: [`${ACTOR}/followers`, "Public"],
  object: {
    id: "https://mulhouse.example/syntheses/1",
    type: "Article",
    name: "Public",
    to: ["as:Public"],
    audience: "as:Public",
  },
});

describe("integrity proofs over the JSON as it is", () => {
  let keys: CryptoKeyPair;
  let multibase: string;
  beforeAll(async () => {
    keys = await generateCryptoKeyPair("Ed25519");
    multibase = await exportMultibaseKey(keys.publicKey);
  });

  it("a proof made by the node verifies with an independent verifier and with Fedify", async () => {
    const document = withFullPublicAddressing(activity());
    const proof = await createIntegrityProof(document, keys.privateKey, new URL(KEY_ID));
    const secured = { ...document, proof };
    const resolve = knownKey(KEY_ID, ACTOR, multibase);
    await expect(verifyIndependently(secured, resolve)).resolves.toEqual([ACTOR]);
    // A Linked Data signature added afterwards (as on delivery) is not covered, per FEP-8b32.
    await expect(
      verifyIndependently({ ...secured, signature: { type: "RsaSignature2017" } }, resolve),
    ).resolves.toEqual([ACTOR]);

    // Fedify reads the same proof and verifies it too (its key from a cache, no HTTP).
    const multikey = new Multikey({
      id: new URL(KEY_ID),
      controller: new URL(ACTOR),
      publicKey: keys.publicKey,
    });
    const fedifyProof = await DataIntegrityProof.fromJsonLd({
      "@context": "https://w3id.org/security/data-integrity/v1",
      ...proof,
    });
    const key = await verifyProof(secured, fedifyProof, {
      keyCache: { get: async () => multikey, set: async () => {} },
    });
    expect(key?.id?.href).toBe(KEY_ID);
  });

  it("any change to the document, its proof options or its context is refused", async () => {
    const document = withFullPublicAddressing(activity());
    const proof = await createIntegrityProof(document, keys.privateKey, new URL(KEY_ID));
    const resolve = knownKey(KEY_ID, ACTOR, multibase);
    const changed = [
      { ...document, proof, cc: [`${ACTOR}/followers`] },
      { ...document, proof: { ...proof, created: "2020-01-01T00:00:00Z" } },
      { ...document, "@context": "https://www.w3.org/ns/activitystreams", proof },
      // The public collection abbreviated again: the same meaning, other bytes.
      { ...document, to: "as:Public", proof },
    ];
    for (const secured of changed) {
      await expect(verifyIndependently(secured, resolve)).rejects.toThrow();
    }
  });

  it("writes the public collection in full in addressing, nowhere else and not inside an embedded document", () => {
    const inner = { "@context": "https://www.w3.org/ns/activitystreams", to: "as:Public" };
    const out = withFullPublicAddressing({ ...activity(), embedded: inner });
    expect(out.to).toBe(PUBLIC);
    expect(out.cc).toEqual([`${ACTOR}/followers`, PUBLIC]);
    expect(out.object.to).toEqual([PUBLIC]);
    expect(out.object.audience).toBe(PUBLIC);
    expect(out.object.name).toBe("Public");
    expect(out["@context"]).toEqual(activity()["@context"]);
    // Someone else's signed activity is left exactly as it was.
    expect(out.embedded).toBe(inner);
  });

  it("the migration turns activities kept by the previous code into the bytes Fedify signed", async () => {
    // What the previous code kept: Fedify's proof (over the public collection in full) on
    // Fedify's compact JSON (`as:Public`). A payload mentioning "as:Public" must stay as it is.
    const payload = JSON.stringify({ note: "as:Public" });
    const signed = await signObject(
      new Create({
        id: new URL("https://mulhouse.example/activities/2"),
        actor: new URL(ACTOR),
        to: PUBLIC_COLLECTION,
        object: new Article({
          id: new URL("https://mulhouse.example/syntheses/2"),
          attribution: new URL(ACTOR),
          to: PUBLIC_COLLECTION,
          source: new Source({ content: payload, mediaType: "application/json" }),
        }),
      }),
      keys.privateKey,
      new URL(KEY_ID),
    );
    const kept = (await signed.toJsonLd({ format: "compact" })) as Record<string, any>;
    const resolve = knownKey(KEY_ID, ACTOR, multibase);
    await expect(verifyIndependently(kept, resolve)).rejects.toThrow(/does not verify/);

    const db = new Database(":memory:");
    db.exec(`CREATE TABLE outbox_activities (json text);
      CREATE TABLE received_syntheses (activity text, conflicting_activity text, withdrawal text);
      CREATE TABLE received_meetings (activity text);`);
    const text = JSON.stringify(kept);
    db.prepare("INSERT INTO outbox_activities VALUES (?)").run(text);
    db.prepare("INSERT INTO received_syntheses VALUES (?, ?, NULL)").run(text, text);
    db.prepare("INSERT INTO received_meetings VALUES (?)").run(text);
    const migration = readFileSync(
      path.join(import.meta.dirname, "../../node/drizzle/0005_public_addressing_in_full.sql"),
      "utf8",
    );
    for (const statement of migration.split("--> statement-breakpoint")) db.exec(statement);
    const rows = [
      db.prepare("SELECT json AS j FROM outbox_activities").get(),
      db.prepare("SELECT activity AS j FROM received_syntheses").get(),
      db.prepare("SELECT conflicting_activity AS j FROM received_syntheses").get(),
      db.prepare("SELECT activity AS j FROM received_meetings").get(),
    ] as Array<{ j: string }>;
    expect(db.prepare("SELECT withdrawal FROM received_syntheses").get()).toEqual({
      withdrawal: null,
    });
    for (const row of rows) {
      const migrated = JSON.parse(row.j);
      await expect(verifyIndependently(migrated, resolve)).resolves.toEqual([ACTOR]);
      expect(migrated.object.source.content).toBe(payload);
    }
    db.close();
  });
});
