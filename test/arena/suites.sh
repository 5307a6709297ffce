# Sourced by test/extra-suites.sh (bash, inside test/run-all.sh, which defines count and sum):
# "arena demo", `bun run arena:demo` as a test (test/arena/demo.ci.ts): five bots in four languages,
# 40 matches. It runs after the Rust suites, whose `cargo test` has built the Rust bot it plays.
run_arena_demo() {
  local log="$LOGS/arena-demo.log" exit
  echo "== arena demo: bun run arena:demo (test/arena/demo.ci.ts)"
  bun test --timeout 300000 ./test/arena/demo.ci.ts 2>&1 | tee "$log"
  exit=${PIPESTATUS[0]}
  count "arena demo (bun test)" "$exit" "$(sum '^ *[0-9]+ pass$' "$log")" "$(sum '^ *[0-9]+ fail$' "$log")"
}

run_arena_demo
