import firstFile from "../grids/grid-spiral-9d.json" with { type: "json" };
import nextFile from "../grids/grid-spiral-9d-2026.2-partial.json" with { type: "json" };
import { type Grid, loadGrid } from "./grid.ts";

/**
 * The grid versions every node ships with, oldest first (copied from the SPIRAL reference data).
 * A node starts on the first and moves to each later one through the grid import, as a territory
 * importing a newer grid would (docs/running-a-node.md, "Grid versions").
 */
export const bundledGrids: readonly Grid[] = [loadGrid(firstFile), loadGrid(nextFile)];

/** The grid a node uses once its bundled grids are imported: the newest bundled version. */
export const defaultGrid: Grid = bundledGrids[bundledGrids.length - 1] as Grid;
