#!/usr/bin/env bash
# Prints the path of a working Python 3.9 (python3.9 on PATH, else pyenv's 3.9.x), or says none was
# found on stderr and exits 1. 3.9 is the oldest Python sdk/python's `requires-python` allows.
set -uo pipefail
candidates=()
if command -v python3.9 >/dev/null; then candidates+=("$(command -v python3.9)"); fi
for root in "${PYENV_ROOT:-}" "$HOME/.pyenv"; do
  [ -n "$root" ] || continue
  for p in "$root"/versions/3.9*/bin/python3.9; do
    [ -x "$p" ] && candidates+=("$p")
  done
done
# A pyenv shim on PATH may exist and still fail ("not the selected version"): ask each one.
for p in "${candidates[@]}"; do
  if [ "$("$p" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = 3.9 ]; then
    echo "$p"
    exit 0
  fi
done
echo "no Python 3.9 found: neither python3.9 on PATH nor \$PYENV_ROOT/versions/3.9.* (or ~/.pyenv) runs" >&2
exit 1
