// `bun run bench -- --concurrency 1,10,100,1000`: every level, ours and NATS, in interleaved
// rounds; prints the runs as they go, then the medians table and the targets, and writes the JSON.
import { mkdirSync } from "node:fs";
import { runConcurrent, type ConcOptions, type ConcRun, type ConcSystem } from "./concurrency.ts";
import { concChecks, concTable, summarize } from "./concurrency-report.ts";
import { checksText } from "./report.ts";
import type { Machine } from "./machine.ts";
import { niceAutogroup, type Procs } from "./procs.ts";

export interface Axis {
  levels: number[];
  systems: ConcSystem[];
  rounds: number;
  options: ConcOptions;
  quick: boolean;
}

const loadAvg = async (): Promise<string> => (await Bun.file("/proc/loadavg").text()).trim();

/** Every level and system once per round; prints each run as it ends. */
async function playRounds(procs: Procs, axis: Axis): Promise<ConcRun[]> {
  const runs: ConcRun[] = [];
  for (let round = 1; round <= axis.rounds; round++) {
    for (const matches of axis.levels) {
      // Who goes first alternates, so neither system always follows the other's teardown.
      const order = round % 2 === 1 ? axis.systems : [...axis.systems].reverse();
      for (const system of order) {
        const r = await runConcurrent(procs, axis.options, system, matches, round);
        runs.push(r);
        console.log(
          `   round ${round} ${system.padEnd(4)} ${String(matches).padStart(5)} matches: ${r.turnsPerS.toFixed(0)} turns/s, p50 ${r.p50Us.toFixed(0)} µs, p99 ${r.p99Us.toFixed(0)} µs, ` +
            `server ${r.serverCpuUsPerTurn.toFixed(1)} µs CPU/turn (${r.serverCpuPct.toFixed(0)}%), peers ${r.peersCpuPct.toFixed(0)}%, ` +
            `RSS ${r.serverRssMb.toFixed(1)} MB (peak ${r.serverPeakRssMb.toFixed(1)}), others ${r.otherCpuPct.toFixed(0)}%`,
        );
      }
    }
  }
  return runs;
}

export async function concurrencyAxis(procs: Procs, axis: Axis, machine: Machine, root: string, command: string): Promise<void> {
  const o = axis.options;
  const loadBefore = await loadAvg();
  console.log(`== concurrency axis: ${axis.levels.join(", ")} matches of ${o.bots} bots, ${o.sizeBytes} B states, rooms ${o.rooms}; ${axis.rounds} rounds`);
  console.log(`== warm-up ${o.warmupSeconds} s, window ${o.windowSeconds} s; server on CPUs ${o.serverCpus ?? "any"}, peers on CPUs ${o.peerCpus ?? "any"}; nice ${o.nice}; load average ${loadBefore}`);
  const started = performance.now();
  const runs: ConcRun[] = [];
  const restoreNice = await niceAutogroup(o.nice);
  try {
    runs.push(...(await playRounds(procs, axis)));
  } finally {
    restoreNice();
  }
  const seconds = (performance.now() - started) / 1000;
  const rows = summarize(runs);
  const targets = concChecks(rows);
  console.log(`\n== concurrency: medians over ${axis.rounds} round${axis.rounds === 1 ? "" : "s"} (lowest–highest), ${seconds.toFixed(0)} s`);
  console.log(concTable(rows));
  if (targets.length > 0) console.log(`\n== issue 12 targets (our broker)\n${checksText(targets)}`);

  const dir = `${root}/bench/results`;
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = `${dir}/${stamp}-concurrency${axis.quick ? "-quick" : ""}.json`;
  const result = {
    command,
    date: new Date().toISOString(),
    machine,
    method: {
      match: `${o.bots} bots, ${o.sizeBytes} B states; the game round-robins over its bots; bots answer at once with a fixed 8-byte body`,
      turn: "game writes its action (NATS: publishes its request), timer stops when the reply has been read",
      peers: "one process, one thread: a tokio current-thread runtime with one task per connection (games and bots), the same for both systems",
      ours: `${o.compiled ? "dist/bitbroker" : "bun src/main.ts"}, no BROKER_MATCHES; ${o.rooms === "per-match" ? "match i in room m<i> (a Hello in every hello line)" : "every match in the default room (v1 hellos)"}`,
      nats: "nats-server, NATS client protocol spoken by the swarm: bot i of match m subscribes bot.m.i, game m requests with reply subject _INBOX.m; payloads are the v1 lines without the newline",
      window: `all games pause at a barrier after ${o.warmupSeconds} s of warm-up; the server is sampled; they play for ${o.windowSeconds} s and pause again; the server is sampled again`,
      turnsPerS: "timed turns of every match over the window's wall time",
      latency: "nearest-rank percentiles over every timed turn of every match",
      serverCpu: "utime+stime of the server (all threads) from /proc/<pid>/stat over the window, per timed turn and in % of one CPU",
      serverRss: "VmRSS and VmHWM of the server at the end of the window (the peak includes connecting and warm-up)",
      pinning: `server on CPUs ${o.serverCpus ?? "any"}, peers on CPUs ${o.peerCpus ?? "any"}`,
      nice: `server and peers at niceness ${o.nice}, and so the bench's session (autogroup)`,
      rounds: `${axis.rounds}, interleaved (every level and system once per round, the first system alternating); rows: medians (lowest–highest)`,
      before: o.paths.before === undefined ? null : { dir: o.paths.before, commit: Bun.spawnSync(["git", "-C", o.paths.before, "rev-parse", "HEAD"]).stdout.toString().trim() },
    },
    seconds,
    loadAverage: { before: loadBefore, after: await loadAvg() },
    rows,
    runs,
    targets,
  };
  await Bun.write(file, JSON.stringify(result, null, 2) + "\n");
  console.log(`\nwritten: ${file.slice(root.length + 1)}`);
}
