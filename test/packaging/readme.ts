// `bun test/packaging/readme.ts`: rewrites the README's recipe blocks from test/packaging/<sdk>/
// (see recipes.ts); `--check` only says whether they are up to date (exit 1 if not).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, renderReadme } from "./recipes.ts";

const path = join(ROOT, "README.md");
const current = readFileSync(path, "utf8");
const wanted = renderReadme(current);
if (process.argv.includes("--check")) {
  if (current !== wanted) {
    console.error("README.md: the recipe blocks differ from test/packaging/; run: bun test/packaging/readme.ts");
    process.exit(1);
  }
  console.log("README.md: the recipe blocks are up to date");
} else if (current !== wanted) {
  writeFileSync(path, wanted);
  console.log("README.md: recipe blocks rewritten");
}
