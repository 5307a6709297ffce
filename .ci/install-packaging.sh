# Sourced by .ci/run (bash): what the packaging suites need (test/packaging/suites.sh). Idempotent.
# A .venv39 with the Python SDK and its test tools under Python 3.9, the oldest requires-python
# allows. Without a Python 3.9 this says so loudly; the suite then fails unless
# BITBROKER_ALLOW_NO_PYTHON39=1.
if PYTHON39=$(bash test/packaging/python39.sh); then
  echo "== install: Python SDK and test tools into .venv39 ($PYTHON39)"
  [ -x .venv39/bin/python ] || "$PYTHON39" -m venv .venv39
  .venv39/bin/pip install --quiet --disable-pip-version-check --upgrade pip
  .venv39/bin/pip install --quiet --disable-pip-version-check -e "./sdk/python[test]"
  .venv39/bin/python --version
else
  echo "!!! no Python 3.9 on this machine: the Python 3.9 checks will FAIL (BITBROKER_ALLOW_NO_PYTHON39=1 skips them)"
fi
