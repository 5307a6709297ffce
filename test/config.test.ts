// Configuration: defaults, environment, flags winning, and every problem listed at once.
import { describe, expect, test } from "bun:test";
import { helpText, loadConfig, SETTINGS } from "../src/config.ts";

describe("loadConfig", () => {
  test("gives the documented defaults and says the player count was defaulted", () => {
    const r = loadConfig([], {});
    expect(r).toEqual({
      kind: "config",
      config: {
        numPlayers: 2,
        numPlayersDefaulted: true,
        host: "0.0.0.0",
        port: 7878,
        healthPort: 8080,
        moveTimeoutMs: 10000,
        helloTimeoutMs: 10000,
        lineBytesMax: 16 * 1024 * 1024,
        matches: null,
        queueMax: 1000,
        runningMatchesMax: null,
        drainMs: 0,
        roomsFile: "",
        record: false,
        db: { kind: "sqlite", path: "bitbroker.db" },
        recordDir: "replays",
        recordsKeep: null,
        instanceId: "",
        logLevel: "info",
        logFormat: "text",
      },
    });
  });

  test("reads the environment, and a flag wins over its variable", () => {
    const r = loadConfig(["--num-players", "8", "--log-format=json"], {
      BROKER_NUM_PLAYERS: "3",
      BROKER_PORT: "9000",
      BROKER_MATCHES: "5",
      BROKER_MOVE_TIMEOUT_MS: "0",
    });
    expect(r.kind).toBe("config");
    if (r.kind !== "config") return;
    expect(r.config).toMatchObject({ numPlayers: 8, numPlayersDefaulted: false, port: 9000, matches: 5, moveTimeoutMs: 0, logFormat: "json" });
  });

  test("lists every problem at once", () => {
    const r = loadConfig(["--port", "70000"], {
      BROKER_NUM_PLAYERS: "256",
      BROKER_HEALTH_PORT: "abc",
      BROKER_MATCHES: "0",
      LOG_LEVEL: "loud",
      BROKER_HELLO_TIMEOUT_MS: "-1",
    });
    expect(r.kind).toBe("errors");
    if (r.kind !== "errors") return;
    expect(r.errors).toHaveLength(6);
    expect(r.errors.join("\n")).toContain('BROKER_NUM_PLAYERS (--num-players) must be a whole number from 1 to 255; got "256"');
    expect(r.errors.join("\n")).toContain("LOG_LEVEL (--log-level) must be one of debug, info, warn, error");
  });

  test("refuses the same port for TCP and health, and unknown flags", () => {
    expect(loadConfig([], { BROKER_PORT: "8080" })).toMatchObject({ kind: "errors" });
    const r = loadConfig(["--nope"], {});
    expect(r.kind).toBe("errors");
  });

  test("--help lists every variable and flag", () => {
    expect(loadConfig(["--help"], {})).toEqual({ kind: "help" });
    for (const s of Object.values(SETTINGS)) {
      expect(helpText()).toContain(s.env);
      expect(helpText()).toContain(`--${s.flag}`);
    }
  });
});
