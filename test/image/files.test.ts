// What no Docker engine here can check for us: the Dockerfile's pins, user, ports and healthcheck,
// compose.yaml's wiring, and that the build context holds every file the Dockerfile copies.
import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../scripts/build.ts";
import { SETTINGS } from "../../src/config.ts";

const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const stages = dockerfile.split(/^(?=FROM )/m).slice(1);
const runtime = stages.at(-1) ?? "";

interface Service {
  readonly build?: { readonly target?: string };
  readonly command?: readonly string[];
  readonly depends_on?: Record<string, { readonly condition?: string }>;
  readonly healthcheck?: { readonly test?: readonly string[] };
  readonly environment?: Record<string, string>;
  readonly ports?: readonly string[];
}
const compose = Bun.YAML.parse(readFileSync(join(ROOT, "compose.yaml"), "utf8")) as { services: Record<string, Service> };

test("every image is pinned: the Bun one by exact version, the distroless one by tag and digest", () => {
  const froms = [...dockerfile.matchAll(/^FROM (?:--platform=\S+ )?(\S+)/gm)].map((m) => m[1]!).filter((image) => image.includes("/"));
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
  expect(froms).toContain(`oven/bun:${pkg.devDependencies.bun}`);
  for (const image of froms) expect([image, image === `oven/bun:${pkg.devDependencies.bun}` || /@sha256:[0-9a-f]{64}$/.test(image)]).toEqual([image, true]);
  expect(runtime).toMatch(/^FROM gcr\.io\/distroless\/(base|cc)-debian\d+:nonroot@sha256:[0-9a-f]{64} AS runtime$/m);
});

test("the final stage runs the executable alone as nonroot, exposes both ports and checks its health", () => {
  expect(runtime).toMatch(/^COPY --from=build \/src\/dist\/bitbroker \/bitbroker$/m);
  expect(runtime).toMatch(/^USER 65532:65532$/m);
  expect(runtime).toMatch(/^EXPOSE 7878 8080$/m);
  expect(runtime).toMatch(/^HEALTHCHECK .*CMD \["\/bitbroker", "healthcheck"\]$/m);
  expect(runtime).toMatch(/^ENTRYPOINT \["\/bitbroker"\]$/m);
  expect(runtime).not.toMatch(/^(RUN|CMD) /m); // distroless has no shell
  for (const name of ["BROKER_PORT=7878", "BROKER_HEALTH_PORT=8080"]) expect(runtime).toContain(name);
});

test("match records live on a /data volume that nonroot owns (BROKER_DB, BROKER_RECORD_DIR)", () => {
  expect(runtime).toMatch(/^COPY --from=build --chown=65532:65532 \/src\/data \/data$/m);
  expect(runtime).toMatch(/^VOLUME \["\/data"\]$/m);
  for (const name of ["BROKER_DB=/data/bitbroker.db", "BROKER_RECORD_DIR=/data/replays"]) expect(runtime).toContain(name);
});

test("the build context (.dockerignore allow-list) holds every file the Dockerfile copies", () => {
  const allowed = readFileSync(join(ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .filter((l) => l.startsWith("!"))
    .map((l) => l.slice(1));
  const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(" "));
  expect(copied.length).toBeGreaterThan(0);
  for (const path of copied) {
    expect(allowed).toContain(path);
    expect(existsSync(join(ROOT, path))).toBe(true);
  }
});

test("compose: the broker checks its health with the subcommand, the game and bots wait for it", () => {
  const { broker, ...clients } = compose.services;
  expect(broker?.build?.target).toBe("runtime");
  expect(broker?.healthcheck?.test).toEqual(["CMD", "/bitbroker", "healthcheck"]);
  expect(broker?.ports).toEqual(["7878:7878", "8080:8080"]);
  const known: readonly string[] = Object.values(SETTINGS).map((s) => s.env);
  for (const name of Object.keys(broker?.environment ?? {})) expect(known).toContain(name);

  expect(Object.keys(clients).sort()).toEqual(["bot-random", "bot-smart", "game"]);
  for (const client of Object.values(clients)) {
    expect(client.depends_on?.broker?.condition).toBe("service_healthy");
    expect(client.command?.slice(2, 6)).toEqual(["--host", "broker", "--port", "7878"]);
  }
  expect(clients.game?.command?.[1]).toBe("examples/connect4/game.ts");
  expect([clients["bot-random"]?.command?.at(-1), clients["bot-smart"]?.command?.at(-1)]).toEqual(["random", "smart"]);
});
