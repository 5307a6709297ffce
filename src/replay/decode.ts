// Reads the replay format (format.ts, docs/REPLAY.md) back: bytes in, in any chunks, records out.
// Incomplete input is normal; damage is a ReplayError with its code, record and byte. Pure.
import {
  BODY_BYTES_MAX,
  FORMAT_VERSION,
  JSON_BYTES_MAX,
  MAGIC,
  ReplayError,
  SAME_BODY,
  Tag,
  crc32,
  type ReplayEnd,
  type ReplayHeader,
  type ReplayRecord,
} from "./format.ts";

/** Thrown inside the decoder when the buffered bytes end before the part being read. */
const MORE = Symbol("more");

/** Feed it the file's bytes in any chunks; it gives the header, then records. */
export class ReplayDecoder {
  private buf = new Uint8Array(0);
  private pos = 0;
  /** File offset of buf[0]. */
  private base = 0;
  header: ReplayHeader | null = null;
  ended = false;
  /** The body of the last message record, for a record that repeats it. */
  private lastBody: Uint8Array | null = null;
  records = 0;

  /** Appends a chunk; returns every record now complete. Throws ReplayError on damage. */
  push(chunk: Uint8Array): ReplayRecord[] {
    const rest = this.buf.subarray(this.pos);
    const joined = new Uint8Array(rest.length + chunk.length);
    joined.set(rest);
    joined.set(chunk, rest.length);
    this.base += this.pos;
    this.buf = joined;
    this.pos = 0;
    const out: ReplayRecord[] = [];
    for (;;) {
      const start = this.pos;
      try {
        if (this.header === null) this.header = this.readHeader();
        else if (this.pos < this.buf.length) out.push(this.readRecord());
        else return out;
      } catch (e) {
        if (e !== MORE) throw e;
        this.pos = start;
        return out;
      }
    }
  }

  /** The file ended: anything half-read, or no end record, is a truncation. */
  finish(): void {
    const at = this.base + this.pos;
    if (this.header === null) {
      const what = this.buf.length === 0 ? "the file is empty" : `the file ends inside its header (${this.buf.length} bytes)`;
      throw new ReplayError("truncated", `${what}: not a whole replay`, at);
    }
    if (this.pos < this.buf.length) {
      throw new ReplayError("truncated", `the file ends inside record ${this.records + 1} (byte ${at}, ${this.buf.length - this.pos} bytes of it): it was cut short, or a length in it is damaged`, at);
    }
    if (!this.ended) {
      throw new ReplayError("truncated", `the file ends after ${this.records} records without its end record: the recording stopped before the match ended (broker killed, or disk full)`, at);
    }
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw MORE;
  }

  private u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  private u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  private varint(what: string): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      n += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return n;
      scale *= 128;
    }
    throw new ReplayError("bad_record", `record ${this.records + 1}: its ${what} is not a valid number`, this.base + this.pos);
  }

  private readHeader(): ReplayHeader {
    this.need(MAGIC.length);
    for (let i = 0; i < MAGIC.length; i++) {
      if (this.buf[i] !== MAGIC[i]) throw new ReplayError("bad_magic", "not a BitBroker replay file (it does not start with BBREPLAY)", 0);
    }
    this.pos = MAGIC.length;
    const version = this.u8();
    if (version !== FORMAT_VERSION) {
      throw new ReplayError("unsupported_version", `replay format version ${version}; this bitbroker reads version ${FORMAT_VERSION}`, MAGIC.length);
    }
    const length = this.u32();
    if (length > JSON_BYTES_MAX) throw new ReplayError("bad_header", `a header of ${length} bytes: the file is damaged`, MAGIC.length + 1);
    this.need(length + 4);
    const json = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    if (this.u32() !== crc32(json)) throw new ReplayError("checksum", "the header's checksum does not match: the file is damaged", MAGIC.length + 5);
    try {
      const h = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json)) as ReplayHeader;
      if (typeof h.matchId !== "string" || !Array.isArray(h.seats)) throw new Error("fields missing");
      return h;
    } catch (e) {
      throw new ReplayError("bad_header", `the header is not valid: ${(e as Error).message}`, MAGIC.length + 5);
    }
  }

  private readRecord(): ReplayRecord {
    const start = this.pos;
    const at = this.base + start;
    if (this.ended) throw new ReplayError("after_end", `bytes after the end record (byte ${at}): the file is damaged`, at);
    const tag = this.u8();
    let record: ReplayRecord;
    const kind = tag & ~SAME_BODY;
    if (kind === Tag.in || kind === Tag.out) {
      const party = this.varint("party") - 1;
      const atUs = this.varint("time");
      this.need(2);
      const opcode = this.buf[this.pos++]!;
      const operand = this.buf[this.pos++]!;
      let body: Uint8Array;
      if (tag & SAME_BODY) {
        if (this.lastBody === null) throw new ReplayError("bad_record", `record ${this.records + 1} (byte ${at}) repeats a body, but no record before it has one`, at);
        body = this.lastBody;
      } else {
        const length = this.varint("length");
        if (length > BODY_BYTES_MAX) throw new ReplayError("bad_record", `record ${this.records + 1} (byte ${at}) claims a body of ${length} bytes: the file is damaged`, at);
        this.need(length + 4);
        body = this.buf.slice(this.pos, this.pos + length);
        this.pos += length;
      }
      record = { kind: "message", dir: kind === Tag.in ? "in" : "out", party, atUs, opcode, operand, body };
    } else if (tag === Tag.end) {
      const atUs = this.varint("time");
      const length = this.varint("length");
      if (length > JSON_BYTES_MAX) throw new ReplayError("bad_record", `record ${this.records + 1}: an end record of ${length} bytes`, at);
      this.need(length + 4);
      const json = this.buf.subarray(this.pos, this.pos + length);
      this.pos += length;
      let info: ReplayEnd["info"];
      try {
        info = JSON.parse(new TextDecoder().decode(json)) as ReplayEnd["info"];
      } catch {
        // Checked below: a checksum mismatch explains it better than the JSON does.
        info = { code: "", reason: "", turns: 0, bytesRelayed: 0, endedAt: "", result: null };
      }
      record = { kind: "end", atUs, info };
    } else {
      throw new ReplayError("bad_record", `record ${this.records + 1} (byte ${at}) has the unknown tag 0x${tag.toString(16).padStart(2, "0")}: the file is damaged`, at);
    }
    const end = this.pos;
    if (this.u32() !== crc32(this.buf.subarray(start, end))) {
      throw new ReplayError("checksum", `record ${this.records + 1} (byte ${at}): its checksum does not match: the file is damaged`, at);
    }
    this.records++;
    if (record.kind === "end") this.ended = true;
    else this.lastBody = record.body;
    return record;
  }
}

/** Decodes a whole file's bytes. Throws ReplayError (truncation included). */
export function decodeReplay(bytes: Uint8Array): { header: ReplayHeader; records: ReplayRecord[] } {
  const d = new ReplayDecoder();
  const records = d.push(bytes);
  d.finish();
  return { header: d.header!, records };
}
