// Run by netns.test.ts inside a new network namespace whose loopback interface also holds
// 192.0.2.1 (TEST-NET-1): starts the broker on 0.0.0.0 without BROKER_ADMIN_TOKEN and asks it from
// a non-loopback address (192.0.2.1) and a loopback one (127.0.0.2). Prints the statuses as JSON.
import { BrokerProcess } from "../e2e/harness.ts";

const broker = await BrokerProcess.start({ BROKER_HOST: "0.0.0.0" });
const status = async (url: string, headers: Record<string, string> = {}) => (await fetch(url, { headers })).status;
const port = broker.healthPort;
try {
  const out = {
    outsideMetrics: await status(`http://192.0.2.1:${port}/metrics`),
    outsideUi: await status(`http://192.0.2.1:${port}/ui`, { accept: "text/html" }),
    outsideForwardedAsLoopback: await status(`http://192.0.2.1:${port}/matches`, { "x-forwarded-for": "127.0.0.1", forwarded: "for=127.0.0.1" }),
    outsideHealth: await status(`http://192.0.2.1:${port}/health`),
    loopbackMetrics: await status(`http://127.0.0.2:${port}/metrics`),
  };
  console.log(JSON.stringify(out));
} finally {
  await broker.stop();
}
// Idle keep-alive sockets of fetch would hold the process open for their timeout.
process.exit(0);
