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
        moveTimeoutMsMax: 3600000,
        timeBankMsMax: 3600000,
        helloTimeoutMs: 10000,
        lineBytesMax: 16 * 1024 * 1024,
        matches: null,
        queueMax: 1000,
        runningMatchesMax: null,
        drainMs: 0,
        roomsFile: "",
        token: "",
        tokensFile: "",
        connectionsMax: 10000,
        connectionsPerAddressMax: 1000,
        connectRatePerAddress: 200,
        roomsMax: 10000,
        tlsCert: "",
        tlsKey: "",
        plainPort: null,
        plainHost: "127.0.0.1",
        record: false,
        ws: true,
        wsHandshakesMax: 32,
        wsHandshakesPerAddressMax: 8,
        db: { kind: "sqlite", path: "bitbroker.db" },
        recordDir: "replays",
        recordsKeep: null,
        instanceId: "",
        logLevel: "info",
        logFormat: "text",
        agones: false,
        agonesSdkHttpPort: 9358,
        adminToken: "",
        viewersDir: "",
      },
    });
  });

  test("BROKER_AGONES: off by default, on with the sidecar's port from AGONES_SDK_HTTP_PORT", () => {
    const on = loadConfig([], { BROKER_AGONES: "on", AGONES_SDK_HTTP_PORT: "9999", BROKER_HEALTH_PORT: "8081" });
    expect(on).toMatchObject({ kind: "config", config: { agones: true, agonesSdkHttpPort: 9999 } });
    expect(loadConfig(["--agones", "ON", "--health-port", "8081"], {})).toMatchObject({ config: { agones: true, agonesSdkHttpPort: 9358 } });
    // Agones's own variable is not checked while the integration is off.
    expect(loadConfig([], { AGONES_SDK_HTTP_PORT: "nope" })).toMatchObject({ kind: "config", config: { agones: false } });
  });

  test("BROKER_AGONES: refuses other values, a bad sidecar port, and the sidecar's own health port 8080", () => {
    const r = loadConfig([], { BROKER_AGONES: "yes", AGONES_SDK_HTTP_PORT: "0" });
    expect(r).toMatchObject({ kind: "errors" });
    if (r.kind !== "errors") return;
    expect(r.errors).toEqual(['BROKER_AGONES (--agones) must be one of off, on; got "yes"']);
    const bad = loadConfig([], { BROKER_AGONES: "on", AGONES_SDK_HTTP_PORT: "0" });
    if (bad.kind !== "errors") throw new Error("expected errors");
    expect(bad.errors).toEqual([
      'AGONES_SDK_HTTP_PORT (--agones-sdk-http-port) must be a whole number from 1 to 65535; got "0"',
      "BROKER_HEALTH_PORT must not be 8080 with BROKER_AGONES=on: the Agones sidecar listens on it in the same pod (deploy/ uses 8081)",
    ]);
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
