// WebSocket framing (PROTOCOL.md §12): one envelope per binary WebSocket message, no base64, no
// newline, no length prefix (the WebSocket frames it). Checks each message's size and decodes it.
// Pure: no sockets, no clocks.
import { ProtocolError } from "./errors.ts";
import { decodeEnvelope, type Message } from "./message.ts";

/** Decodes whole WebSocket messages, as LineDecoder and FrameDecoder decode byte streams. */
export class EnvelopeDecoder {
  /** @param envelopeBytesMax longest accepted message (the handshake's 4 KiB, then ¾ of BROKER_LINE_BYTES_MAX). */
  constructor(private envelopeBytesMax: number) {}

  setEnvelopeBytesMax(envelopeBytesMax: number): void {
    this.envelopeBytesMax = envelopeBytesMax;
  }

  /**
   * One whole binary message → its message, which keeps `bytes` as its `envelope` (the body is a
   * view: `bytes` must not be reused by the caller). Throws ProtocolError.
   */
  push(bytes: Uint8Array): Message[] {
    if (bytes.length > this.envelopeBytesMax) {
      throw new ProtocolError("line_too_long", `message of ${bytes.length} bytes; at most ${this.envelopeBytesMax}`);
    }
    return [decodeEnvelope(bytes, undefined, true)];
  }

  /** A text message: never an envelope. Throws ProtocolError("text_frame"). */
  text(length: number): never {
    throw new ProtocolError("text_frame", `a text message of ${length} characters; envelopes travel in binary messages`);
  }
}
