// Preloaded once by bun test (bunfig.toml), before any test file: every broker a test starts
// inherits this environment, so none writes the default records file (bitbroker.db) into the
// repository; tests about records set BROKER_DB to a temporary database of their own.
process.env.BROKER_DB ??= "off";
