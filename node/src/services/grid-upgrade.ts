import type { Grid } from "@spiral-network/protocol";
import type { Logger } from "../logger";
import { InvalidInputError } from "./errors";
import type { GridService } from "./grids";

/** Who the audit log names for the import a node runs at start. */
export const BUNDLED_UPGRADE_ACTOR = "system:bundled-grid";

/**
 * At start, a node on an older bundled grid moves to each newer one through the grid import
 * itself (preview, then apply), as a territory importing a newer grid would. A version that would
 * queue criteria for review is not applied: it is logged, and an admin imports it from the
 * workspace or the command line after reading the preview. Returns the versions applied.
 */
export function upgradeBundledGrids(
  grids: GridService,
  bundled: readonly Grid[],
  log: Pick<Logger, "info" | "warn">,
): string[] {
  const applied: string[] = [];
  for (let i = 1; i < bundled.length; i++) {
    const previous = bundled[i - 1] as Grid;
    const next = bundled[i] as Grid;
    const active = grids.active();
    if (active.id !== next.id || active.version !== previous.version) continue;
    let preview: ReturnType<GridService["preview"]>;
    try {
      preview = grids.preview(next.file);
    } catch (error) {
      // E.g. another document accepted here under this version's name: never fatal at start.
      if (!(error instanceof InvalidInputError)) throw error;
      log.warn(`grid ${next.id} ${next.version} is bundled but not applied: ${error.message}`);
      break;
    }
    if (preview.criteriaToReview > 0) {
      log.warn(
        `grid ${next.id} ${next.version} is bundled but not applied: ${preview.criteriaToReview} criteria would need review; import it from the workspace`,
      );
      break;
    }
    grids.apply(next.file, BUNDLED_UPGRADE_ACTOR, "bundled");
    log.info(`moved to grid ${next.id} ${next.version} (from ${previous.version})`);
    applied.push(next.version);
  }
  return applied;
}
