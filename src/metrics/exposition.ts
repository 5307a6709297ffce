// The Prometheus text exposition format (version 0.0.4), written by hand: counters, gauges and
// fixed-bucket histograms kept as plain numbers, so recording costs the broker's hot path a few
// additions (README "Metrics" says why not prom-client). Rendering happens only on a scrape.

export type Labels = Readonly<Record<string, string>>;

/** What GET /metrics answers with (the format's content type). */
export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** A histogram with fixed upper bounds (in the unit of its name, seconds here). */
export class Histogram {
  /** counts[i]: observations ≤ bounds[i] and > bounds[i-1]; the last slot is +Inf. */
  private readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    for (let i = 1; i < bounds.length; i++) if (!(bounds[i]! > bounds[i - 1]!)) throw new Error("bug: histogram bounds must increase");
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }

  /** Cumulative counts per bound, +Inf last (the format's `_bucket` series). */
  cumulative(): number[] {
    const out: number[] = [];
    let total = 0;
    for (const c of this.counts) out.push((total += c));
    return out;
  }
}

/** Builds one exposition: families in order, each with its HELP, TYPE and samples. */
export class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: "counter" | "gauge" | "histogram", help: string): this {
    this.lines.push(`# HELP ${name} ${help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n")}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, labels: Labels, value: number): this {
    this.lines.push(`${name}${labelText(labels)} ${numberText(value)}`);
    return this;
  }

  /** The `_bucket`, `_sum` and `_count` series of a histogram family already opened with family(). */
  histogram(name: string, labels: Labels, h: Histogram): this {
    const cumulative = h.cumulative();
    h.bounds.forEach((le, i) => this.sample(`${name}_bucket`, { ...labels, le: numberText(le) }, cumulative[i]!));
    this.sample(`${name}_bucket`, { ...labels, le: "+Inf" }, cumulative[cumulative.length - 1]!);
    this.sample(`${name}_sum`, labels, h.sum);
    return this.sample(`${name}_count`, labels, h.count);
  }

  text(): string {
    return this.lines.join("\n") + "\n";
  }
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function numberText(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}
