// The few messages a human seat sends and reads (docs/PROTOCOL.md §3, §9, §12), by hand: envelopes
// are [opcode][operand][body], one per WebSocket message, and the bodies are small protobuf
// messages (proto/arena.proto, proto/initial.proto) of strings and integers. No library, no DOM.
const utf8 = new TextEncoder();
const text = new TextDecoder();

function varint(out, v) {
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function stringField(out, field, s) {
  if (!s) return;
  const bytes = utf8.encode(s);
  out.push((field << 3) | 2);
  varint(out, bytes.length);
  for (const b of bytes) out.push(b);
}

/** An envelope: the two codes and the body. */
export function envelope(opcode, operand, body = new Uint8Array(0)) {
  const out = new Uint8Array(2 + body.length);
  out[0] = opcode;
  out[1] = operand;
  out.set(body, 2);
  return out;
}

/** 00 02 + Hello (bitbroker.arena.Hello): a bot, its room, who it is, its features, its token, human. */
export function botHello({ room, client, clientVersion, features, token, human }) {
  const out = [];
  stringField(out, 1, room);
  stringField(out, 2, client);
  stringField(out, 3, clientVersion);
  for (const f of features) stringField(out, 4, f);
  stringField(out, 6, token);
  if (human) out.push((9 << 3) | 0, 1);
  return envelope(0x00, 0x02, Uint8Array.from(out));
}

/** 00 22 + InitialMessageProto{botName} (field 10). */
export function botName(name) {
  const out = [];
  stringField(out, 10, name);
  return envelope(0x00, 0x22, Uint8Array.from(out));
}

/** 02 00 + the reply. */
export function reply(body) {
  return envelope(0x02, 0x00, body);
}

/** The fields of a protobuf message: field number → values (numbers for varints and fixed64 as a double, bytes for the rest). */
export function fields(bytes) {
  const out = new Map();
  let at = 0;
  const read = () => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length || shift > 49) throw new Error("bad varint");
      const b = bytes[at++];
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
  };
  while (at < bytes.length) {
    const key = read();
    const field = Math.floor(key / 8);
    let value;
    switch (key & 7) {
      case 0:
        value = read();
        break;
      case 1:
        value = new DataView(bytes.buffer, bytes.byteOffset + at, 8).getFloat64(0, true);
        at += 8;
        break;
      case 2: {
        const n = read();
        value = bytes.subarray(at, at + n);
        at += n;
        break;
      }
      case 5:
        at += 4;
        continue;
      default:
        throw new Error(`wire type ${key & 7}`);
    }
    if (!out.has(field)) out.set(field, []);
    out.get(field).push(value);
  }
  return out;
}

const one = (f, n, fallback) => f.get(n)?.at(-1) ?? fallback;
const str = (f, n) => text.decode(one(f, n, new Uint8Array(0)));

/** Welcome (00 03). */
export function welcome(body) {
  const f = fields(body);
  return { brokerVersion: str(f, 1), features: (f.get(2) ?? []).map((b) => text.decode(b)), room: str(f, 3), queuePosition: one(f, 4, 0), bots: one(f, 5, 0) };
}

/** MoveTiming (00 30): this move's time, the bank left, and their sum (0 = no deadline), in ms. */
export function moveTiming(body) {
  const f = fields(body);
  return { moveMs: one(f, 1, 0), bankMs: one(f, 2, 0), deadlineMs: one(f, 3, 0) };
}

/** MatchResult (00 32): per seat index a score and/or rank, and a summary. */
export function matchResult(body) {
  const f = fields(body);
  const seats = (f.get(1) ?? []).map((b) => {
    const s = fields(b);
    return { index: one(s, 1, 0), score: one(s, 2, undefined), rank: one(s, 3, undefined) };
  });
  return { seats, summary: str(f, 2) };
}
