// Runs the reference Prometheus text parser (PyPI prometheus_client, in .venv: .ci/install-extra.sh)
// on an exposition and returns its samples: a test that passes here is valid Prometheus text.
const ROOT = new URL("../..", import.meta.url).pathname;
const PYTHON = process.env.PYTHON ?? `${ROOT}.venv/bin/python`;

export interface Sample {
  readonly family: string;
  readonly type: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number | "+Inf" | null;
}

export async function parseExposition(text: string): Promise<Sample[]> {
  const proc = Bun.spawn([PYTHON, `${ROOT}test/metrics/parse.py`], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  proc.stdin.write(text);
  await proc.stdin.end();
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`prometheus_client could not parse the exposition (${PYTHON}; .ci/install-extra.sh installs it):\n${err}`);
  return JSON.parse(out) as Sample[];
}

/** The value of the one sample with this name and these labels (a subset match); throws if none. */
export function value(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length !== 1) throw new Error(`${found.length} samples ${name} ${JSON.stringify(labels)}`);
  const v = found[0]!.value;
  if (typeof v !== "number") throw new Error(`${name} is ${v}`);
  return v;
}
