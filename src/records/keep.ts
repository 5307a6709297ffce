// BROKER_RECORDS_KEEP: how many match records and replay files to keep, by count and/or age
// ("all", "100000", "30d", "30d,100000"). Pure.
import type { Keep } from "../store/types.ts";

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a BROKER_RECORDS_KEEP value; null (keep everything) for "all". */
export function parseKeep(text: string): Keep | null | { readonly problem: string } {
  const v = text.trim().toLowerCase();
  if (v === "all") return null;
  let count: number | null = null;
  let maxAgeMs: number | null = null;
  for (const part of v.split(",").map((p) => p.trim())) {
    const age = /^(\d+)([mhd])$/.exec(part);
    if (age && maxAgeMs === null && Number(age[1]) > 0) maxAgeMs = Number(age[1]) * UNIT_MS[age[2]!]!;
    else if (/^\d+$/.test(part) && count === null && Number(part) > 0 && Number(part) <= Number.MAX_SAFE_INTEGER) count = Number(part);
    else return { problem: 'must be "all", a number of matches (100000), an age (30d, 12h, 90m), or both (30d,100000)' };
  }
  return { count, maxAgeMs };
}
