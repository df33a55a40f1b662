import type { LogCapture } from "@spiral-network/node/logger";
import { createNode, type SpiralNode } from "@spiral-network/node/node";
import type { HomogeneousGroup, TerritoryProfile } from "@spiral-network/protocol";
import { afterEach, beforeEach, expect } from "vitest";
import { TEST_PASSWORD_COST } from "../support/password-cost";

/** Integration-test helpers: a node on an in-memory database and an HTTP client for its app. */

export const ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
/** The node's clock in tests: periods starting after this day are in the future. */
export const NOW = new Date("2026-06-15T12:00:00.000Z");
export const PUBLIC_URL = "http://node.test";

export const TESTVILLE: TerritoryProfile = {
  slug: "testville",
  name: "Testville",
  country: "FR",
  region: "FR-GES",
  languages: ["fr", "en"],
};
/** The API base of the default test territory. */
export const T = `/api/v1/territories/${TESTVILLE.slug}`;

/** A valid group in the first half of 2026; override what the test is about. */
export function groupInput(overrides: Partial<HomogeneousGroup> = {}): HomogeneousGroup {
  return {
    label: "Jeunes du centre",
    category: "young-people",
    sessionDates: ["2026-03-10"],
    participants: 8,
    cycle: 1,
    ...overrides,
  };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, the text otherwise (null for an empty body). */
  body: any;
  text: string;
}

export interface SendOptions {
  /** A string or bytes is sent as is; anything else as JSON with Content-Type application/json. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Client {
  send(method: string, path: string, options?: SendOptions): Promise<ApiResponse>;
  get(path: string, options?: SendOptions): Promise<ApiResponse>;
  post(path: string, body?: unknown, options?: SendOptions): Promise<ApiResponse>;
  put(path: string, body?: unknown, options?: SendOptions): Promise<ApiResponse>;
  patch(path: string, body?: unknown, options?: SendOptions): Promise<ApiResponse>;
  delete(path: string, options?: SendOptions): Promise<ApiResponse>;
}

export interface TestNode {
  node: SpiralNode;
  services: SpiralNode["services"];
  /** Requests carrying the admin bearer token. */
  admin: Client;
  /** Requests without any token (a visitor, or another node). */
  anonymous: Client;
  /** What the node logged as errors: every unexpected failure (500) is logged here. */
  loggedErrors: string[];
  close(): void;
}

function client(node: SpiralNode, authorization: string | undefined): Client {
  const send = async (method: string, path: string, options: SendOptions = {}) => {
    const headers: Record<string, string> = {};
    if (authorization) headers.authorization = authorization;
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (typeof options.body === "string" || options.body instanceof Uint8Array) {
      body = options.body as string | Uint8Array<ArrayBuffer>;
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    const response = await node.app.request(path, {
      method,
      headers: { ...headers, ...options.headers },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    const isJson = response.headers.get("content-type")?.includes("json") ?? false;
    const parsed = isJson && text !== "" ? JSON.parse(text) : text === "" ? null : text;
    // No answer of the node may be a server error, whatever a test sends.
    expect(response.status, `${method} ${path} answered ${text}`).toBeLessThan(500);
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
  return {
    send,
    get: (path, options) => send("GET", path, options),
    post: (path, body, options) => send("POST", path, { ...options, body }),
    put: (path, body, options) => send("PUT", path, { ...options, body }),
    patch: (path, body, options) => send("PATCH", path, { ...options, body }),
    delete: (path, options) => send("DELETE", path, options),
  };
}

/** A fresh node on ":memory:" with a silent logger, a fixed clock and a known admin token. */
export function createTestNode(options: { now?: Date; databaseFile?: string } = {}): TestNode {
  const loggedErrors: string[] = [];
  const logger: LogCapture = {
    error: (message, error) => loggedErrors.push(`${message}: ${String(error)}`),
    info: () => {},
    warn: () => {},
  };
  const now = options.now ?? NOW;
  const node = createNode({
    databaseFile: options.databaseFile ?? ":memory:",
    publicUrl: PUBLIC_URL,
    logger,
    adminToken: ADMIN_TOKEN,
    now: () => now,
    passwordCost: TEST_PASSWORD_COST,
  });
  return {
    node,
    services: node.services,
    admin: client(node, `Bearer ${ADMIN_TOKEN}`),
    anonymous: client(node, undefined),
    loggedErrors,
    close: () => node.close(),
  };
}

/** A fresh node hosting Testville (created through the service, as the setup page would). */
export function createTestvilleNode(options: { now?: Date; databaseFile?: string } = {}): TestNode {
  const testNode = createTestNode(options);
  testNode.services.territories.create(TESTVILLE, "test-setup");
  return testNode;
}

/**
 * A fresh Testville node for each test of the calling file or describe block, closed after it;
 * each test must end with nothing logged as an error. The returned object stays the same and
 * takes the new node's fields before each test, so it can be held in a `const`.
 */
export function useTestvilleNode(): TestNode {
  const t = {} as TestNode;
  beforeEach(() => {
    Object.assign(t, createTestvilleNode());
  });
  afterEach(() => {
    expect(t.loggedErrors).toEqual([]);
    t.close();
  });
  return t;
}

/** Creates a group through the API and returns its id. */
export async function createGroup(
  admin: Client,
  overrides: Partial<HomogeneousGroup> = {},
  territoryPath = T,
): Promise<number> {
  const response = await admin.post(`${territoryPath}/groups`, groupInput(overrides));
  expect(response.status, response.text).toBe(201);
  return response.body.id;
}

/** Adds criteria to a group through the API and returns their ids. */
export async function addCriteria(
  admin: Client,
  groupId: number,
  items: Array<{ question: string; text: string; code?: string; language?: string }>,
  territoryPath = T,
): Promise<number[]> {
  const response = await admin.post(`${territoryPath}/groups/${groupId}/criteria`, { items });
  expect(response.status, response.text).toBe(201);
  return response.body.items.map((c: { id: number }) => c.id);
}

/** Adds coded criteria and validates them, so that syntheses count them. */
export async function addValidatedCriteria(
  admin: Client,
  groupId: number,
  items: Array<{ question: string; text: string; code: string }>,
  territoryPath = T,
): Promise<number[]> {
  const ids = await addCriteria(admin, groupId, items, territoryPath);
  const response = await admin.post(`${territoryPath}/criteria/validation`, { ids });
  expect(response.status, response.text).toBe(200);
  expect(response.body.validated).toBe(ids.length);
  return ids;
}
