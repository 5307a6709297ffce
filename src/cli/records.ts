// `bitbroker records export`: writes the match records of BROKER_DB (or --db) as JSON Lines, one
// match per line, oldest first, in the shape of GET /matches/{id}. Reads page by page.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { recordJson } from "../records/json.ts";
import { openStore } from "../store/open.ts";
import { parseDbTarget } from "../store/target.ts";

const HELP = `usage: bitbroker records export [--db D] [--room R] [--out FILE]

Writes every match record (running, ended and interrupted; oldest first) as JSON Lines: one match
per line, as GET /matches/{id} shows it.
  --db D      the records database: a SQLite file or a postgres:// URL (default: $BROKER_DB,
              else bitbroker.db)
  --room R    only the matches of room R
  --out FILE  write to FILE instead of standard output`;

const PAGE = 500;

function fail(message: string): number {
  console.error(`bitbroker records: ${message}\n${HELP.split("\n")[0]}`);
  return 2;
}

export async function recordsCommand(argv: string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  if (argv[0] === "--help" || argv[0] === "-h") {
    console.log(HELP);
    return 0;
  }
  if (argv[0] !== "export") return fail(argv[0] === undefined ? "what to do? (export)" : `unknown command "${argv[0]}" (known: export)`);
  let values;
  try {
    values = parseArgs({
      args: argv.slice(1),
      strict: true,
      options: { db: { type: "string" }, room: { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h" } },
    }).values;
  } catch (e) {
    return fail((e as Error).message);
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const target = parseDbTarget(values.db ?? env.BROKER_DB ?? "bitbroker.db");
  if ("problem" in target) return fail(`--db ${target.problem}`);
  if (target.kind === "off") return fail("BROKER_DB is off: which database? (--db)");
  if (target.kind === "sqlite" && (target.path === ":memory:" || !existsSync(target.path))) {
    console.error(`bitbroker records: no records database at ${target.path}`);
    return 1;
  }
  const store = openStore(target);
  const sink = values.out ? Bun.file(values.out).writer() : null;
  const write = (line: string) => (sink ? sink.write(line) : process.stdout.write(line));
  let count = 0;
  try {
    for (let after: string | null = null; ; ) {
      const page = await store.exportPage(after, PAGE, values.room);
      for (const r of page) write(`${JSON.stringify(recordJson(r))}\n`);
      count += page.length;
      if (page.length < PAGE) break;
      after = page.at(-1)!.id;
    }
    await sink?.end();
    if (values.out) console.error(`bitbroker records: ${count} matches written to ${values.out}`);
    return 0;
  } catch (e) {
    console.error(`bitbroker records: cannot read ${store.label}: ${(e as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}
