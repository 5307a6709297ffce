// Property-based tests of the turn-state machine (src/broker): generated settings and event
// sequences (model.ts) checked after every event (observer.ts). Cases: test/fuzz/budget.ts.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { setup, settingsOf, step, Run } from "./model.ts";
import { check, runsFor, seed } from "./budget.ts";

const steps = fc.array(step, { minLength: 1, maxLength: 80, size: "medium" });

test(`the broker keeps every invariant over generated event sequences, and finishes cleanly (${runsFor("broker")} cases, seed ${seed})`, () => {
  const totals = { matches: 0, aborted: 0, connections: 0 };
  check(
    "broker",
    fc.property(setup, steps, (s, seq) => {
      const run = new Run(settingsOf(s));
      for (const x of seq) run.apply(x);
      run.finish();
      const t = run.observer.totals;
      totals.matches += t.matches;
      totals.aborted += t.aborted;
      totals.connections += t.connections;
    }),
  );
  // The generator must reach real play, not only refusals: matches start, and some end normally.
  console.log(`broker fuzz: ${totals.connections} connections, ${totals.matches} matches (${totals.matches - totals.aborted} normal ends)`);
  if (runsFor("broker") >= 1000) {
    expect(totals.matches).toBeGreaterThan(runsFor("broker") / 10);
    expect(totals.matches - totals.aborted).toBeGreaterThan(0);
  }
});

test(`the broker is deterministic: the same events give the same commands (${runsFor("brokerEnd")} cases)`, () => {
  check(
    "brokerEnd",
    fc.property(setup, steps, (s, seq) => {
      const a = new Run(settingsOf(s));
      const b = new Run(settingsOf(s));
      for (const x of seq) {
        a.apply(x);
        b.apply(x);
      }
      a.finish();
      b.finish();
      expect(Bun.deepEquals(a.commands, b.commands, true)).toBe(true);
    }),
  );
});
