# Sourced by test/run-all.sh: lints the Dockerfile with hadolint (pinned; .ci/install-extra.sh
# installs it; one check; each finding, at any level down to "info", counts as a failure), then
# validates the manifests under deploy/ (pytest, test/fleet).
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

# Lints the forge's workflows with actionlint (pinned; .ci/install-extra.sh builds it), shellcheck
# on their scripts. One check per workflow file; each finding counts as a failure.
run_actionlint() {
  local log="$LOGS/actionlint.log" bin="${ACTIONLINT:-${XDG_CACHE_HOME:-$HOME/.cache}/bitbroker-ci/actionlint-1.7.12/actionlint}"
  local shellcheck="$ROOT/.venv/bin/shellcheck" files findings exit
  if [ ! -x "$bin" ]; then
    echo "actionlint is not installed: run bash .ci/run, or: source .ci/install-extra.sh" | tee "$log"
    count "actionlint (workflows)" 1 0 1
    return
  fi
  [ -x "$shellcheck" ] || shellcheck=$(command -v shellcheck || true)
  if [ -z "$shellcheck" ]; then
    echo "shellcheck is not installed: run bash .ci/run, or: source .ci/install-extra.sh" | tee "$log"
    count "actionlint (workflows)" 1 0 1
    return
  fi
  files=("$ROOT"/.github/workflows/*.yml)
  echo "== actionlint ${files[*]#"$ROOT/"}"
  "$bin" -no-color -shellcheck "$shellcheck" -pyflakes= "${files[@]}" 2>&1 | tee "$log"
  exit=${PIPESTATUS[0]}
  findings=$(grep -cE '^\S+\.ya?ml:[0-9]+:[0-9]+: ' "$log" || true)
  if [ "$exit" -eq 0 ]; then
    echo "actionlint: ${#files[@]} workflows are clean"
    count "actionlint (workflows)" 0 "${#files[@]}" 0
  else
    count "actionlint (workflows)" "$exit" 0 "$findings"
  fi
}
run_actionlint
[ -f test/packaging/suites.sh ] && source test/packaging/suites.sh
[ -f test/arena/suites.sh ] && source test/arena/suites.sh

# The manifests under deploy/: rendered with helm, validated offline (test/fleet/test_manifests.py).
run_fleet_pytest() {
  local log="$LOGS/fleet-pytest.log" exit last
  "$PYTHON" -m pytest -q test/fleet 2>&1 | tee "$log"
  exit=${PIPESTATUS[0]}
  last=$(grep -E '(passed|failed|error)' "$log" | tail -1)
  count "fleet manifests (pytest)" "$exit" "$(echo "$last" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)" \
    "$(( $(echo "$last" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || echo 0) + $(echo "$last" | grep -oE '[0-9]+ errors?' | grep -oE '[0-9]+' || echo 0) ))"
}
run_fleet_pytest
[ -f test/browser/suite.sh ] && source test/browser/suite.sh
