// The shared client-session table (test/vectors/session.json, PROTOCOL.md §10): what the
// TypeScript SDK does with each message in each state. The Python and Rust suites read it too.
import { describe, expect, test } from "bun:test";
import { decodeEnvelope, decodeResult, type Message } from "../../src/protocol/index.ts";
import { Action, DEFAULTS, GameSession, SdkError, botStep, type BotStep, type GameStep } from "../../src/sdk/index.ts";
import table from "../vectors/session.json" with { type: "json" };

interface Expect {
  readonly event?: string;
  readonly move_ms?: number;
  readonly bank_ms?: number;
  readonly deadline_ms?: number;
  readonly bot?: number;
  readonly timing?: { bot: number; think_ms: number; bank_ms: number; missed: boolean };
  readonly seats?: ReadonlyArray<{ index: number; score?: number; rank?: number }>;
  readonly summary?: string;
  readonly body_hex?: string;
  readonly bots?: ReadonlyArray<{ index: number; name: string }>;
  readonly error?: string;
  readonly reason_code?: string;
  readonly reason?: string;
}

const envelope = (hex: string): Message => decodeEnvelope(Uint8Array.fromHex(hex));

/** The SDK's answer to one message, in the table's terms. */
function outcome(receive: () => BotStep | GameStep): Expect {
  let step: BotStep | GameStep;
  try {
    step = receive();
  } catch (e) {
    if (!(e instanceof SdkError)) throw e;
    const ended = e.code === "match_aborted" || e.code === "refused" || e.code === "broker_shutdown";
    return ended ? { error: e.code, reason_code: e.reasonCode, reason: e.reason } : { error: e.code };
  }
  switch (step.kind) {
    case "move":
      return { event: "move", body_hex: step.state.toHex() };
    case "reply":
      return { event: "reply", body_hex: step.body.toHex() };
    case "start":
      return { event: "start", bots: step.bots };
    case "result":
      return { event: "result", seats: step.result.seats, summary: step.result.summary };
    case "timing":
      return { event: "timing", move_ms: step.timing.moveMs, bank_ms: step.timing.bankMs, deadline_ms: step.timing.deadlineMs };
    case "missed":
      return { event: "missed", bot: step.missed.bot, deadline_ms: step.missed.deadlineMs };
    case "trigger": {
      const t = step.timing;
      return t ? { event: "trigger", timing: { bot: t.bot, think_ms: t.thinkMs, bank_ms: t.bankMs, missed: t.missed } } : { event: "trigger" };
    }
    default:
      return { event: step.kind };
  }
}

/** A game session walked along `path` ("recv HEX", "act play I HEX", "act end"). */
function gameAt(path: readonly string[]): GameSession {
  const s = new GameSession();
  for (const step of path) {
    const [verb, what, ...rest] = step.split(" ");
    if (verb === "recv") s.receive(envelope(what!));
    else if (what === "end") s.act(rest[0] ? Action.endGame(decodeResult(Uint8Array.fromHex(rest[0]), 256)) : Action.endGame());
    else s.act(Action.playerAction(Number(rest[0]), Uint8Array.fromHex(rest[1] ?? "")));
  }
  return s;
}

/** The table's reason, when it expects one, compared with the whole error; else the code alone. */
function comparable(expected: Expect, got: Expect): Expect {
  if (expected.error && expected.reason === undefined) return { error: got.error };
  return got;
}

describe("every case of the client-session table", () => {
  for (const c of table.cases) {
    test(c.name, () => {
      const got =
        c.side === "bot"
          ? outcome(() => botStep(envelope(c.receive_hex)))
          : (() => {
              const s = gameAt(c.path);
              return outcome(() => s.receive(envelope(c.receive_hex)));
            })();
      expect(comparable(c.expect, got)).toEqual(c.expect);
    });
  }
});

test("the SDK's defaults are the table's", () => {
  const d = table.defaults;
  expect({ ...DEFAULTS } as Record<string, number | null>).toEqual({
    connectTimeoutMs: d.connect_timeout_ms,
    connectRetryFirstDelayMs: d.connect_retry_first_delay_ms,
    connectRetryMaxDelayMs: d.connect_retry_max_delay_ms,
    lineBytesMax: d.line_bytes_max,
    readTimeoutMs: d.read_timeout_ms,
  });
});

test("the SDK's error codes are the table's", () => {
  const codes: readonly string[] = table.errors.map((e) => e.code);
  // Every code the table lists is one an SdkError can carry (the type is checked by tsc);
  // `aborted` (an AbortSignal) and `text_frame` (a WebSocket text message) are the TypeScript SDK's own.
  const ours: Record<SdkError["code"], true> = {
    connect_failed: true, connection_lost: true, read_timeout: true, match_aborted: true, refused: true,
    broker_shutdown: true, bad_base64: true, short_envelope: true, unknown_opcode: true, line_too_long: true,
    bad_protobuf: true, unexpected_message: true, aborted: true, text_frame: true,
  };
  expect(Object.keys(ours).filter((c) => c !== "aborted" && c !== "text_frame").sort()).toEqual([...codes].sort());
});
