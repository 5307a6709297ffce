// Reads a replay file (docs/REPLAY.md) from disk: streamed record by record for the timeline, or
// whole for the play-back servers. Throws ReplayError on damage, with where it is.
import { open } from "node:fs/promises";
import { ReplayDecoder } from "./decode.ts";
import { ReplayError, type ReplayHeader, type ReplayRecord } from "./format.ts";

const CHUNK_BYTES = 256 * 1024;

/** The header, then each record, as the file is read. Throws ReplayError (a cut file included). */
export async function* readReplay(path: string): AsyncGenerator<{ header: ReplayHeader } | ReplayRecord> {
  const file = await open(path, "r");
  try {
    const decoder = new ReplayDecoder();
    const buf = new Uint8Array(CHUNK_BYTES);
    let headerSent = false;
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const records = decoder.push(buf.subarray(0, bytesRead));
      if (!headerSent && decoder.header) {
        headerSent = true;
        yield { header: decoder.header };
      }
      yield* records;
    }
    decoder.finish();
  } finally {
    await file.close();
  }
}

/** The whole file: its header and every record, or a ReplayError. */
export async function loadReplay(path: string): Promise<{ header: ReplayHeader; records: ReplayRecord[] }> {
  let header: ReplayHeader | null = null;
  const records: ReplayRecord[] = [];
  for await (const r of readReplay(path)) {
    if ("header" in r) header = r.header;
    else records.push(r);
  }
  if (!header) throw new ReplayError("truncated", "the file holds no header", 0);
  return { header, records };
}
