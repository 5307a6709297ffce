// What the forge's workflows promise, read from their YAML (actionlint checks the syntax and the
// scripts; this checks the intent): CI runs .ci/run, a tag publishes what `bun run release` leaves
// in dist/ and a two-platform image whose labels say the same version and commit as the binaries.
import { describe, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../scripts/build.ts";

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, string | boolean>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly uses?: string;
  readonly needs?: string | string[];
  readonly permissions?: Record<string, string>;
  readonly env?: Record<string, string>;
  readonly steps?: readonly Step[];
}
interface Workflow {
  readonly on: Record<string, { branches?: string[]; tags?: string[] } | null>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const WORKFLOWS = join(ROOT, ".github/workflows");
const text = (name: string): string => readFileSync(join(WORKFLOWS, name), "utf8");
const parse = (name: string): Workflow => Bun.YAML.parse(text(name)) as Workflow;
const ci = parse("ci.yml");
const release = parse("release.yml");
const steps = (job: Job | undefined): readonly Step[] => job?.steps ?? [];
const runs = (job: Job | undefined): string => steps(job).map((s) => s.run ?? "").join("\n");

test("every action is pinned by a full commit SHA, with its version tag beside it", () => {
  const uses = readdirSync(WORKFLOWS).flatMap((f) => [...text(f).matchAll(/^\s*-?\s*uses: (\S+)(.*)$/gm)]);
  expect(uses.length).toBeGreaterThan(5);
  for (const [, ref, rest] of uses) {
    if (ref!.startsWith("./")) continue; // this repository's own workflow
    expect(ref).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    expect(rest).toMatch(/^ # v\d+\.\d+\.\d+$/);
  }
});

test("the same action is pinned to the same commit everywhere", () => {
  const pins = new Map<string, Set<string>>();
  for (const f of readdirSync(WORKFLOWS)) {
    for (const m of text(f).matchAll(/uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40})/g)) pins.set(m[1]!, (pins.get(m[1]!) ?? new Set()).add(m[2]!));
  }
  for (const [action, shas] of pins) expect([action, shas.size]).toEqual([action, 1]);
});

describe("ci.yml", () => {
  test("runs .ci/run on every push to a branch, every pull request, and when release.yml calls it", () => {
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push", "workflow_call"]);
    expect(ci.on.push?.branches).toEqual(["**"]); // tags are release.yml's: it calls this workflow itself
    expect(Object.keys(ci.jobs)).toEqual(["ci"]);
    expect(runs(ci.jobs.ci).trim()).toBe("bash .ci/run");
  });

  test("may only read the repository", () => {
    expect(ci.permissions).toEqual({ contents: "read" });
    expect(steps(ci.jobs.ci).find((s) => s.uses?.startsWith("actions/checkout@"))?.with?.["persist-credentials"]).toBe(false);
  });
});

describe("release.yml", () => {
  const { meta, test: tests, image, release: publish } = release.jobs;

  test("runs on a version tag, checks it against package.json and CHANGELOG.md, and tests before anything is published", () => {
    expect(release.on).toEqual({ push: { tags: ["v[0-9]+.[0-9]+.[0-9]+*"] } });
    expect(runs(meta)).toContain('bun scripts/release-notes.ts "$TAG"');
    expect(tests?.uses).toBe("./.github/workflows/ci.yml");
    expect(image?.needs).toEqual(["meta", "test"]);
    expect(publish?.needs).toEqual(["meta", "test", "image"]);
  });

  test("grants nothing by default and each job only what it needs: packages for the image, contents for the release", () => {
    expect(release.permissions).toEqual({});
    expect(meta?.permissions).toEqual({ contents: "read" });
    expect(tests?.permissions).toEqual({ contents: "read" });
    expect(image?.permissions).toEqual({ contents: "read", packages: "write" });
    expect(publish?.permissions).toEqual({ contents: "write" });
    for (const job of Object.values(release.jobs)) {
      for (const s of steps(job).filter((s) => s.uses?.startsWith("actions/checkout@"))) expect(s.with?.["persist-credentials"]).toBe(false);
    }
  });

  test("publishes every file `bun run release` leaves in dist/, checked against SHA256SUMS, with CHANGELOG.md's notes", () => {
    const script = runs(publish);
    expect(script).toContain("bun run release");
    expect(script).toContain('bun scripts/release-assets.ts > "$RUNNER_TEMP/assets"');
    expect(script).toContain("sha256sum -c SHA256SUMS");
    expect(script).toContain('bun scripts/release-notes.ts "$TAG" --repo "$GITHUB_REPOSITORY"');
    expect(script).toMatch(/gh release create "\$TAG" "\$\{assets\[@\]\}" .*--verify-tag/);
    expect(script).toContain('--notes-file "$RUNNER_TEMP/notes.md"');
    expect(script).toContain('test "$said" = "bitbroker $VERSION ($COMMIT)"');
  });

  test("builds the Dockerfile's runtime for linux/amd64 and linux/arm64 with buildx and pushes the version and latest", () => {
    expect(steps(image).some((s) => s.uses?.startsWith("docker/setup-buildx-action@"))).toBe(true);
    expect(steps(image).find((s) => s.uses?.startsWith("docker/login-action@"))?.with?.registry).toBe("ghcr.io");
    const build = steps(image).find((s) => s.uses?.startsWith("docker/build-push-action@"))?.with ?? {};
    expect([build.context, build.target, build.platforms, build.push]).toEqual([".", "runtime", "linux/amd64,linux/arm64", true]);
    expect(runs(image)).toContain('echo "$IMAGE:$VERSION"');
    expect(runs(image)).toContain('if [ "$PRERELEASE" = false ]; then echo "$IMAGE:latest"; fi');
    expect(runs(meta)).toContain('echo "image=ghcr.io/${GITHUB_REPOSITORY,,}"'); // registry names are lower case
  });

  test("labels, annotations, --version and /health all get the same version and commit", () => {
    const build = steps(image).find((s) => s.uses?.startsWith("docker/build-push-action@"))?.with ?? {};
    const args = Object.fromEntries(String(build["build-args"]).trim().split("\n").map((l) => l.split("=", 2) as [string, string]));
    expect(args).toEqual({ BITBROKER_VERSION: "${{ env.VERSION }}", BITBROKER_COMMIT: "${{ env.COMMIT }}", BITBROKER_SOURCE: "${{ env.SOURCE }}" });
    expect(String(build.annotations).trim().split("\n")).toEqual([
      "index:org.opencontainers.image.version=${{ env.VERSION }}",
      "index:org.opencontainers.image.revision=${{ env.COMMIT }}",
      "index:org.opencontainers.image.source=${{ env.SOURCE }}",
    ]);
    // One source for both jobs: the meta job's outputs, the commit as `bun run build` names it.
    for (const job of [image, publish]) {
      expect([job?.env?.VERSION, job?.env?.COMMIT]).toEqual(["${{ needs.meta.outputs.version }}", "${{ needs.meta.outputs.commit }}"]);
    }
    expect(runs(meta)).toContain('echo "commit=$(git rev-parse --short=12 HEAD)"');
    expect(runs(meta)).toContain('version="${TAG#v}"');
    // The Dockerfile turns the three build arguments into the OCI labels.
    const runtime = readFileSync(join(ROOT, "Dockerfile"), "utf8").split(/^(?=FROM )/m).at(-1) ?? "";
    for (const [label, arg] of [["version", "VERSION"], ["revision", "COMMIT"], ["source", "SOURCE"]]) {
      expect(runtime).toMatch(new RegExp(`^ARG BITBROKER_${arg}=""$`, "m"));
      expect(runtime).toContain(`org.opencontainers.image.${label}="\${BITBROKER_${arg}}"`);
    }
    // And the check after the push starts each platform's image and compares.
    expect(runs(image)).toContain('test "$said" = "bitbroker $VERSION ($COMMIT)"');
    expect(runs(image)).toContain("for arch in amd64 arm64; do");
  });
});
