import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getLogger, type LogRecord, reset } from "@logtape/logtape";
import { createLogger } from "@spiral-network/node/logger";
import { configureLogging, formatLogRecord } from "@spiral-network/node/logging";
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, createTestvilleNode, groupInput, T } from "./helpers";

const records: LogRecord[] = [];
const collect = (level: Parameters<typeof configureLogging>[0]) =>
  configureLogging(level, (record) => records.push(record));
const lines = () => records.map(formatLogRecord);

afterEach(async () => {
  records.length = 0;
  await reset();
});

describe("one logger, LogTape, with categories", () => {
  it("an API failure is logged under spiral·api, with its cause, and handed to the capture", async () => {
    await collect("info");
    const t = createTestvilleNode();
    try {
      const pragma = (s: string) => t.node.storage.sqlite.pragma(s, { simple: true });
      pragma(`max_page_count = ${Number(pragma("page_count"))}`);
      let status = 201;
      for (let n = 0; n < 500 && status === 201; n++) {
        const label = `Group ${n} ${"x".repeat(150)}`;
        const response = await t.node.app.request(`${T}/groups`, {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify(groupInput({ label })),
        });
        status = response.status;
      }
      expect(status).toBe(507);
      const logged = records.find((r) => r.category.join(".") === "spiral.api");
      expect(logged?.level).toBe("error");
      expect(logged?.properties.error).toBeInstanceOf(Error);
      const line = formatLogRecord(logged as LogRecord);
      expect(line).toMatch(/\[ERR\] spiral·api: disk full: POST \/api\/v1\/territories/);
      expect(line).toContain("SQLITE_FULL");
      // The capture given to createNode (the tests' way of reading logs) still gets it.
      expect(t.loggedErrors.some((e) => e.startsWith("disk full: POST"))).toBe(true);
    } finally {
      await t.close();
    }
  });

  it("an error is written with its stack and its cause", async () => {
    await collect("info");
    const cause = new Error("connection reset by peer");
    createLogger()
      .child("federation", "outbox")
      .error("delivery failed", new Error("could not send", { cause }));
    expect(records.map((r) => r.category)).toEqual([["spiral", "federation", "outbox"]]);
    const [line] = lines();
    expect(line).toContain(
      "[ERR] spiral·federation·outbox: delivery failed: Error: could not send",
    );
    expect(line).toContain("connection reset by peer");
    expect(line).toMatch(/\n\s+at /); // the stack
  });

  it("a message is text: braces in it are written as they are", async () => {
    await collect("info");
    createLogger().child("admin").info('first admin is {"email":"a@b.example"}');
    expect(lines()[0]).toContain('spiral·admin: first admin is {"email":"a@b.example"}');
  });

  it("LOG_LEVEL sets the node's threshold; Fedify's logs stay at warning unless debug", async () => {
    await collect("warn");
    const log = createLogger().child("federation", "inbox");
    log.info("not written");
    log.warn("written");
    getLogger(["fedify", "federation"]).info("fedify chatter");
    getLogger(["fedify", "federation"]).warn("fedify trouble");
    expect(records.map((r) => `${r.category.join(".")} ${r.level}`)).toEqual([
      "spiral.federation.inbox warning",
      "fedify.federation warning",
    ]);
    // Both in the same format.
    expect(lines()[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+00:00 \[WRN\] spiral/);
    expect(lines()[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+00:00 \[WRN\] fedify/);

    records.length = 0;
    await collect("debug");
    getLogger(["fedify", "federation"]).debug("fedify detail");
    log.debug("node detail");
    expect(records).toHaveLength(2);
  });
});

it("federation and the services never import the API (the Logger type is not the API's)", () => {
  const root = fileURLToPath(new URL("../../node/src", import.meta.url));
  const offending = ["federation", "services"].flatMap((dir) =>
    readdirSync(path.join(root, dir), { recursive: true, encoding: "utf8" })
      .filter((file) => /\.tsx?$/.test(file))
      .filter((file) =>
        /from "(\.\.\/)+api\//.test(readFileSync(path.join(root, dir, file), "utf8")),
      )
      .map((file) => `${dir}/${file}`),
  );
  expect(offending).toEqual([]);
  expect(readFileSync(path.join(root, "api/problem.ts"), "utf8")).not.toMatch(
    /export interface Logger/,
  );
});
