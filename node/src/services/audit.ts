import { desc } from "drizzle-orm";
import { type AuditDetail, auditLog } from "../db/schema";
import type { Actor, ServiceContext } from "./context";

export function createAuditService(ctx: ServiceContext) {
  return {
    record(actor: Actor, action: string, subject: string, detail?: AuditDetail): void {
      ctx.db.insert(auditLog).values({ actor, action, subject, detail }).run();
    },
    recent(limit = 100) {
      return ctx.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(limit).all();
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
