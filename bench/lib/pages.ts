// Two dashboard pages' worth of server-sent events for bench/dashboard.ts, in their own process
// (so reading them costs the probe's process nothing): `bun bench/lib/pages.ts BASE_URL MATCH_ID`
// reads /ui/events and /ui/events?follow=MATCH_ID until killed, then prints the bytes it read.
const [base, follow] = process.argv.slice(2) as [string, string];
let bytes = 0;
process.on("SIGTERM", () => {
  console.log(String(bytes));
  process.exit(0);
});
for (const url of [`${base}/ui/events`, `${base}/ui/events?follow=${follow}`]) {
  const r = await fetch(url);
  void (async () => {
    for await (const chunk of r.body!) bytes += chunk.length;
  })();
}
console.log("open");
