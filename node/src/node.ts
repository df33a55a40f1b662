import { Hono } from "hono";
import {
  DEFAULT_POLICY,
  type DisclosurePolicy,
  defaultGrid,
  type Grid,
} from "../../protocol/src/index";
import { ensureAdminToken } from "./api/auth";
import { createApi } from "./api/index";
import type { Logger } from "./api/problem";
import { openStorage, type Storage } from "./db/open";
import { createPages } from "./pages";
import { createServices, type Services } from "./services/index";

export interface NodeOptions {
  /** Database file, or ":memory:" (tests). */
  databaseFile: string;
  publicUrl: string;
  logger: Logger;
  adminToken?: string | undefined;
  grid?: Grid;
  policy?: DisclosurePolicy;
  now?: () => Date;
}

export interface SpiralNode {
  app: Hono;
  services: Services;
  storage: Storage;
  /** Set when this start generated the admin token (first start without ADMIN_TOKEN). */
  generatedAdminToken?: string | undefined;
  close(): void;
}

/** Builds a node: storage, services and the HTTP app. The one place that wires them. */
export function createNode(options: NodeOptions): SpiralNode {
  const storage = openStorage(options.databaseFile);
  const services = createServices({
    storage,
    db: storage.db,
    grid: options.grid ?? defaultGrid,
    policy: options.policy ?? DEFAULT_POLICY,
    publicUrl: options.publicUrl,
    now: options.now ?? (() => new Date()),
  });
  services.categories.ensureBuiltins();
  const { generated } = ensureAdminToken(storage.db, options.adminToken);

  const app = new Hono();
  app.route("/api/v1", createApi(services, options.logger));
  app.route("/", createPages(services));
  return { app, services, storage, generatedAdminToken: generated, close: () => storage.close() };
}
