// The framing bench's table (bench/framing.ts): per language and state size, v1 and v2 turns/s
// (median over the rounds, lowest–highest in brackets), their ratio, p50, and the broker's bytes
// per turn; the target check (v2 ≥ 1.5× v1 in turns/s at 256 KiB and above, every language).
import type { Lang, Sample } from "./framing-cell.ts";

export interface FramingRow {
  readonly lang: Lang;
  readonly size: number;
  readonly v1: Stats;
  readonly v2: Stats;
  /** Median v2 turns/s over median v1 turns/s. */
  readonly ratio: number;
}

export interface Stats {
  readonly rounds: number;
  readonly turnsPerS: number;
  readonly turnsPerSMin: number;
  readonly turnsPerSMax: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly brokerBytesPerTurn: number;
}

const TARGET_RATIO = 1.5;
const TARGET_SIZE_MIN = 256 * 1024;
const NAMES: Record<Lang, string> = { ts: "TypeScript", py: "Python", rust: "Rust" };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function stats(samples: Sample[]): Stats {
  const tps = samples.map((s) => s.turnsPerS);
  return {
    rounds: samples.length,
    turnsPerS: median(tps),
    turnsPerSMin: Math.min(...tps),
    turnsPerSMax: Math.max(...tps),
    p50Us: median(samples.map((s) => s.p50Us)),
    p99Us: median(samples.map((s) => s.p99Us)),
    brokerBytesPerTurn: median(samples.map((s) => s.brokerBytesPerTurn)),
  };
}

export function summarise(samples: Sample[], langs: readonly Lang[], sizes: readonly number[]): FramingRow[] {
  return langs.flatMap((lang) =>
    sizes.map((size) => {
      const of = (framing: "v1" | "v2") => stats(samples.filter((s) => s.lang === lang && s.size === size && s.framing === framing));
      const v1 = of("v1");
      const v2 = of("v2");
      return { lang, size, v1, v2, ratio: v2.turnsPerS / v1.turnsPerS };
    }),
  );
}

export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

const n = (x: number): string => (x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toPrecision(3));
const us = (x: number): string => (x >= 10_000 ? `${(x / 1000).toPrecision(3)} ms` : `${Math.round(x).toLocaleString("en-US")} µs`);
const bytes = (x: number): string => (x >= 1024 * 1024 ? `${(x / (1024 * 1024)).toFixed(2)} MiB` : x >= 1024 ? `${(x / 1024).toFixed(1)} KiB` : `${Math.round(x)} B`);

export function tableText(rows: readonly FramingRow[]): string {
  const head = "| language | state | v1 turns/s | **v2 turns/s** | v2 / v1 | p50 v1 / v2 | broker writes per turn v1 / v2 |\n|---|---|---|---|---|---|---|";
  const lines = rows.map((r) =>
    [
      NAMES[r.lang],
      sizeText(r.size),
      `${n(r.v1.turnsPerS)} (${n(r.v1.turnsPerSMin)}–${n(r.v1.turnsPerSMax)})`,
      `**${n(r.v2.turnsPerS)}** (${n(r.v2.turnsPerSMin)}–${n(r.v2.turnsPerSMax)})`,
      `${r.ratio.toFixed(2)}×`,
      `${us(r.v1.p50Us)} / ${us(r.v2.p50Us)}`,
      `${bytes(r.v1.brokerBytesPerTurn)} / ${bytes(r.v2.brokerBytesPerTurn)}`,
    ].join(" | "),
  );
  return [head, ...lines.map((l) => `| ${l} |`)].join("\n");
}

export function targetsText(rows: readonly FramingRow[]): string {
  const judged = rows.filter((r) => r.size >= TARGET_SIZE_MIN);
  const lines = judged.map((r) => `${r.ratio >= TARGET_RATIO ? "met   " : "MISSED"} ${NAMES[r.lang]} ${sizeText(r.size)}: v2 ${r.ratio.toFixed(2)}× v1 (target ≥ ${TARGET_RATIO}×)`);
  return ["Target: at 256 KiB and above, v2 turns/s ≥ 1.5× v1 in each language", ...lines].join("\n");
}
