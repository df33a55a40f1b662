import gridFile from "../grids/grid-spiral-9d.json" with { type: "json" };
import { type Grid, loadGrid } from "./grid.ts";

/** The grid every node ships with (copied from the SPIRAL reference data). */
export const defaultGrid: Grid = loadGrid(gridFile);
