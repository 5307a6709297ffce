// `bun bench/dashboard.ts`: does an open dashboard move the relay's turn latency? With 1,000
// matches running (a child process plays them, one 64-byte turn per match every 200 ms), a probe
// match plays back-to-back turns, timed by its game (action written → reply read), in phases
// alternating "no page" and "page open" (one page on the overview stream, one following a
// running match: the same server-sent events the browser gets, read by another process). Also reports the broker's own
// relay histogram (bitbroker_turn_relay_seconds) per phase. A benchmark: it prints, never fails on time.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { askBot, isCode, Opcode, reply } from "../src/protocol/index.ts";
import { ensureBuilt } from "../scripts/build.ts";
import { BrokerProcess, pollUntil, type RawClient } from "../test/e2e/harness.ts";
import { joinBotIn, joinGameIn } from "../test/e2e/players.ts";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { matches: { type: "string", default: "1000" }, "pace-ms": { type: "string", default: "200" }, "phase-s": { type: "string", default: "8" }, rounds: { type: "string", default: "3" }, source: { type: "boolean", default: false } } });
const MATCHES = Number(values.matches);
const PACE_MS = Number(values["pace-ms"]);
const PHASE_MS = Number(values["phase-s"]) * 1000;
const ROUNDS = Number(values.rounds);

const dir = mkdtempSync(join(tmpdir(), "bitbroker-bench-dash-"));
writeFileSync(join(dir, "rooms.toml"), "[rooms.probe]\nbots = 2\n\n[rooms.load]\nbots = 2\nqueue_max = 10000\n");
const cmd = values.source ? ["bun", "src/main.ts"] : [await ensureBuilt()];
const broker = await BrokerProcess.start({ BROKER_ROOMS_FILE: join(dir, "rooms.toml"), BROKER_MOVE_TIMEOUT_MS: "0", BROKER_HELLO_TIMEOUT_MS: "600000" }, cmd);
const base = `http://127.0.0.1:${broker.healthPort}`;

const load = Bun.spawn(["bun", "bench/lib/load.ts", String(broker.port), String(MATCHES), String(PACE_MS)], { stdout: "pipe", stderr: "inherit" });
const reader = load.stdout.getReader();
for (let text = ""; !text.includes("ready"); ) {
  const { value, done } = await reader.read();
  if (done) throw new Error("the load process exited before its matches started");
  text += new TextDecoder().decode(value);
}
await pollUntil(() => broker.health(), (h) => Number(h.body.matchesRunning) >= MATCHES, 120_000);

// The probe match: its game times every turn.
const game = await joinGameIn(broker.port, "probe", 2);
const bots = [await joinBotIn(broker.port, "P0", "probe"), await joinBotIn(broker.port, "P1", "probe")];
await Promise.all([game.next(), ...bots.map((b) => b.next())]); // Welcomes
await game.next(); // batch
const echo = async (c: RawClient) => {
  for (;;) {
    const m = await c.next(600_000);
    if (m.opcode !== Opcode.move) return;
    await c.send(reply(m.body.subarray(0, 8)));
  }
};
for (const b of bots) void echo(b);
const STATE = new Uint8Array(64).fill(1);
let turn = 0;
async function probe(ms: number): Promise<number[]> {
  const samples: number[] = [];
  const until = performance.now() + ms;
  while (performance.now() < until) {
    if (!isCode(await game.next(), Opcode.trigger, 0)) throw new Error("probe: expected a trigger");
    const t0 = performance.now();
    await game.send(askBot(turn++ % 2, STATE));
    await game.next();
    samples.push((performance.now() - t0) * 1000);
  }
  return samples;
}

/** Two pages' worth of server-sent events (bench/lib/pages.ts, another process): the overview, and one following a running load match. */
async function openPages(): Promise<() => Promise<void>> {
  const running = (await (await fetch(`${base}/matches`)).json()) as { running: Array<{ id: string; room: string }> };
  const followed = running.running.find((m) => m.room === "load")!.id;
  const pages = Bun.spawn(["bun", "bench/lib/pages.ts", base, followed], { stdout: "pipe", stderr: "inherit" });
  const out = pages.stdout.getReader();
  let text = "";
  while (!text.includes("open")) {
    const { value, done } = await out.read();
    if (done) throw new Error("the pages process exited");
    text += new TextDecoder().decode(value);
  }
  return async () => {
    pages.kill("SIGTERM");
    for (;;) {
      const { value, done } = await out.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await pages.exited;
    console.log(`    (pages read ${(Number(text.replace("open", "").trim()) / 1024).toFixed(0)} KiB of events)`);
  };
}

async function relayHistogram(): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^bitbroker_turn_relay_seconds_bucket\{room="probe",le="([^"]+)"\} (\d+)/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}
/** Percentile `q` of a bucket delta: the upper bound of the bucket it falls in. */
function bucketQuantile(before: Map<string, number>, after: Map<string, number>, q: number): string {
  const les = [...after.keys()];
  const total = (after.get("+Inf") ?? 0) - (before.get("+Inf") ?? 0);
  for (const le of les) if ((after.get(le)! - (before.get(le) ?? 0)) / total >= q) return le === "+Inf" ? ">0.1 s" : `≤${Number(le) * 1e6} µs`;
  return "?";
}
const pct = (s: number[], q: number) => s.toSorted((a, b) => a - b)[Math.min(s.length - 1, Math.floor(q * s.length))]!;

await probe(3000); // warm-up
const rows: string[][] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const page of [false, true]) {
    const close = page ? await openPages() : async () => {};
    await Bun.sleep(1000); // let the pages' first summary pass
    const before = await relayHistogram();
    const s = await probe(PHASE_MS);
    const after = await relayHistogram();
    await close();
    rows.push([String(round + 1), page ? "page open" : "no page", String(s.length), pct(s, 0.5).toFixed(0), pct(s, 0.9).toFixed(0), pct(s, 0.99).toFixed(0), bucketQuantile(before, after, 0.5), bucketQuantile(before, after, 0.99)]);
    console.log(rows.at(-1)!.join("\t"));
  }
}
const lscpu = Bun.spawnSync(["nproc"]).stdout.toString().trim();
console.log(`\n${MATCHES} load matches (1 turn each per ${PACE_MS} ms), ${lscpu} CPUs, ${values.source ? "bun src/main.ts" : "dist/bitbroker"}, Bun ${Bun.version}`);
console.log("| round | dashboard | probe turns | game-timed p50 µs | p90 µs | p99 µs | broker relay p50 | relay p99 |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
load.kill();
await load.exited;
await broker.stop();
process.exit(0);
