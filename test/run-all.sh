#!/usr/bin/env bash
# Runs every test suite (TypeScript, Python, Rust, interop) and ends with one plain line:
# "N passed, N failed". Exit status 0 only if every suite passed. Installs nothing: see .ci/run.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
# Brokers that tests start keep no records unless a test asks (never bitbroker.db in the repository).
export BROKER_DB=off
# Every suite's temporary files (brokers' records, arena folders, browser profiles, builds) go in
# one folder, removed at the end whatever happens: nothing is left in the machine's /tmp.
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/bitbroker-tests.XXXXXX")
# Searchable by others (not readable): the PostgreSQL tests run initdb as `postgres` in a folder here.
chmod 0711 "$SCRATCH"
trap 'rm -rf "$SCRATCH"' EXIT
export TMPDIR="$SCRATCH"
LOGS=$(mktemp -d)
passed=0
failed=0
summary=()

# count NAME LOG EXIT PASSED FAILED: adds a suite's counts; a suite that failed without
# reporting a failed test (a build error, a crash) counts as one failure.
count() {
  local name=$1 exit=$2 p=$3 f=$4
  if [ "$exit" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
  summary+=("$(printf '%-28s %5d passed %5d failed' "$name" "$p" "$f")")
}

sum() { grep -oE "$1" "$2" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}'; }

run_bun() {
  local log="$LOGS/bun.log"
  bun test --timeout 60000 2>&1 | tee "$log"
  local exit=${PIPESTATUS[0]}
  count "typescript (bun test)" "$exit" "$(sum '^ *[0-9]+ pass$' "$log")" "$(sum '^ *[0-9]+ fail$' "$log")"
}

run_pytest() {
  local dir=$1 log="$LOGS/pytest.log"
  "$PYTHON" -m pytest -q "$dir" 2>&1 | tee "$log"
  local exit=${PIPESTATUS[0]}
  local last
  last=$(grep -E '(passed|failed|error)' "$log" | tail -1)
  count "python (pytest)" "$exit" "$(echo "$last" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)" \
    "$(( $(echo "$last" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || echo 0) + $(echo "$last" | grep -oE '[0-9]+ errors?' | grep -oE '[0-9]+' || echo 0) ))"
}

run_cargo() {
  local name=$1 manifest=$2 log="$LOGS/$1.log"
  cargo test --locked --manifest-path "$manifest" 2>&1 | tee "$log"
  local exit=${PIPESTATUS[0]}
  count "$name (cargo test)" "$exit" "$(sum '[0-9]+ passed;' "$log")" "$(sum '[0-9]+ failed;' "$log")"
}

run_bun
[ -f sdk/python/pyproject.toml ] && run_pytest sdk/python/tests
[ -f sdk/rust/Cargo.toml ] && run_cargo rust-sdk sdk/rust/Cargo.toml
[ -f test/interop/Cargo.toml ] && run_cargo interop test/interop/Cargo.toml
[ -f examples/connect4/rust/Cargo.toml ] && run_cargo connect4-rust examples/connect4/rust/Cargo.toml
[ -f test/extra-suites.sh ] && source test/extra-suites.sh

echo
echo "== suites =="
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
