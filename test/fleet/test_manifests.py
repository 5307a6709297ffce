"""Renders every manifest under deploy/ with helm and validates it offline.

Built-in kinds: kubernetes-validate (its bundled API schemas, strict: unknown fields are errors),
for the oldest and newest Kubernetes that Agones 1.56 supports. Agones kinds: jsonschema against the
CRD schemas in fixtures/agones-1.56.0/, closed the way the API server's strict field validation closes
them (a generic validator would pass a custom resource unchecked). No cluster, no network.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import jsonschema
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "bitbroker"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "agones-1.56.0"
HELM_VERSION = "v3.22.0"
# Agones 1.56 supports Kubernetes 1.32 to 1.34.
KUBE_VERSIONS = ["1.32.0", "1.34.0"]
VALUES = {"default": [], "deployment": ["ci/deployment-values.yaml"], "agones": ["ci/agones-values.yaml"]}
AGONES_SCHEMAS = {
    ("agones.dev/v1", "Fleet"): "fleet_v1.json",
    ("autoscaling.agones.dev/v1", "FleetAutoscaler"): "fleetautoscaler_v1.json",
}

Doc = Dict[str, Any]


def helm() -> str:
    for candidate in (
        os.environ.get("BITBROKER_HELM"),
        str(Path.home() / ".cache" / "bitbroker-ci" / "helm-3.22.0" / "helm"),
        shutil.which("helm"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    message = "helm is not installed: bash .ci/run installs it (go install helm.sh/helm/v3/cmd/helm@v3.22.0)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def render(values: List[str], *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    args = [helm(), "template", "bitbroker", str(CHART), "--kube-version", KUBE_VERSIONS[0]]
    for v in values:
        args += ["--values", str(CHART / v)]
    return subprocess.run(args + list(extra), capture_output=True, text=True, timeout=60, check=check)


def docs(name: str) -> List[Doc]:
    return [d for d in yaml.safe_load_all(render(VALUES[name]).stdout) if d]


def closed(schema: Any) -> Any:
    """An OpenAPI v3 CRD schema as strict field validation applies it, in JSON Schema draft 4."""
    if isinstance(schema, list):
        return [closed(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: closed(v) if k in ("items", "additionalProperties", "anyOf", "allOf", "oneOf", "not") else v for k, v in schema.items()}
    if "properties" in schema:
        out["properties"] = {k: closed(v) for k, v in schema["properties"].items()}
        if "additionalProperties" not in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
            out["additionalProperties"] = False
    if schema.get("nullable") and "type" in schema:
        out["type"] = [schema["type"], "null"]
    if schema.get("x-kubernetes-int-or-string") and "type" not in schema and "anyOf" not in schema:
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    return out


def agones_validator(api_version: str, kind: str) -> jsonschema.Draft4Validator:
    schema = closed(json.loads((FIXTURES / AGONES_SCHEMAS[(api_version, kind)]).read_text()))
    # A CRD schema leaves out the object's own apiVersion, kind and metadata.
    schema["properties"].update({"apiVersion": {"enum": [api_version]}, "kind": {"enum": [kind]}, "metadata": {"type": "object"}})
    schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata", "spec"})
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def validate(doc: Doc, kube_version: str) -> None:
    key = (doc["apiVersion"], doc["kind"])
    if key in AGONES_SCHEMAS:
        errors = sorted(agones_validator(*key).iter_errors(doc), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)
        if doc["kind"] == "Fleet":
            # The pod template inside a Fleet is a core PodTemplateSpec: check it with the API's own schema.
            pod = doc["spec"]["template"]["spec"]["template"]
            kubernetes_validate.validate({"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t"}, "template": pod}, kube_version, strict=True)
    else:
        kubernetes_validate.validate(doc, kube_version, strict=True)


def test_helm_is_the_pinned_version() -> None:
    # A `go install` build reports only "v3.22"; its module version says the rest.
    out = subprocess.run([helm(), "version", "--short"], capture_output=True, text=True, check=True).stdout
    assert HELM_VERSION.startswith(out.strip().split("+")[0]), out
    if shutil.which("go"):
        info = subprocess.run(["go", "version", "-m", helm()], capture_output=True, text=True, check=True).stdout
        assert f"helm.sh/helm/v3\t{HELM_VERSION}\t" in info, info


@pytest.mark.parametrize("name", sorted(VALUES))
def test_the_chart_lints_clean(name: str) -> None:
    args = [helm(), "lint", "--strict", str(CHART), "--kube-version", KUBE_VERSIONS[0]]
    for v in VALUES[name]:
        args += ["--values", str(CHART / v)]
    r = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_each_values_file_renders_the_kinds_it_should() -> None:
    kinds = {name: sorted(d["kind"] for d in docs(name)) for name in VALUES}
    assert kinds == {
        "default": ["Deployment", "PodDisruptionBudget", "Service"],
        "deployment": ["Deployment", "PodDisruptionBudget", "Service"],
        "agones": ["Fleet", "FleetAutoscaler"],
    }


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
@pytest.mark.parametrize("name", sorted(VALUES))
def test_every_rendered_manifest_is_valid(name: str, kube_version: str) -> None:
    for doc in docs(name):
        validate(doc, kube_version)


def test_kubernetes_validate_alone_would_pass_the_agones_kinds_unchecked() -> None:
    for doc in docs("agones"):
        with pytest.raises(kubernetes_validate.SchemaNotFoundError):
            kubernetes_validate.validate(doc, KUBE_VERSIONS[0], strict=True)


def test_the_validators_catch_a_misspelt_field_anywhere() -> None:
    """Not vacuous: a wrong field name or type in each kind is an error."""
    for name in ("deployment", "agones"):
        for doc in docs(name):
            bad = copy.deepcopy(doc)
            bad["spec"]["replicaz" if "replicas" in bad["spec"] else "selectorz"] = 1
            with pytest.raises((kubernetes_validate.ValidationError, AssertionError)):
                validate(bad, KUBE_VERSIONS[0])
    fleet = next(d for d in docs("agones") if d["kind"] == "Fleet")
    for mutate in (
        lambda f: f["spec"]["template"]["spec"]["health"].update(periodSecond=5),
        lambda f: f["spec"]["template"]["spec"]["ports"][0].update(containerPort="7878"),
        lambda f: f["spec"]["template"]["spec"]["template"]["spec"]["containers"][0].update(livenesProbe={}),
    ):
        bad = copy.deepcopy(fleet)
        mutate(bad)
        with pytest.raises((kubernetes_validate.ValidationError, AssertionError)):
            validate(bad, KUBE_VERSIONS[0])


@pytest.mark.parametrize(
    "values, message",
    [
        (["--set", "mode=agones", "--set", "broker.healthPort=8080"], "must not be 8080 in agones mode"),
        (["--set", "env.BROKER_DB=postgres://u:p@db/bitbroker"], "env.BROKER_DB looks like a secret"),
        (["--set", "env.API_TOKEN=x"], "env.API_TOKEN looks like a secret"),
        (["--set", "mode=cluster"], "mode"),
        (["--set", "broker.numPlayers=0"], "numPlayers"),
    ],
)
def test_bad_values_are_refused_with_a_reason(values: List[str], message: str) -> None:
    r = render([], *values, check=False)
    assert r.returncode != 0
    assert message in r.stderr, r.stderr
