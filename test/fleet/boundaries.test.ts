// The fleet is a projection: nothing in the broker, transport or health code imports it (only the
// composition root does), and it reads the broker's types, never its objects.
import { expect, test } from "bun:test";
import { Glob } from "bun";

const ROOT = new URL("../..", import.meta.url).pathname;
const files = (pattern: string) => [...new Glob(pattern).scanSync(ROOT)];
const imports = async (file: string) => [...(await Bun.file(`${ROOT}${file}`).text()).matchAll(/^import\s+(type\s+)?.*?from\s+["']([^"']+)["']/gms)];

test("only src/main.ts imports src/fleet", async () => {
  const hits: string[] = [];
  for (const file of files("src/**/*.ts")) {
    if (file.startsWith("src/fleet/") || file === "src/main.ts") continue;
    for (const [, , spec] of await imports(file)) if (spec!.includes("fleet/")) hits.push(`${file}: ${spec}`);
  }
  expect(hits).toEqual([]);
});

test("src/fleet imports only itself, the broker's types (type-only) and its invariant helper", async () => {
  const hits: string[] = [];
  for (const file of files("src/fleet/**/*.ts")) {
    for (const [, typeOnly, spec] of await imports(file)) {
      const ok = spec!.startsWith("./") || spec === "../broker/invariant.ts" || (typeOnly && spec === "../broker/types.ts");
      if (!ok) hits.push(`${file}: ${typeOnly ?? ""}${spec}`);
    }
  }
  expect(hits).toEqual([]);
});
