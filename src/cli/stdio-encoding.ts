// How `bitbroker stdio` turns a state into one line for the program, and the program's line back
// into a reply (README "stdio bots"). Pure. A body is bytes; a line never holds "\n".
//   text    the state as UTF-8 text; a state with a newline (or not UTF-8) is refused: the line
//           could not hold it. The reply line is sent as it is (UTF-8), less a final "\r".
//   base64  the state in standard base64 (with padding): carries any bytes, newlines included.
//           The reply line must be base64 too.
//   json    the state as one JSON string (a newline becomes \n); it must be UTF-8. The reply is
//           a JSON string (its text is the reply) or any other JSON value (its JSON text is).

export type Encoding = "text" | "base64" | "json";
export const ENCODINGS: readonly Encoding[] = ["text", "base64", "json"];

export class EncodingError extends Error {}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

function asText(state: Uint8Array, encoding: Encoding): string {
  try {
    return utf8.decode(state);
  } catch {
    throw new EncodingError(`a state of ${state.length} bytes is not UTF-8 text: --encoding ${encoding} cannot carry it (use --encoding base64)`);
  }
}

/** The line (without "\n") the program reads for `state`. Throws EncodingError. */
export function stateLine(state: Uint8Array, encoding: Encoding): string {
  if (encoding === "base64") return Buffer.from(state).toString("base64");
  const text = asText(state, encoding);
  if (encoding === "json") return JSON.stringify(text);
  const nl = text.indexOf("\n");
  if (nl >= 0) throw new EncodingError(`a state holds a newline (character ${nl}): --encoding text cannot carry it in one line (use --encoding json or base64)`);
  return text;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The reply for the program's line (without "\n"). Throws EncodingError. */
export function replyOf(line: string, encoding: Encoding): Uint8Array {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (encoding === "text") return encoder.encode(text);
  if (encoding === "base64") {
    const trimmed = text.trim();
    if (!BASE64.test(trimmed)) throw new EncodingError(`the program's reply is not base64: ${JSON.stringify(text.slice(0, 80))}`);
    return new Uint8Array(Buffer.from(trimmed, "base64"));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new EncodingError(`the program's reply is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return encoder.encode(typeof value === "string" ? value : JSON.stringify(value));
}
