// `bun run bench:relay`: the broker's own cost of one turn, in process and without sockets: the
// steps of src/transport/tcp.ts and driver.ts (decoder → Broker.handle → the projections main.ts
// feeds → outbox) on Bun-like fresh read chunks. Per turn: ns, bytes allocated (JSC's GC log, read by the
// parent from a child per case) and objects allocated by type (JSC's heap counts over a window
// without a collection). A benchmark, never a test.
import { drainMicrotasks, fullGC, heapStats } from "bun:jsc";
import { parseArgs } from "node:util";
import { Broker } from "../src/broker/broker.ts";
import type { Command } from "../src/broker/types.ts";
import { LiveModel } from "../src/dashboard/live.ts";
import { RecentMatches } from "../src/matches/recent.ts";
import { BrokerMetrics } from "../src/metrics/metrics.ts";
import { FrameDecoder, LineDecoder, botName, encodeHello, encodeLine, envelopeBytesMax, frameBytes, lineBytes, message, type Message } from "../src/protocol/index.ts";
import { Outbox } from "../src/transport/outbox.ts";
import { brokerSettings } from "../test/broker/driver.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    sizes: { type: "string", default: "64,4096,262144" },
    replies: { type: "string", default: "fixed,echo" },
    framing: { type: "string", default: "lines,frames" },
    "no-projections": { type: "boolean", default: false },
    rounds: { type: "string", default: "7" },
    /** Internal: run one case ("size,reply,framing") and print its JSON (the parent reads the GC log). */
    case: { type: "string" },
  },
});
const MARK = "relay-mark";
const LINE_BYTES_MAX = 16 * 1024 * 1024;
/** The transport's scratch (src/protocol/scratch.ts), when this checkout has one (an older one may not: --before). */
type ScratchLike = ConstructorParameters<typeof LineDecoder>[1];
const scratchModule = await import("../src/protocol/scratch.ts").catch(() => null);
const newScratch = (): ScratchLike => (scratchModule ? new scratchModule.Scratch() : undefined);
const enc = new TextEncoder();

/** One connection as tcp.ts keeps it, writing into nothing. */
interface Conn {
  decoder: LineDecoder | FrameDecoder;
  encode: (m: Message) => Uint8Array;
  outbox: Outbox;
}

class Relay {
  readonly broker = new Broker(brokerSettings());
  private readonly conns = new Map<number, Conn>();
  private readonly metrics = new BrokerMetrics(new Set(["default"]));
  private readonly live = new LiveModel();
  private readonly recent = new RecentMatches();
  private readonly sink = { write: (d: Uint8Array, _offset = 0, length = d.length) => length, shutdown() {} };
  private readonly scratch = newScratch();

  constructor(private readonly projections: boolean) {}

  open(id: number): void {
    this.conns.set(id, { decoder: new LineDecoder(LINE_BYTES_MAX, this.scratch), encode: lineBytes, outbox: new Outbox(this.sink, 2 * LINE_BYTES_MAX) });
    this.apply(this.broker.handle({ kind: "opened", conn: id, peer: `127.0.0.1:${id}`, address: "127.0.0.1" }, performance.now()));
  }

  private readonly event: { kind: "received"; conn: number; message: Message } = { kind: "received", conn: 0, message: message(0, 0) };
  private readonly touched: Outbox[] = [];

  /** tcp.ts `data`: decode the chunk, one broker step per message, then the microtasks the event loop would run. */
  data(id: number, chunk: Uint8Array): void {
    const messages = this.conns.get(id)!.decoder.push(chunk);
    const now = performance.now();
    for (let i = 0; i < messages.length; i++) {
      this.event.conn = id;
      this.event.message = messages[i]!;
      this.apply(this.broker.handle(this.event, now));
    }
    drainMicrotasks();
  }

  /** tcp.ts `apply`. */
  private apply(commands: Command[]): void {
    const touched = this.touched;
    for (const c of commands) {
      if (c.kind === "send") {
        const conn = this.conns.get(c.conn)!;
        conn.outbox.push(conn.encode(c.message));
        touched.push(conn.outbox);
      } else if (c.kind === "event" && this.projections) {
        this.metrics.onEvent(c.event);
        this.live.onEvent(c.event);
        this.recent.onEvent(c.event);
      } else if (c.kind === "admitted" && c.framing === "frames") {
        const conn = this.conns.get(c.conn)!;
        conn.decoder = new FrameDecoder(envelopeBytesMax(LINE_BYTES_MAX), this.scratch);
        conn.encode = frameBytes;
      }
    }
    this.broker.release();
    for (let i = 0; i < touched.length; i++) touched[i]!.flush();
    touched.length = 0;
  }
}

function state(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31) ^ (i >> 8));
}

/** A match of a game (1) and two bots (2, 3) in lines or frames, and the chunks of one turn. */
function setUp(size: number, reply: string, framing: string, projections: boolean) {
  const r = new Relay(projections);
  const frames = framing === "frames";
  const hello = (operand: number) => enc.encode(encodeLine(message(0, operand, frames ? encodeHello({ features: ["frames"] }) : new Uint8Array(0))));
  const wire = (m: Message) => (frames ? frameBytes(m) : lineBytes(m));
  for (const id of [1, 2, 3]) r.open(id);
  for (const id of [2, 3]) {
    r.data(id, hello(0x02));
    r.data(id, enc.encode(encodeLine(botName(`b${id}`))));
  }
  r.data(1, hello(0x01));
  const s = state(size);
  const actions = [wire(message(1, 0, s)), wire(message(1, 1, s))];
  const answer = wire(message(2, 0, reply === "echo" ? s : enc.encode("move:42!")));
  return (t: number) => {
    // A fresh chunk per read, as Bun gives (a copy made outside the timing would be fairer, but
    // Bun's own copy is part of a real turn too).
    r.data(1, actions[t & 1]!.slice());
    r.data(2 + (t & 1), answer.slice());
  };
}

/**
 * Objects allocated per turn by type, over `n` turns right after a full collection (less what
 * counting them costs). In a
 * synchronous loop a collection runs only once the cycle's allowance (8 MiB or more) is spent, so
 * `n` turns must allocate less; a type whose count fell says one ran (then fewer turns are tried).
 */
function objectsPerTurn(turn: (t: number) => void, n: number): Record<string, number> | string {
  const window = (turns: number): Record<string, number> | null => {
    fullGC();
    const before = heapStats().objectTypeCounts;
    for (let t = 0; t < turns; t++) turn(t);
    const after = heapStats().objectTypeCounts;
    if (Object.entries(before).some(([type, count]) => (after[type] ?? 0) < count)) return null;
    return Object.fromEntries(Object.entries(after).map(([type, count]) => [type, count - (before[type] ?? 0)]));
  };
  const counting = window(0) ?? {};
  for (let tries = 0; tries < 6; tries++, n = Math.max(1, n >> 2)) {
    const counts = window(n);
    if (counts === null) continue;
    const out: Record<string, number> = {};
    for (const [type, count] of Object.entries(counts)) {
      const d = (count - (counting[type] ?? 0)) / n;
      if (d >= 0.01) out[type] = Math.round(d * 100) / 100;
    }
    return out;
  }
  return "a collection ran in every window";
}

function nsPerTurn(turn: (t: number) => void, size: number, rounds: number): number {
  const n = size <= 4096 ? 20_000 : 300;
  const each: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = Bun.nanoseconds();
    for (let t = 0; t < n; t++) turn(t);
    each.push((Bun.nanoseconds() - t0) / n);
  }
  return each.sort((a, b) => a - b)[Math.floor(each.length / 2)]!;
}

/** Turns for about `seconds`, after a full collection, between two marks on stderr. */
function markedTurns(turn: (t: number) => void, seconds: number): number {
  fullGC();
  process.stderr.write(`${MARK} start\n`);
  const until = Bun.nanoseconds() + seconds * 1e9;
  let t = 0;
  while (Bun.nanoseconds() < until) for (let i = 0; i < 100; i++) turn(t++);
  process.stderr.write(`${MARK} end\n`);
  return t;
}

/** The child: one case, its figures as JSON on stdout. */
function runCase(spec: string): void {
  const [size, reply, framing] = spec.split(",") as [string, string, string];
  const turn = setUp(Number(size), reply, framing, !values["no-projections"]);
  const big = Number(size) > 4096;
  for (let t = 0; t < (big ? 500 : 20_000); t++) turn(t); // warm-up: the JIT's tiers
  const ns = nsPerTurn(turn, Number(size), Number(values.rounds));
  const turns = markedTurns(turn, 2);
  const objects = objectsPerTurn(turn, big ? 2 : Number(size) > 64 ? 200 : 1000);
  console.log(JSON.stringify({ ns, turns, objects }));
}

/** Bytes JSC counted between the child's marks: every collection in a synchronous loop is requested. */
function bytesBetweenMarks(stderr: string): { bytes: number; collections: number; allowed: number } {
  let inside = false;
  let bytes = 0;
  let collections = 0;
  let allowed = 8 * 1024 * 1024;
  for (const line of stderr.split("\n")) {
    if (line.startsWith(MARK)) inside = line.endsWith("start");
    const m = /bytes allocated this cycle: (\d+) exceed bytes allowed: (\d+)/.exec(line);
    if (m && inside) {
      bytes += Number(m[1]);
      collections++;
      allowed = Number(m[2]);
    }
  }
  return { bytes, collections, allowed };
}

const list = (s: string) => s.split(",").filter((x) => x !== "");
if (values.case !== undefined) {
  runCase(values.case);
  process.exit(0);
}
console.log(`broker cost of one turn in process, Bun ${Bun.version}; ${values["no-projections"] ? "no projections" : "metrics, dashboard and recent matches fed"}; ns: median of ${values.rounds} rounds; B: bytes JSC counted over ~2 s of turns`);
for (const size of list(values.sizes).map(Number)) {
  for (const reply of list(values.replies)) {
    for (const framing of list(values.framing)) {
      const args = ["--case", `${size},${reply},${framing}`, "--rounds", String(values.rounds), ...(values["no-projections"] ? ["--no-projections"] : [])];
      const child = Bun.spawnSync([process.execPath, import.meta.path, ...args], { env: { ...process.env, BUN_JSC_logGC: "1" } });
      if (child.exitCode !== 0) throw new Error(`case ${size} ${reply} ${framing} failed: ${child.stderr.toString().slice(-2000)}`);
      const r = JSON.parse(child.stdout.toString().trim().split("\n").at(-1)!) as { ns: number; turns: number; objects: Record<string, number> | string };
      const gc = bytesBetweenMarks(child.stderr.toString());
      const bytes = gc.collections === 0 ? `< ${Math.ceil(gc.allowed / r.turns)}` : `≈ ${Math.round(gc.bytes / r.turns).toLocaleString("en")}`;
      const objects = typeof r.objects === "string" ? r.objects : Object.entries(r.objects).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ") || "none";
      console.log(`${String(size).padStart(6)} B ${reply.padEnd(5)} ${framing.padEnd(6)} ${Math.round(r.ns).toLocaleString("en").padStart(9)} ns/turn  ${bytes.padStart(11)} B/turn  objects/turn: ${objects}`);
    }
  }
}
