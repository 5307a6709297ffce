// Command-line parsing shared by the example's game and bot (node:util parseArgs). Exits 2 on misuse.
import { parseArgs } from "node:util";

/** Parsed options: the broker's address plus the extra string options a CLI declares. */
export interface CliArgs {
  readonly host: string;
  readonly port: number;
  readonly extra: Readonly<Record<string, string | undefined>>;
}

/** Parses `--host H --port P` plus `extra` string options; prints `usage` and exits 2 if they are wrong. */
export function parseCli(argv: string[], usage: string, extra: readonly string[] = []): CliArgs {
  const options: Record<string, { type: "string" } | { type: "boolean" }> = {
    host: { type: "string" },
    port: { type: "string" },
    help: { type: "boolean" },
  };
  for (const name of extra) options[name] = { type: "string" };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    return fail(usage, (e as Error).message);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const port = Number(values.port ?? "7878");
  if (!Number.isInteger(port) || port < 1 || port > 65535) return fail(usage, `--port must be 1..65535, not ${String(values.port)}`);
  const picked: Record<string, string | undefined> = {};
  for (const name of extra) {
    const v = values[name];
    picked[name] = typeof v === "string" ? v : undefined;
  }
  return { host: typeof values.host === "string" ? values.host : "127.0.0.1", port, extra: picked };
}

function fail(usage: string, problem: string): never {
  console.error(`${problem}\n${usage}`);
  process.exit(2);
}
