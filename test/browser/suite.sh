# Sourced by test/extra-suites.sh (bash, inside test/run-all.sh, which defines count and sum):
# "browser (chromium)": the dashboard and the /play page in a real headless Chromium (test/browser/*.browser.ts).
# No Chromium is a failure unless BITBROKER_ALLOW_NO_BROWSER=1 (then a loud skip).
run_browser() {
  local log="$LOGS/browser.log" exit chromium="${CHROMIUM:-/usr/bin/chromium}"
  echo "== browser: the dashboard and /play in headless Chromium (test/browser)"
  if [ ! -x "$chromium" ]; then
    if [ "${BITBROKER_ALLOW_NO_BROWSER:-}" = 1 ]; then
      echo "!!! SKIPPED: no Chromium at $chromium and BITBROKER_ALLOW_NO_BROWSER=1: the dashboard is NOT tested in a browser"
      return
    fi
    echo "!!! FAILED: no Chromium at $chromium (bash .ci/run installs Debian's chromium when root; CHROMIUM=path"
    echo "!!! names another). Install it, or set BITBROKER_ALLOW_NO_BROWSER=1 to skip on purpose."
    count "browser (chromium)" 1 0 1
    return
  fi
  bun test --timeout 60000 ./test/browser/dashboard.browser.ts ./test/browser/play.browser.ts 2>&1 | tee "$log"
  exit=${PIPESTATUS[0]}
  count "browser (chromium)" "$exit" "$(sum '^ *[0-9]+ pass$' "$log")" "$(sum '^ *[0-9]+ fail$' "$log")"
}

run_browser
