// The image without Docker: dist/bitbroker in a root folder holding only what the distroless image
// holds, run via `chroot --userspec=65532:65532`, serving a full match over 127.0.0.1.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ensureBuilt } from "../../scripts/build.ts";
import { BrokerProcess } from "../e2e/harness.ts";
import { expectTwoBotMatch } from "../e2e/players.ts";
import { NONROOT, RootFs, sharedLibraries, skipReason } from "./rootfs.ts";
import { run } from "./run.ts";

const skip = skipReason();
if (skip) console.warn(`SKIPPED the distroless-like chroot test: ${skip}`);

describe.skipIf(skip !== null)("dist/bitbroker alone in a distroless-like root, as uid 65532", () => {
  let root: RootFs | undefined;
  let broker: BrokerProcess | undefined;
  let binary = "";

  beforeAll(async () => {
    binary = await ensureBuilt();
    root = RootFs.create(binary);
  }, 120_000);
  afterAll(async () => {
    await broker?.stop();
    root?.dispose();
  });

  const inRoot = (...args: string[]): string[] => {
    if (!root) throw new Error("the root folder was not made");
    return root.command(...args);
  };
  const healthcheck = (port: number) => run(inRoot("healthcheck"), { env: { BROKER_HEALTH_PORT: String(port) } });

  test("the root holds the executable, the glibc files ldd names, passwd and group, nothing else", () => {
    expect(sharedLibraries(binary).every((lib) => /\/(ld-linux[^/]*|lib(c|m|dl|pthread|rt)\.so[.\d]*)$/.test(lib))).toBe(true);
    expect(root?.files()).toEqual(["/bitbroker", "/etc/group", "/etc/passwd", ...sharedLibraries(binary)].sort());
  });

  test("--version works there, as nonroot, with no shell, Bun, node_modules or /tmp", async () => {
    const r = await run(inRoot("--version"));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith("bitbroker ");
  });

  test("serves and records a full match as uid 65532; healthcheck exits 0 while it runs and 1 once it is gone", async () => {
    // The image's settings for records: its /data volume (Dockerfile ENV).
    const records = { BROKER_DB: "/data/bitbroker.db", BROKER_RECORD: "on", BROKER_RECORD_DIR: "/data/replays" };
    broker = await BrokerProcess.start({ BROKER_NUM_PLAYERS: "2", ...records }, inRoot());
    // chroot execs the executable in place: the spawned pid is the broker's own.
    const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(readFileSync(`/proc/${broker.proc.pid}/status`, "utf8"));
    expect([Number(uids?.[1]), Number(uids?.[2])]).toEqual([NONROOT, NONROOT]);

    const up = await healthcheck(broker.healthPort);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/^healthy: \{"status":"ok","phase":"lobby"/);

    await expectTwoBotMatch(broker);

    const after = await healthcheck(broker.healthPort);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('"matchesPlayed":1');

    expect(await broker.stop()).toBe(0);
    // The match was recorded, and replayed, on the volume, by uid 65532.
    const db = new Database(join(root!.dir, "data/bitbroker.db"), { readonly: true });
    const rows = db.query("SELECT id, status, end_code, replay FROM matches").all() as Array<Record<string, string>>;
    db.close();
    expect(rows.map((r) => [r.status, r.end_code])).toEqual([["ended", "normal"]]);
    expect(statSync(join(root!.dir, "data/replays", rows[0]!.replay!)).uid).toBe(NONROOT);
    const down = await healthcheck(broker.healthPort);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(new RegExp(`^unhealthy: http://127\\.0\\.0\\.1:${broker.healthPort}/health: \\S`));
  });
});
