// src/protocol and src/broker stay pure (STYLE.md): no bun/node imports, clocks, timers,
// randomness or console, and imports flow one way (protocol ← broker ← transport/health ← main).
import { expect, test } from "bun:test";
import { Glob } from "bun";

const ROOT = new URL("..", import.meta.url).pathname;
const FORBIDDEN = [
  /from\s+["'](bun|node:[\w/]+)["']/,
  /\bDate\.now\(/,
  /\bperformance\.now\(/,
  /\bset(Timeout|Interval|Immediate)\(/,
  /\bMath\.random\(/,
  /\bconsole\./,
  /\bprocess\./,
  /\bBun\./,
];

function filesIn(dir: string): string[] {
  return [...new Glob(`${dir}/**/*.ts`).scanSync(ROOT)];
}

for (const dir of ["src/protocol", "src/broker"]) {
  test(`${dir} touches no I/O, clock, timer, randomness or console`, async () => {
    const files = filesIn(dir);
    expect(files.length).toBeGreaterThan(0);
    const hits: string[] = [];
    for (const file of files) {
      const source = await Bun.file(`${ROOT}${file}`).text();
      source.split("\n").forEach((line, i) => {
        const code = line.trim();
        if (code.startsWith("//") || code.startsWith("*") || code.startsWith("/**")) return;
        if (FORBIDDEN.some((re) => re.test(code))) hits.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });
}

test("imports flow one way: protocol imports nothing of ours outside it; broker only protocol", async () => {
  const hits: string[] = [];
  for (const [dir, allowed] of [
    ["src/protocol", ["./"]],
    ["src/broker", ["./", "../protocol/"]],
  ] as const) {
    for (const file of filesIn(dir)) {
      const source = await Bun.file(`${ROOT}${file}`).text();
      for (const [, spec] of source.matchAll(/from\s+["'](\.[^"']+)["']/g)) {
        if (!allowed.some((a) => spec!.startsWith(a)) && !spec!.endsWith(".proto")) hits.push(`${file}: ${spec}`);
      }
    }
  }
  expect(hits).toEqual([]);
});
