# Sourced by test/extra-suites.sh (bash, inside test/run-all.sh, which defines count and sum):
# - "sdk packages": each README recipe run as written in a new project outside the clone (the npm
#   tarball under Node and Bun, the wheel, the sdist under Python 3.9, the crate), plus release;
# - "python 3.9 (pytest)": the Python SDK's suite under the oldest Python its requires-python allows.
# No Python 3.9 (test/packaging/python39.sh finds it) is a failure unless BITBROKER_ALLOW_NO_PYTHON39=1.

run_sdk_packages() {
  local log="$LOGS/packaging.log" exit
  echo "== sdk packages: recipes in new projects (test/packaging/*.pkg.ts)"
  bun test ./test/packaging/typescript.pkg.ts ./test/packaging/python.pkg.ts ./test/packaging/rust.pkg.ts \
    ./test/packaging/release.pkg.ts 2>&1 | tee "$log"
  exit=${PIPESTATUS[0]}
  count "sdk packages (bun test)" "$exit" "$(sum '^ *[0-9]+ pass$' "$log")" "$(sum '^ *[0-9]+ fail$' "$log")"
}

run_python39() {
  local log="$LOGS/python39.log" py="$ROOT/.venv39/bin/python" exit last
  echo "== python 3.9: the SDK's pytest suite"
  if [ ! -x "$py" ]; then
    if [ "${BITBROKER_ALLOW_NO_PYTHON39:-}" = 1 ]; then
      echo "!!! SKIPPED: no .venv39 (Python 3.9) and BITBROKER_ALLOW_NO_PYTHON39=1: Python 3.9 is NOT tested"
      return
    fi
    echo "!!! FAILED: no .venv39 with Python 3.9 (bash .ci/run makes it; test/packaging/python39.sh finds"
    echo "!!! the interpreter). Install Python 3.9, or set BITBROKER_ALLOW_NO_PYTHON39=1 to skip on purpose."
    count "python 3.9 (pytest)" 1 0 1
    return
  fi
  # The strict mypy test needs types-protobuf, which needs 3.10+; it checks the code for 3.9 anyway.
  "$py" -m pytest -q sdk/python/tests -k "not test_the_sdk_and_the_example_bot_type_check_strictly_for_python_3_9" \
    2>&1 | tee "$log"
  exit=${PIPESTATUS[0]}
  last=$(grep -E '(passed|failed|error)' "$log" | tail -1)
  count "python 3.9 (pytest)" "$exit" "$(echo "$last" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)" \
    "$(( $(echo "$last" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || echo 0) + $(echo "$last" | grep -oE '[0-9]+ errors?' | grep -oE '[0-9]+' || echo 0) ))"
}

run_python39
run_sdk_packages
