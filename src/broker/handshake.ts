// What a message means to a connection still in its handshake (PROTOCOL.md §5.1, §9.1): a hello
// (with an optional Hello), then for a bot its name. Pure: computes; the broker acts.
import { Control, Opcode, ProtocolError, codes, decodeBotName, decodeHello, isCode, type Hello, type Message } from "../protocol/index.ts";
import { invariant } from "./invariant.ts";
import type { Transport } from "./types.ts";

export type Handshake =
  | { readonly kind: "game" | "bot"; readonly hello: Hello | null }
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "reject"; readonly code: "bad_handshake" | "bad_hello"; readonly reason: string };

/** The default room: where a v1 client (or a Hello without a room) plays. */
export const DEFAULT_ROOM = "default";

const ROOM_NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** Client names and versions longer than this are refused: they end up in every log line and record. */
const CLIENT_TEXT_MAX = 128;
const FEATURES_MAX = 32;

/** `stage` "hello": its first message; "name": a bot's second. */
export function handshake(stage: "hello" | "name", m: Message): Handshake {
  if (stage === "name") {
    if (!isCode(m, Opcode.control, Control.botName)) {
      return reject("bad_handshake", `sent ${codes(m)} after its hello; expected its name (00 22)`);
    }
    return decoded(() => ({ kind: "name", name: decodeBotName(m.body) }));
  }
  const kind = isCode(m, Opcode.control, Control.gameHello) ? "game" : isCode(m, Opcode.control, Control.botHello) ? "bot" : null;
  if (kind === null) return reject("bad_handshake", `first message was ${codes(m)}; expected a hello (00 01 or 00 02)`);
  return decoded(() => {
    const hello = decodeHello(m.body);
    const problem = hello && helloProblem(hello);
    return problem ? reject("bad_hello", problem) : { kind, hello };
  });
}

/** What is wrong with a Hello, or null (PROTOCOL.md §9.1). */
function helloProblem(h: Hello): string | null {
  if (h.room !== "" && !ROOM_NAME.test(h.room)) {
    return `room name ${JSON.stringify(h.room.slice(0, 80))} must be 1-64 characters of A-Z a-z 0-9 . _ -`;
  }
  if (h.client.length > CLIENT_TEXT_MAX || h.clientVersion.length > CLIENT_TEXT_MAX) {
    return `client name and version must be at most ${CLIENT_TEXT_MAX} characters`;
  }
  if (h.features.length > FEATURES_MAX) return `at most ${FEATURES_MAX} features may be asked for`;
  if (h.bots > 255) return `a match has at most 255 bots; the Hello asks for ${h.bots}`;
  if (h.seat !== null && h.seat > 254) return `seat ${h.seat} is out of range: seats are 0..254`;
  return null;
}

function decoded(f: () => Handshake): Handshake {
  try {
    return f();
  } catch (e) {
    invariant(e instanceof ProtocolError, "the body decoders throw only ProtocolError");
    return reject("bad_handshake", e.message);
  }
}

function reject(code: "bad_handshake" | "bad_hello", why: string): Handshake {
  return { kind: "reject", code, reason: why };
}

/** The optional features this broker knows (PROTOCOL.md §9.3). */
export const KNOWN_FEATURES: readonly string[] = ["results", "timing", "frames"];

/**
 * The features of a Hello that are granted: the known ones, once each, in the Hello's order. A
 * WebSocket already frames every message, so "frames" is not granted there (PROTOCOL.md §12).
 */
export function grantedFeatures(asked: readonly string[], transport: Transport = "tcp"): string[] {
  return [...new Set(asked.filter((f) => KNOWN_FEATURES.includes(f) && !(f === "frames" && transport === "ws")))];
}
