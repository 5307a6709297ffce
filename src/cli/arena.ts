// `bitbroker arena`: plays a tournament between bots (any command lines) on an embedded broker,
// one room per match, and prints the table (README "Arena"). Exit 0 when it ran (crashes and
// timeouts of bots are results), 2 for bad settings, 1 when it cannot run, 130 when interrupted.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { parseArenaArgs, type ArenaConfig } from "../arena/config.ts";
import { EmbeddedBroker } from "../arena/embedded.ts";
import { ExternalBroker } from "../arena/external.ts";
import { shellQuote } from "../arena/launch.ts";
import { csvSummary, jsonSummary, textTable, type Summary } from "../arena/output.ts";
import { Progress, describe } from "../arena/progress.ts";
import { htmlReport } from "../arena/report.ts";
import { plan, roundSize } from "../arena/schedule.ts";
import { matchesToPlay, resolveConfig } from "../arena/settings.ts";
import { pentaOf, standings } from "../arena/standings.ts";
import { MatchLogs } from "../arena/logs.ts";
import { JournalStore } from "../arena/store.ts";
import { RecordsStore, instanceOf, startRecords, type ArenaRecords } from "../arena/records.ts";
import type { BrokerEvent } from "../broker/events.ts";
import { parseDbTarget } from "../store/target.ts";
import { mismatches, runTournament, tournamentId } from "../arena/tournament.ts";

export const ARENA_HELP = `usage: bitbroker arena [--config FILE] [--game CMD] [--bot NAME=CMD ...] [options]

Plays a tournament: for each match, the game and the bots are started as child processes on an
embedded broker, in a room of their own, each bot seated by ticket. In each command line
{host} {port} {room} {seat} {name} {seed} are replaced, and BITBROKER_HOST, BITBROKER_PORT,
BITBROKER_ROOM, BITBROKER_SEAT (bots), BITBROKER_NAME (bots) and BITBROKER_SEED are set.
A command is run by /bin/sh -c (in the file, a list of strings runs without a shell).

  --config FILE        a league file (.toml, .yaml): game, bots, schedule, settings (README "Arena")
  --game CMD           the game's command line
  --bot NAME=CMD       a bot (repeat); names tell bots apart in the table
  --relay NAME         this bot (or "game") speaks v1 only: the arena relays it into its room and seat
  --schedule KIND      round-robin (default: every pairing, both seat orders), gauntlet, ffa
  --gauntlet NAME      the gauntlet's bot (default: the first)
  --seats N            seats per match (default 2; more: --schedule ffa)
  --matches N          matches to play (default: one round; with --sprt, until it decides)
  --parallel N         matches at once (default: the number of cores)
  --seed N             the schedule's and the matches' seeds (default 1)
  --sprt E0,E1,A,B     stop when a sequential test decides whether the first bot is stronger
                       than the second by E1 rather than E0 Elo (errors A and B), e.g. 0,10,0.05,0.05
  --match-timeout-ms N a match that has not ended by then is stopped (default 600000)
  --start-timeout-ms N a match that has not started by then is stopped (default 30000)
  --move-timeout-ms N  each move's deadline on the embedded broker (default 10000; 0 = none)
  --broker HOST:PORT   play on that broker instead of an embedded one: its BROKER_NUM_PLAYERS
                       must be the seats (or the game asks); results need its records (BROKER_DB)
  --broker-http URL    its health port, where GET /matches is (default http://HOST:8080)
  --exit-grace-ms N    after a match, how long its processes may take to exit before they are
                       stopped: SIGTERM, then SIGKILL 1 s later, to each one's process group (default 3000)
  --db TARGET          the records database (BROKER_DB's values: a SQLite file, a postgres://
                       URL, or off): every match with its replay, and what --resume reads
                       (default arena.db; with --broker, off: give the one that broker writes)
  --record-dir DIR     where the replays go (default arena-replays; bitbroker replay FILE)
  --journal FILE       what only the arena knows of each match (default arena.jsonl)
  --resume             play only the matches the records and the journal do not have
  --name NAME          the tournament's name (default: derived from game, bots, schedule, seed)
  --json FILE          the standings as JSON (- = stdout, instead of the table)
  --csv FILE           the standings as CSV (- = stdout, instead of the table)
  --report FILE.html   one page: standings, ratings over the tournament, head-to-head, every match
  --logs DIR           each match's output (game and bots), one file per match
  --log-level LEVEL    the embedded broker's log (stderr): debug, info, warn, error (default)`;

export async function arenaCommand(argv: string[]): Promise<number> {
  const args = parseArenaArgs(argv);
  if (args.kind === "help") {
    console.log(ARENA_HELP);
    return 0;
  }
  if (args.kind === "errors") return usage(args.errors);
  let text: string | null = null;
  if (args.flags.config !== null) {
    try {
      text = readFileSync(args.flags.config, "utf8");
    } catch (e) {
      return usage([`--config: cannot read ${args.flags.config}: ${(e as Error).message}`]);
    }
  }
  const resolved = resolveConfig(args.flags, text, { parallel: availableParallelism() });
  if ("errors" in resolved) return usage(resolved.errors);
  return await play(resolved.config, argv);
}

function usage(errors: readonly string[]): number {
  console.error(`bitbroker arena: invalid settings:\n${errors.map((e) => `  - ${e}`).join("\n")}\nSee bitbroker arena --help.`);
  return 2;
}

async function play(config: ArenaConfig, argv: string[]): Promise<number> {
  const tournament = tournamentId(config);
  const names = config.bots.map((b) => b.name);
  const schedule = { kind: config.kind, bots: names.length, seats: config.seats, gauntlet: config.gauntlet, seed: config.seed };
  const planned = plan(schedule, matchesToPlay(config, roundSize(schedule)));
  const journal = new JournalStore(config.journal);
  const target = parseDbTarget(config.db);
  const dbOn = !("problem" in target) && target.kind !== "off";
  const lineupOf = (i: number) => planned[i]?.lineup.map((b) => names[b]!) ?? null;
  const store = dbOn ? new RecordsStore(journal, target, config.db, lineupOf, config.broker ? null : config.recordDir) : journal;
  let before;
  try {
    before = await store.played(tournament);
  } catch (e) {
    console.error(`arena: ${(e as Error).message}`);
    return 1;
  }
  if (before.damaged > 0) console.error(`arena: ${before.damaged} damaged line(s) in ${store.label} skipped (their matches are played again)`);
  const played = before.matches.filter((m) => m.index < planned.length);
  if (played.length > 0 && !config.resume) {
    return usage([
      `${store.label} already hold(s) ${before.matches.length} match(es) of tournament ${tournament}: add --resume to play only what is missing, or give --name to play it again under another name`,
    ]);
  }
  const wrong = mismatches(planned, played, names);
  if (wrong.length > 0) return usage([`${store.label} does not fit this schedule (tournament ${tournament}):`, ...wrong.slice(0, 10)]);

  const progress = new Progress(process.stderr, planned.length, names, played);
  const writeLog = (line: string) => progress.note(line.trimEnd());
  // The embedded broker records every match (and its replay) in --db, before its first match.
  let records: ArenaRecords | null = null;
  let embedded: EmbeddedBroker | null = null;
  if (!config.broker && dbOn) {
    try {
      records = await startRecords({ db: config.db, recordDir: config.recordDir, instance: instanceOf(tournament), logLevel: config.logLevel, writeLog, running: () => embedded?.runningMatches() ?? [] });
    } catch (e) {
      console.error(`arena: cannot keep records: ${(e as Error).message}`);
      return 1;
    }
  }
  const broker = config.broker
    ? new ExternalBroker(config.broker.host, config.broker.port, config.broker.http, (text) => progress.note(text))
    : (embedded = EmbeddedBroker.start({ seats: config.seats, moveTimeoutMs: config.moveTimeoutMs, logLevel: config.logLevel, writeLog, ...(records ? { record: (e: BrokerEvent) => records!.onEvent(e) } : {}) }));
  const logs = new MatchLogs(config.logs);
  const stop = new AbortController();
  let signalName: string | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalName !== null) return;
    signalName = sig;
    progress.note(`arena: ${sig}: stopping the running matches (they are not kept: --resume plays them again)`);
    // The broker ends them first (broker_shutdown), so its records too say they were not played.
    embedded?.shutdownNow();
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const left = planned.length - played.length;
  progress.note(`arena: ${tournament}: ${config.kind} of ${names.length} bots, ${left} of ${planned.length} matches to play, ${config.parallel} at a time (broker ${config.broker ? "" : "embedded, "}${broker.host}:${broker.port}, journal ${store.label})`);

  let outcome;
  try {
    outcome = await runTournament({
      config,
      tournament,
      planned,
      store,
      broker,
      played,
      exitGraceMs: config.exitGraceMs,
      onLine: (room, label, line) => logs.add(room, label, line),
      onMatch: (m, all) => {
        logs.flush(m.room);
        if (m.end !== "normal") progress.note(`match #${m.index} (${m.lineup.join(" vs ")}): ${describe(m)}${m.reason ? `: ${m.reason}` : ""}`);
        progress.matchEnded(m, all.length);
      },
      onFailedStart: (m) => progress.note(`match #${m.index} (${m.lineup.join(" vs ")}) could not start: ${m.reason}`),
      signal: stop.signal,
      beforeHalt: () => embedded?.shutdownNow(),
      ...(records ? { replayOf: (id: string) => records!.replayOf(id) } : {}),
    });
  } catch (e) {
    progress.finish();
    console.error(`arena: stopped: ${(e as Error).message}\nTo resume once it is fixed:\n  ${resumeCommand(argv)}`);
    return 1;
  } finally {
    await broker.stop();
    await records?.close();
    logs.flushAll();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    progress.finish();
  }

  const matches = outcome.matches;
  const table = standings(names, matches);
  const pairOf = (i: number) => planned[i]?.pair ?? null;
  const summary: Summary = {
    tournament,
    kind: config.kind,
    planned: planned.length,
    played: matches.length,
    interrupted: outcome.interrupted,
    gaveUp: outcome.gaveUp !== null,
    table,
    sprt: config.sprt && outcome.sprt ? { spec: config.sprt, state: outcome.sprt, a: names[0]!, b: names[1]!, penta: pentaOf(matches, names[0]!, names[1]!, pairOf) } : null,
  };
  const toStdout = config.json === "-" || config.csv === "-";
  if (!toStdout) console.log(textTable(summary));
  try {
    if (config.json !== null) writeOut(config.json, jsonSummary(summary) + "\n");
    if (config.csv !== null) writeOut(config.csv, csvSummary(summary));
    if (config.report !== null) {
      // A replay that could not be written (a full disk) is not offered.
      const shown = matches.map((m) => (m.replay && !existsSync(m.replay) ? { ...m, replay: null } : m));
      const here = dirname(resolve(config.report));
      writeOut(config.report, htmlReport(summary, shown, { journal: store.label, logs: config.logs, replayHref: (p) => relative(here, resolve(p)) }));
      console.error(`arena: report written to ${config.report}`);
    }
  } catch (e) {
    console.error(`arena: ${(e as Error).message}`);
    return 1;
  }
  if (outcome.gaveUp !== null) {
    console.error(`arena: gave up: ${outcome.gaveUp}\nThose matches are not kept. Once that is fixed, resume with:\n  ${resumeCommand(argv)}`);
    return 1;
  }
  if (outcome.interrupted) {
    console.error(`arena: interrupted after ${matches.length} of ${planned.length} matches. To resume:\n  ${resumeCommand(argv)}`);
    return signalName === "SIGTERM" ? 143 : 130;
  }
  return 0;
}

function writeOut(path: string, text: string): void {
  if (path === "-") {
    process.stdout.write(text);
    return;
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (e) {
    throw new Error(`cannot write ${path}: ${(e as Error).message}`);
  }
}

/** The same command, with --resume. */
export function resumeCommand(argv: readonly string[]): string {
  const script = process.argv[1] ?? "";
  const near = relative(process.cwd(), script);
  const self = script.endsWith(".ts") ? `bun ${shellQuote(near.startsWith("..") || near === "" ? script : near)}` : shellQuote(process.execPath);
  const args = argv.includes("--resume") ? argv : [...argv, "--resume"];
  return [self, "arena", ...args.map(shellQuote)].join(" ");
}
