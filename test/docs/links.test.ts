import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The documentation holds together (docs/development.md, "Conventions"): every relative link and
// anchor in the README and docs/ reaches an existing file and heading, and the code cites only
// pages of this repository — never the design document or issue numbers a reader cannot open.

const ROOT = path.resolve(__dirname, "../..");
const CODE_DIRS = ["node", "protocol", "admin-ui", "scripts", "test"];
const TEXT_FILE = /\.(ts|tsx|js|mjs|sh|sql|json|md)$/;
// Built from parts so that this file does not cite what it looks for.
const DESIGN_CITATION = new RegExp(`\\b${"DESIGN"}(\\.md\\b|\\s*§)`);
const ISSUE_NUMBER = new RegExp(`\\b${"issue"}\\s+#?\\d+`, "i");

function markdownPages(): string[] {
  const docs = readdirSync(path.join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => path.join("docs", name));
  return ["README.md", "protocol/README.md", ...docs];
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    if (entry.isDirectory()) out.push(...filesUnder(rel));
    else if (TEXT_FILE.test(entry.name)) out.push(rel);
  }
  return out;
}

/** The text outside fenced code blocks and inline code spans, where links are links. */
function proseOf(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "")
    .replace(/^(?: {4}|\t).*$/gm, "")
    .replace(/`[^`\n]*`/g, "");
}

/** Link targets: Markdown links and images, and HTML src/href attributes. */
function linkTargets(markdown: string): string[] {
  const prose = proseOf(markdown);
  const targets: string[] = [];
  for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    targets.push(m[1] as string);
  }
  for (const m of prose.matchAll(/\b(?:src|href)="([^"]+)"/g)) targets.push(m[1] as string);
  return targets;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slugOf(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** The anchors a page offers, numbered like GitHub's when a heading repeats. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
  for (const m of withoutFences.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slugOf(m[1] as string);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** The headings of a page and the bold leads of its paragraphs ("**Withdrawal unpublishes.**"). */
function titlesOf(markdown: string): string[] {
  const headings = [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => m[1] as string);
  const leads = [...markdown.matchAll(/^\*\*([^*]+)\*\*/gm)].map((m) => m[1] as string);
  return [...headings, ...leads].map((s) => s.replace(/^[\d.]+\s+/, "").toLowerCase());
}

/** What is wrong with each relative link of one page (empty when every link resolves). */
function brokenLinks(page: string, read: (file: string) => string | undefined): string[] {
  const markdown = read(page);
  if (markdown === undefined) return [`${page}: missing`];
  const problems: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) continue;
    const [file = "", anchor] = target.split("#", 2);
    const resolved = file === "" ? page : path.posix.join(path.posix.dirname(page), file);
    const text = read(resolved);
    if (text === undefined) {
      problems.push(`${page}: ${target} — no file ${resolved}`);
      continue;
    }
    if (anchor === undefined || anchor === "") continue;
    if (!resolved.endsWith(".md")) {
      problems.push(`${page}: ${target} — an anchor into a file that is not Markdown`);
    } else if (!anchorsOf(text).has(decodeURIComponent(anchor))) {
      problems.push(`${page}: ${target} — no heading #${anchor} in ${resolved}`);
    }
  }
  return problems;
}

function readRepoFile(rel: string): string | undefined {
  const file = path.join(ROOT, rel);
  if (!existsSync(file)) return undefined;
  return statSync(file).isDirectory() ? "" : readFileSync(file, "utf8");
}

describe("the link checker", () => {
  const pages: Record<string, string> = {
    "README.md": "See [running](pages/run.md#a-b-c) and ![x](pages/shot.png).",
    "pages/run.md": "# Run\n\n## A, b: `c`\n\nBack to [the top](../README.md) and [here](#run).",
    "pages/shot.png": "",
  };
  const read = (file: string) => pages[file];

  it("accepts links and anchors that resolve", () => {
    expect(brokenLinks("README.md", read)).toEqual([]);
    expect(brokenLinks("pages/run.md", read)).toEqual([]);
  });

  it("reports a missing file, a missing heading and an anchor into a non-Markdown file", () => {
    const broken = {
      ...pages,
      "README.md":
        "[gone](pages/gone.md) [moved](pages/run.md#operations) [img](pages/shot.png#x) [self](#nope)",
    };
    const problems = brokenLinks("README.md", (file) => broken[file as keyof typeof broken]);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain("no file pages/gone.md");
    expect(problems[1]).toContain("no heading #operations");
    expect(problems[2]).toContain("not Markdown");
    expect(problems[3]).toContain("no heading #nope in README.md");
  });

  it("ignores code, external links and numbers repeated headings like GitHub", () => {
    const text = "```sh\n[a](nowhere.md)\n```\n`[b](nowhere.md)` [c](https://example.org/x.md)";
    expect(linkTargets(text)).toEqual(["https://example.org/x.md"]);
    expect([...anchorsOf("## Setup\n## Setup\n# 3. The `spiral/synthesis@1` payload")]).toEqual([
      "setup",
      "setup-1",
      "3-the-spiralsynthesis1-payload",
    ]);
  });
});

describe("the documentation", () => {
  it("has a short README that links every docs page", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    expect(Buffer.byteLength(readme)).toBeLessThan(5 * 1024);
    const linked = new Set(linkTargets(readme).map((t) => t.split("#")[0]));
    const unlinked = markdownPages().filter((p) => p.startsWith("docs/") && !linked.has(p));
    expect(unlinked).toEqual([]);
  });

  it("has no broken relative link or anchor in the README and docs/", () => {
    const problems = markdownPages().flatMap((page) => brokenLinks(page, readRepoFile));
    expect(problems).toEqual([]);
  });

  it("cites no design document or issue number, in the code or the docs", () => {
    const files = [...CODE_DIRS.flatMap(filesUnder), ...markdownPages()];
    expect(files.length).toBeGreaterThan(100);
    const offending = files.flatMap((file) =>
      readFileSync(path.join(ROOT, file), "utf8")
        .split("\n")
        .flatMap((line, i) =>
          DESIGN_CITATION.test(line) || ISSUE_NUMBER.test(line)
            ? [`${file}:${i + 1}: ${line}`]
            : [],
        ),
    );
    expect(offending).toEqual([]);
  });

  it("cites in comments only docs pages and sections that exist", () => {
    const problems: string[] = [];
    for (const file of CODE_DIRS.flatMap(filesUnder)) {
      // Comment lines joined, so that a citation wrapped over two lines reads as one.
      const text = readFileSync(path.join(ROOT, file), "utf8").replace(
        /\n\s*(?:\*|\/\/|#)?\s*/g,
        " ",
      );
      const citation = /\bdocs\/([a-z0-9-]+\.md)(?:\s+§(\d+)[–§\d]*)?(?:,\s+"([^"]+)")?/g;
      for (const [, name, section, title] of text.matchAll(citation)) {
        const page = readRepoFile(`docs/${name}`);
        if (page === undefined) problems.push(`${file}: docs/${name} does not exist`);
        else if (section && !new RegExp(`^## ${section}\\. `, "m").test(page)) {
          problems.push(`${file}: docs/${name} has no §${section}`);
        } else if (
          page &&
          title &&
          !titlesOf(page).some((t) => t.startsWith(title.toLowerCase()))
        ) {
          problems.push(`${file}: docs/${name} has no heading or paragraph "${title}"`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
