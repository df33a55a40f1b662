import type { DisclosurePolicy, Grid } from "@spiral-network/protocol";
import type { Db, Storage } from "../db/open";

/** What every domain service needs, passed in by the composition root (no singletons). */
export interface ServiceContext {
  storage: Storage;
  db: Db;
  grid: Grid;
  policy: DisclosurePolicy;
  /** Public origin of this node, e.g. https://spiral.example.org (no trailing slash). */
  publicUrl: string;
  now: () => Date;
  /** Called after a transaction that wrote to the outbox has committed (wakes the dispatcher). */
  notifyOutbox: () => void;
}

/** Who is acting, recorded with classifications, publications and the audit log. */
export type Actor = string;
