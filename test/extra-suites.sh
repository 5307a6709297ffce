# Sourced by test/run-all.sh: lints the Dockerfile with hadolint (pinned; .ci/install-extra.sh
# installs it). One check; each finding, at any level down to "info", counts as a failure.
run_hadolint() {
  local log="$LOGS/hadolint.log" bin="$ROOT/.venv/bin/hadolint" exit findings
  [ -x "$bin" ] || bin=$(command -v hadolint || true)
  if [ -z "$bin" ]; then
    echo "hadolint is not installed: run bash .ci/run, or: source .ci/install-extra.sh" | tee "$log"
    count "hadolint (Dockerfile)" 1 0 1
    return
  fi
  echo "== hadolint Dockerfile"
  "$bin" --no-color --failure-threshold info --trusted-registry docker.io --trusted-registry gcr.io Dockerfile 2>&1 | tee "$log"
  exit=${PIPESTATUS[0]}
  findings=$(grep -cE '^Dockerfile:[0-9]+ ' "$log" || true)
  if [ "$exit" -eq 0 ]; then
    echo "hadolint: Dockerfile is clean"
    count "hadolint (Dockerfile)" 0 1 0
  else
    count "hadolint (Dockerfile)" "$exit" 0 "$findings"
  fi
}
run_hadolint
[ -f test/packaging/suites.sh ] && source test/packaging/suites.sh
[ -f test/browser/suite.sh ] && source test/browser/suite.sh
