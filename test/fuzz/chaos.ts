// Chaos connections for the socket-level fuzz (socket.test.ts): each plays a generated script in
// one framing (v1 lines; v2 frames after a Hello that asks for them; WebSocket messages on /ws),
// then either leaves or is cut by us, or sends what the broker must refuse and waits to be closed.
// What it read is checked afterwards: it decodes, and a close by the broker came after 00 FF.
import { expect } from "bun:test";
import fc from "fast-check";
import { connect as netConnect, type Socket } from "node:net";
import {
  Control,
  Opcode,
  ProtocolError,
  askBot,
  botHello,
  botName,
  decodeWelcome,
  encodeEnvelope,
  encodeLine,
  endGame,
  frameBytes,
  gameHello,
  isCode,
  parseReason,
  reply,
  trigger,
  type Message,
} from "../../src/protocol/index.ts";
import { StreamReader } from "../e2e/harness.ts";
import { helloWith } from "../e2e/players.ts";
import { RawWs, frameBytes as wsFrame } from "../e2e/ws-client.ts";
import { envelopeNoise, frameNoise, header, noise, protocolOnly, validMessage } from "./arbitraries.ts";

export type Framing = "lines" | "frames" | "ws";

type Act =
  | { readonly k: "bytes"; readonly bytes: Uint8Array }
  | { readonly k: "message"; readonly message: Message }
  | { readonly k: "huge"; readonly bytes: number };

/**
 * How a script ends: `cut` (an abrupt close), `leave` (a clean close: FIN, or a WebSocket close
 * frame), `refused` (something no framing accepts at any point, then wait for the broker's close),
 * `announce` (v2 only: right after the Welcome, a header announcing more than the limit, alone),
 * `junk` (WebSocket only: bytes that are no WebSocket frame).
 */
type Ending = "cut" | "leave" | "refused" | "announce" | "junk";

export interface Script {
  readonly framing: Framing;
  /** Sent first, as v1 lines (TCP) or messages (WebSocket). */
  readonly handshake: readonly Message[];
  /** v2: wait (bounded) for the Welcome before the acts, as a client should (PROTOCOL.md §11). */
  readonly wait: boolean;
  readonly acts: readonly Act[];
  readonly ending: Ending;
}

export interface Limits {
  readonly lineBytesMax: number;
  /** ¾ of lineBytesMax: the largest v2 frame's envelope, the largest WebSocket message. */
  readonly envelopeBytesMax: number;
}

const rooms = fc.constantFrom("chaos-a", "chaos-b", "");
const knownLines = fc.oneof(
  validMessage,
  fc.constantFrom(gameHello(), botHello(), botName("chaos"), endGame(), reply(new Uint8Array([1])), askBot(0, new Uint8Array([2])), trigger()),
  rooms.map((room) => helloWith("game", { room, bots: 1 })),
  fc.constantFrom("chaos-a", "").map((room) => helloWith("bot", { room })),
);
const message = knownLines.map((message): Act => ({ k: "message", message }));

/** Acts of one framing: its noise, valid messages in the wrong order, lines over the limits. */
function acts(framing: Framing, limits: Limits): fc.Arbitrary<Act[]> {
  const bytes = (framing === "frames" ? fc.oneof(noise, frameNoise) : framing === "ws" ? fc.oneof(envelopeNoise, frameNoise) : noise).map((bytes): Act => ({ k: "bytes", bytes }));
  // Over the handshake's 4 KiB, or over the limit once admitted.
  const huge = fc.constantFrom(5_000, (framing === "lines" ? limits.lineBytesMax : limits.envelopeBytesMax) + 100).map((bytes): Act => ({ k: "huge", bytes }));
  const act = fc.oneof({ weight: 3, arbitrary: bytes }, { weight: 4, arbitrary: message }, { weight: 1, arbitrary: huge });
  return fc.array(act, { maxLength: 7 });
}

const v2Handshake = fc.oneof(
  rooms.map((room) => [helloWith("game", { room, bots: 1, features: ["frames"] })]),
  fc.constantFrom("chaos-a", "").map((room) => [helloWith("bot", { room, features: ["frames"] }), botName("chaos-v2")]),
);
const wsHandshake = fc.oneof(
  fc.constant([] as Message[]),
  fc.constantFrom([gameHello()], [botHello(), botName("chaos-ws")]),
  v2Handshake,
);

export function script(framing: Framing, limits: Limits): fc.Arbitrary<Script> {
  const endings: Ending[] = framing === "lines" ? ["cut", "leave", "refused"] : framing === "frames" ? ["cut", "leave", "refused", "announce"] : ["cut", "leave", "refused", "junk"];
  return fc
    .record({
      handshake: framing === "lines" ? fc.constant([] as Message[]) : framing === "frames" ? v2Handshake : wsHandshake,
      wait: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      acts: acts(framing, limits),
      ending: fc.constantFrom(...endings),
    })
    .map((s) => ({ ...s, framing, wait: framing === "frames" && s.wait, acts: s.ending === "announce" ? [] : s.acts }));
}

/** What a chaos connection saw. */
interface Outcome {
  readonly script: Script;
  /** Who closed it: the broker, us (its ending), or our bound (the broker kept it too long). */
  readonly closedBy: "broker" | "us" | "bound";
  readonly messages: Message[] | ProtocolError;
  /** A Welcome granted it v2 frames. */
  readonly framed: boolean;
  /** WebSocket: the code of the broker's close frame, if any. */
  readonly wsCode: number | null;
  /** TCP, for the report of a failure: the socket's error (a reset), and whether it ever connected. */
  readonly error?: string;
  readonly connected?: boolean;
}

/** Bytes that no framing accepts, whatever came before: a run of base64 letters, no newline, past every limit. */
const refusal = (limits: Limits): Uint8Array => new Uint8Array(limits.lineBytesMax + 100).fill(0x41);
/** A header announcing 1 GiB (PROTOCOL.md §11: refused from the header alone). */
export const ANNOUNCED = 1 << 30;
/** Bounds, not synchronisation: a connection still open after this is a failure (or, after `leave`, ours to close). */
const BOUND_MS = 20_000;

/** One chaos connection over TCP, in v1 lines or (after its handshake) v2 frames. */
export function tcpChaos(port: number, s: Script, limits: Limits): Promise<Outcome> {
  return new Promise((resolve) => {
    const sock: Socket = netConnect({ host: "127.0.0.1", port });
    let closedBy: Outcome["closedBy"] = "broker";
    let welcomed: () => void = () => {};
    const reader = new StreamReader();
    let seen: Message[] | ProtocolError = [];
    const timer = setTimeout(() => {
      if (s.ending !== "leave") closedBy = "bound";
      sock.destroy();
    }, BOUND_MS);
    let error: string | undefined;
    let connected = false;
    sock.on("error", (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    sock.on("data", (d: Uint8Array) => {
      if (!(seen instanceof ProtocolError)) {
        const out = protocolOnly(() => reader.push(Uint8Array.from(d)));
        if (out instanceof ProtocolError) seen = out;
        else seen.push(...out);
      }
      if (reader.framed) welcomed();
    });
    sock.on("close", () => {
      clearTimeout(timer);
      welcomed();
      resolve({ script: s, closedBy, messages: seen, framed: reader.framed, wsCode: null, error, connected });
    });
    sock.on("connect", async () => {
      connected = true;
      if (s.handshake.length > 0) sock.write(s.handshake.map(encodeLine).join(""));
      if (s.wait) await new Promise<void>((r) => (welcomed = r));
      const v2 = s.framing === "frames";
      for (const a of s.acts) {
        if (sock.destroyed) return;
        if (a.k === "bytes") sock.write(a.bytes);
        else if (a.k === "message") sock.write(v2 ? frameBytes(a.message) : encodeLine(a.message));
        else sock.write(new Uint8Array(a.bytes).fill(0x41));
      }
      if (sock.destroyed) return;
      if (s.ending === "cut") {
        closedBy = "us";
        sock.destroy();
      } else if (s.ending === "leave") {
        closedBy = "us";
        sock.end();
      } else if (s.ending === "announce") {
        sock.write(header(ANNOUNCED));
      } else {
        sock.write(refusal(limits));
      }
    });
  });
}

/** One chaos connection over WebSocket (/ws on the HTTP port): one envelope per binary message. */
export async function wsChaos(httpPort: number, s: Script, limits: Limits): Promise<Outcome> {
  const ws = await RawWs.connect(httpPort);
  let closedBy: Outcome["closedBy"] = "broker";
  const send = async (f: () => Promise<void>): Promise<void> => {
    if (!ws.closed) await f().catch(() => {});
  };
  for (const m of s.handshake) await send(() => ws.sendBinary(encodeEnvelope(m)));
  for (const a of s.acts) {
    if (a.k === "bytes") await send(() => ws.sendBinary(a.bytes));
    else if (a.k === "message") await send(() => ws.sendBinary(encodeEnvelope(a.message)));
    else await send(() => ws.sendBinary(new Uint8Array(a.bytes).fill(0x41)));
  }
  if (s.ending === "cut" || s.ending === "leave") closedBy = "us";
  if (s.ending === "cut") ws.terminate();
  // A close frame (1000), then FIN: a clean departure.
  if (s.ending === "leave") await send(() => ws.sendRaw(wsFrame(0x8, Uint8Array.of(0x03, 0xe8))));
  // RSV2 set without an extension that defines it: not a WebSocket frame (RFC 6455 §5.2).
  if (s.ending === "junk") await send(() => ws.sendRaw(Uint8Array.of(0xa2, 0x80, 0, 0, 0, 0)));
  // A text message is refused at any point (PROTOCOL.md §12.1), as the 00 FF says.
  if (s.ending === "refused") await send(() => ws.sendText("refused"));
  let messages: Message[] | ProtocolError = [];
  try {
    messages = await ws.untilClosed(BOUND_MS);
  } catch (e) {
    if (e instanceof ProtocolError) messages = e;
    else {
      if (s.ending !== "leave") closedBy = "bound";
      ws.terminate();
    }
  }
  return { script: s, closedBy, messages, framed: false, wsCode: ws.closeCode };
}

/** What a checked chaos connection came to, for the suite's totals. */
export type Verdict = "ours" | "told" | "untold" | "announce refused";

/**
 * What must hold of a chaos connection, whatever its script: everything the broker sent decodes in
 * its framing; frames are never granted over WebSocket; a refusal is never left open; every close
 * by the broker comes after 00 FF with no reason (the match had ended normally) or a known one
 * (PROTOCOL.md §7), but for a WebSocket message over the limit (closed untold, 1009). Throws.
 */
export function checkOutcome(o: Outcome): Verdict {
  const why = `${o.script.framing} chaos ${JSON.stringify({ handshake: o.script.handshake.map((m) => [m.opcode, m.operand]), wait: o.script.wait, acts: o.script.acts.map((a) => a.k), ending: o.script.ending })}`;
  if (o.messages instanceof ProtocolError) throw new Error(`${why}: the broker sent bytes that do not decode: ${o.messages.message}`);
  if (o.closedBy === "bound") throw new Error(`${why}: still open after ${BOUND_MS} ms`);
  const welcome = o.messages.find((m) => isCode(m, Opcode.control, Control.welcome));
  if (o.script.framing === "ws" && welcome) expect(protocolOnly(() => decodeWelcome(welcome.body).features)).not.toContain("frames");
  if (o.closedBy !== "broker") return "ours";
  const last = o.messages.at(-1);
  // PROTOCOL.md §12.1: a WebSocket message over the limit is closed by the WebSocket server (1009), untold.
  const untold = o.script.framing === "ws" && o.wsCode === 1009;
  // Not a WebSocket frame: the WebSocket server drops it (1002, or no close frame), untold.
  if (o.script.ending === "junk" && o.wsCode !== 1000) return "untold";
  if (!last || !isCode(last, Opcode.control, Control.end)) {
    if (untold) return "untold";
    throw new Error(`${why}: closed by the broker without 00 FF (last: ${last ? `${last.opcode} ${last.operand}` : "nothing"}, close ${o.wsCode}, error ${o.error}, connected ${o.connected})`);
  }
  const text = new TextDecoder().decode(last.body);
  if (text !== "") expect(REASONS).toContain(parseReason(text).code);
  // The only way the broker can know this number is from the header it refused.
  if (text.includes(`line_too_long: frame of ${ANNOUNCED} bytes`)) return "announce refused";
  return "told";
}

/** Reasons a chaos connection may be closed with (PROTOCOL.md §6.1). */
const REASONS = ["bot_disconnected", "game_disconnected", "bot_misbehaved", "game_misbehaved", "hello_timeout", "bad_handshake", "protocol_error", "unexpected_message", "bad_hello", "queue_full"];
