import { createAggregateService } from "./aggregates";
import { createApiTokenService } from "./api-tokens";
import { createAuditService } from "./audit";
import { createCategoryService } from "./categories";
import type { ServiceContext } from "./context";
import { createCriteriaService } from "./criteria";
import { createCsvImportService } from "./csv-import";
import { createFollowService } from "./follows";
import { createGridService, createLiveGrid, type LiveGrid } from "./grids";
import { createGroupService } from "./groups";
import { createMeetingService } from "./meetings";
import { createOnceService } from "./once";
import { createOutboxService } from "./outbox";
import { createProgressService } from "./progress";
import { createProgressFigureService } from "./progress-figures";
import { createReceivedMeetingService } from "./received-meetings";
import { createReceivedSynthesisService } from "./received-syntheses";
import { createSessionService } from "./sessions";
import { createSubnetworkService } from "./subnetworks";
import { createSuggestionService } from "./suggestions";
import { createSynthesisService } from "./syntheses";
import { createTerritoryService } from "./territories";
import { createTrashService } from "./trash";
import { createUserService, type PasswordCost } from "./users";

export interface ServiceOptions {
  /** The scrypt cost of new password hashes (default: DEFAULT_PASSWORD_COST). */
  passwordCost?: PasswordCost;
}

/**
 * Wires the domain services together over one context. `live` holds the grid in use (an import
 * replaces it); `ctx.grid` must be its `grid`.
 */
export function createServices(
  ctx: ServiceContext,
  live: LiveGrid = createLiveGrid(ctx.grid),
  options: ServiceOptions = {},
) {
  const audit = createAuditService(ctx);
  const grids = createGridService(ctx, live, audit);
  const territories = createTerritoryService(ctx, audit);
  const categories = createCategoryService(ctx, audit);
  const trash = createTrashService(ctx, audit, territories);
  const once = createOnceService(ctx);
  const groups = createGroupService(ctx, audit, territories, categories, trash);
  const criteria = createCriteriaService(ctx, audit, territories, groups, trash);
  const imports = createCsvImportService(ctx, audit, territories);
  const outbox = createOutboxService(ctx);
  const aggregates = createAggregateService(ctx, () => grids.catalog());
  const syntheses = createSynthesisService(ctx, audit, territories, outbox, aggregates);
  const received = createReceivedSynthesisService(ctx, aggregates);
  const meetings = createMeetingService(ctx, audit, territories, outbox);
  const receivedMeetings = createReceivedMeetingService(ctx);
  const follows = createFollowService(ctx, () => aggregates.followsChanged());
  const users = createUserService(ctx, audit, options.passwordCost);
  const sessions = createSessionService(ctx);
  const apiTokens = createApiTokenService(ctx, audit);
  const subnetworks = createSubnetworkService(ctx, audit, categories, follows);
  const suggestions = createSuggestionService(ctx, territories);
  const progressFigures = createProgressFigureService(ctx);
  const progress = createProgressService(
    ctx,
    audit,
    territories,
    categories,
    outbox,
    progressFigures,
  );
  return {
    ctx,
    audit,
    grids,
    territories,
    categories,
    groups,
    criteria,
    trash,
    once,
    imports,
    outbox,
    syntheses,
    received,
    follows,
    aggregates,
    meetings,
    receivedMeetings,
    users,
    sessions,
    apiTokens,
    subnetworks,
    suggestions,
    progress,
    progressFigures,
  };
}
export type Services = ReturnType<typeof createServices>;
