/**
 * Compiles the node for `./scripts/start.sh` (docs/running-a-node.md, "Install and first start"):
 * node/src/main.ts and the workspace packages it imports, bundled by esbuild into ES modules in
 * node/dist/js/ (dependencies stay in node_modules). Parts loaded on first use (`import()`)
 * become chunks of their own, so a start reads only what it runs. Type-checking stays with
 * `npm run typecheck`; this only strips types and bundles. The start script runs it only when a
 * source is newer than the build.
 */
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
/** node/dist/js unless told (`--outdir node/dist/<name>`: the compiled-start test builds its own). */
const outArg = process.argv.indexOf("--outdir");
const outdir = path.resolve(
  root,
  outArg === -1 ? "node/dist/js" : (process.argv[outArg + 1] ?? ""),
);

/**
 * Dependencies bundled in rather than loaded from node_modules. drizzle-orm's package.json is
 * 175 KiB of subpath exports, and Node reads it again for every one of its ~130 modules we load:
 * ≈ 0.4 s and ≈ 140 MB of RSS at start when loaded from node_modules, nothing once bundled
 * (docs/benchmarks.md, "A light node"). The other dependencies load as usual: bundling them all
 * saved little memory and made the start slower (an 8.5 MB file to parse).
 */
const INLINED = ["drizzle-orm"];

/** Everything else from node_modules stays external; our workspace packages are TypeScript. */
const dependenciesExternal: Plugin = {
  name: "dependencies-external",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("@spiral-network/")) return undefined;
      if (INLINED.some((name) => args.path === name || args.path.startsWith(`${name}/`))) {
        return undefined;
      }
      return { path: args.path, external: true };
    });
  },
};

// node/src/db/open.ts finds the migrations at "../../drizzle" from its module; the bundle sits
// two folders below node/, as node/src/db/ does, so the same relative path holds.
if (!existsSync(path.join(outdir, "../../drizzle/meta/_journal.json"))) {
  throw new Error(`the build must sit in node/dist/<name>/ (to find node/drizzle), not ${outdir}`);
}

const result = await build({
  entryPoints: { main: path.join(root, "node/src/main.ts") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  sourcemap: true,
  tsconfig: path.join(root, "tsconfig.json"),
  plugins: [dependenciesExternal],
  logLevel: "warning",
  metafile: true,
});

// Chunks are named by their content, and a running node imports its lazy chunks when first
// asked (the workspace, the API): the files of an earlier build stay, so that a node started
// before this build keeps working. Those no build has written for a week go.
const written = new Set(
  Object.keys(result.metafile.outputs).map((file) => path.resolve(root, file)),
);
const weekAgo = Date.now() - 7 * 24 * 60 * 60 * 1000;
for (const name of readdirSync(outdir)) {
  const file = path.join(outdir, name);
  if (!written.has(file) && statSync(file).mtimeMs < weekAgo) rmSync(file, { force: true });
}
