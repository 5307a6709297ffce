// Without BROKER_ADMIN_TOKEN, a client whose address is not loopback is refused: tested for real
// in a network namespace of our own (unshare -n, root only) whose lo also holds 192.0.2.1, a
// documentation address that no host outside it has. Traffic never leaves that namespace.
import { expect, test } from "bun:test";

const ROOT = new URL("../..", import.meta.url).pathname;
const root = process.getuid?.() === 0;
const unshare = Bun.which("unshare") !== null && Bun.which("ip") !== null;

test.skipIf(!root || !unshare)("a non-loopback peer is refused (403) on protected routes, whatever its headers say; 127.0.0.2 is served", async () => {
  const script = `ip link set lo up && ip addr add 192.0.2.1/32 dev lo && exec "${process.execPath}" test/http/netns-probe.ts`;
  const proc = Bun.spawn(["unshare", "-n", "sh", "-c", script], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect(code, err).toBe(0);
  const r = JSON.parse(out.trim().split("\n").pop()!) as Record<string, number>;
  expect(r).toMatchObject({ outsideMetrics: 403, outsideUi: 403, outsideForwardedAsLoopback: 403, outsideHealth: 200, loopbackMetrics: 200 });
});

test.if(!root || !unshare)("SKIPPED: the network-namespace access test needs root with unshare and ip", () => {
  console.warn("!!! test/http/netns.test.ts skipped: not root, or no unshare/ip: the non-loopback refusal is checked only by the pure test");
});
