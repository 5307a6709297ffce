// The README's "Use it from your project" blocks are exactly the recipes the packaging suites run
// (test/packaging/<sdk>/, recipes.ts): they cannot drift apart.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RECIPES, ROOT, beginMarker, renderReadme } from "./recipes.ts";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");

test("the README shows every recipe exactly as the packaging suites run it", () => {
  for (const recipe of Object.values(RECIPES)) expect(readme).toContain(beginMarker(recipe.sdk));
  // On a difference, `bun test/packaging/readme.ts` rewrites the blocks from the recipes.
  expect(readme).toBe(renderReadme(readme));
});
