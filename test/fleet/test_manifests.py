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
import re
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
VALUES = {
    "default": [],
    "deployment": ["ci/deployment-values.yaml"],
    "agones": ["ci/agones-values.yaml"],
    "deployment-tls": ["ci/deployment-tls-values.yaml"],
    "agones-tls": ["ci/agones-tls-values.yaml"],
}
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


def docs(name: str, *extra: str) -> List[Doc]:
    return [d for d in yaml.safe_load_all(render(VALUES[name], *extra).stdout) if d]


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
        # tls.plainPort: a second Service, of the plain port alone.
        "deployment-tls": ["Deployment", "PodDisruptionBudget", "Service", "Service"],
        "agones-tls": ["Fleet", "FleetAutoscaler"],
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
        # TLS: the chart owns the TLS settings (and says what to set instead), a plain port only beside TLS.
        (["--set", "tls.secretName=bitbroker-tls", "--set", "env.BROKER_TLS_CERT=/etc/tls/tls.crt"], "env.BROKER_TLS_CERT is the chart's to set: set tls.secretName to a kubernetes.io/tls Secret instead"),
        (["--set", "env.BROKER_TLS_KEY=/etc/tls/tls.key"], "env.BROKER_TLS_KEY is the chart's to set: set tls.secretName to a kubernetes.io/tls Secret instead"),
        (["--set", "tls.secretName=bitbroker-tls", "--set-string", "env.BROKER_PLAIN_PORT=7879"], "env.BROKER_PLAIN_PORT is the chart's to set: set tls.plainPort instead"),
        (["--set", "tls.secretName=bitbroker-tls", "--set", "env.BROKER_PLAIN_HOST=0.0.0.0"], "env.BROKER_PLAIN_HOST is the chart's to set: set tls.plainPort instead"),
        (["--set", "secretEnv[0].name=BROKER_TLS_KEY", "--set", "secretEnv[0].secretName=k", "--set", "secretEnv[0].key=tls.key"], "secretEnv BROKER_TLS_KEY is the chart's to set: set tls.secretName"),
        (["--set", "tls.secretName=bitbroker-tls", "--set", "secretEnv[0].name=BROKER_TLS_CERT", "--set", "secretEnv[0].secretName=k", "--set", "secretEnv[0].key=c"], "secretEnv BROKER_TLS_CERT is the chart's to set"),
        (["--set", "tls.plainPort=7879"], "tls.plainPort is a plain port beside TLS: set tls.secretName too"),
        (["--set", "mode=agones", "--set", "tls.secretName=bitbroker-tls", "--set", "tls.plainPort=7879"], "tls.plainPort is for mode: deployment"),
        (["--set", "tls.secretName=bitbroker-tls", "--set", "tls.plainPort=7878"], "tls.plainPort must differ from broker.port and the health port"),
        (["--set", "tls.secretName=bitbroker-tls", "--set", "tls.plainPort=8080"], "tls.plainPort must differ from broker.port and the health port"),
        (["--set", "tls.secretName=Bitbroker_TLS"], "/tls/secretName"),
        (["--set", "tls.plainPort=0"], "/tls/plainPort"),
        (["--set", "tls.plainPort=65536"], "/tls/plainPort"),
        (["--set", "tls.secretName=" + "a" * 254], "/tls/secretName"),
        (["--set", "tls.secret=bitbroker-tls"], "additional properties 'secret' not allowed"),
    ],
)
def test_bad_values_are_refused_with_a_reason(values: List[str], message: str) -> None:
    r = render([], *values, check=False)
    assert r.returncode != 0
    assert message in r.stderr, r.stderr


TLS_DIR = "/etc/bitbroker/tls"
TLS_ON = ["--set", "tls.secretName=bitbroker-tls"]
TLS_ENV = {"BROKER_TLS_CERT", "BROKER_TLS_KEY", "BROKER_PLAIN_PORT", "BROKER_PLAIN_HOST"}


def workload_pod(doc: Doc) -> Doc:
    spec = doc["spec"]["template"]["spec"]
    return spec["template"]["spec"] if doc["kind"] == "Fleet" else spec


def without_tls(rendered: List[Doc]) -> List[Doc]:
    """A copy of TLS-on manifests with exactly what TLS adds taken out (asserting each part is there)."""
    out = [d for d in copy.deepcopy(rendered) if not d["metadata"]["name"].endswith("-plain")]
    for doc in out:
        if doc["kind"] not in ("Deployment", "Fleet"):
            continue
        pod = workload_pod(doc)
        assert pod["securityContext"].pop("fsGroup") == 65532
        assert [v["name"] for v in pod["volumes"]].count("tls") == 1
        pod["volumes"] = [v for v in pod["volumes"] if v["name"] != "tls"]
        container = pod["containers"][0]
        assert {"BROKER_TLS_CERT", "BROKER_TLS_KEY"} <= {e["name"] for e in container["env"]}
        container["env"] = [e for e in container["env"] if e["name"] not in TLS_ENV]
        container["ports"] = [p for p in container["ports"] if p["name"] != "plain"]
        assert container["volumeMounts"].pop() == {"name": "tls", "mountPath": TLS_DIR, "readOnly": True}
    return out


@pytest.mark.parametrize("name", ["default", "deployment", "agones"])
def test_tls_adds_the_secret_its_settings_and_nothing_else(name: str) -> None:
    """TLS on is TLS off plus the mount, its two settings, fsGroup (and the plain port): probes, ports, the rest unchanged."""
    plain = ["--set", "tls.plainPort=7879"] if name != "agones" else []
    assert without_tls(docs(name, *TLS_ON, *plain)) == docs(name)


@pytest.mark.parametrize("name", ["default", "deployment", "agones"])
def test_tls_off_renders_no_trace_of_tls(name: str) -> None:
    text = render(VALUES[name]).stdout
    for trace in ("BROKER_TLS", "BROKER_PLAIN", "fsGroup", TLS_DIR, "name: tls", "name: plain"):
        assert trace not in text
    # Stated or left out, TLS off is the same manifest, byte for byte.
    assert render(VALUES[name], "--set", "tls.secretName=", "--set", "tls.plainPort=null").stdout == text


@pytest.mark.parametrize("name", ["deployment-tls", "agones-tls"])
def test_tls_mounts_the_secret_read_only_where_the_settings_point(name: str) -> None:
    rendered = docs(name)
    workload = next(d for d in rendered if d["kind"] in ("Deployment", "Fleet"))
    pod = workload_pod(workload)
    container = next(c for c in pod["containers"] if c["name"] == "bitbroker")
    env = {e["name"]: e.get("value") for e in container["env"]}
    volume = next(v for v in pod["volumes"] if v["name"] == "tls")
    mount = next(m for m in container["volumeMounts"] if m["name"] == "tls")
    assert volume["secret"]["secretName"] == "bitbroker-tls"
    assert mount == {"name": "tls", "mountPath": TLS_DIR, "readOnly": True}
    # The two keys of a kubernetes.io/tls Secret, where BROKER_TLS_CERT and BROKER_TLS_KEY look.
    files = {f"{mount['mountPath']}/{i['path']}": i["key"] for i in volume["secret"]["items"]}
    assert files == {env["BROKER_TLS_CERT"]: "tls.crt", env["BROKER_TLS_KEY"]: "tls.key"}
    # Readable by the broker's group alone: the files' group is fsGroup, the broker runs in it.
    assert volume["secret"]["defaultMode"] == 0o440
    assert pod["securityContext"]["fsGroup"] == container["securityContext"]["runAsGroup"]
    # The probes are `bitbroker healthcheck`, which reads BROKER_TLS_CERT from this same env: HTTPS.
    for probe in ("livenessProbe", "readinessProbe"):
        if probe in container:
            assert container[probe]["exec"]["command"][:2] == ["/bitbroker", "healthcheck"]
            assert "httpGet" not in container[probe]
    if workload["kind"] == "Fleet":
        # Agones's own health check is the broker's Health pings to its sidecar: no probe to change.
        assert workload["spec"]["template"]["spec"]["health"]["disabled"] is False
        assert [p["name"] for p in workload["spec"]["template"]["spec"]["ports"]] == ["bitbroker"]
        assert "BROKER_PLAIN_PORT" not in env
    else:
        # The plain port has a ClusterIP Service of its own; the main Service carries TLS only.
        main = next(d for d in rendered if d["kind"] == "Service" and d["metadata"]["name"] == "bitbroker")
        plain = next(d for d in rendered if d["kind"] == "Service" and d["metadata"]["name"] == "bitbroker-plain")
        assert "plain" not in [p["name"] for p in main["spec"]["ports"]]
        assert plain["spec"]["type"] == "ClusterIP"
        assert plain["spec"]["selector"] == main["spec"]["selector"]
        assert plain["spec"]["ports"] == [{"name": "plain", "port": int(env["BROKER_PLAIN_PORT"]), "targetPort": "plain", "protocol": "TCP"}]
        assert int(env["BROKER_PLAIN_PORT"]) == next(p["containerPort"] for p in container["ports"] if p["name"] == "plain")
        assert env["BROKER_PLAIN_HOST"] == "0.0.0.0"


@pytest.mark.parametrize("service_type", ["LoadBalancer", "NodePort"])
def test_the_plain_port_stays_inside_the_cluster_whatever_exposes_the_tls_port(service_type: str) -> None:
    rendered = docs("deployment-tls", "--set", f"deployment.service.type={service_type}")
    services = {d["metadata"]["name"]: d["spec"] for d in rendered if d["kind"] == "Service"}
    assert services["bitbroker"]["type"] == service_type
    assert [p["name"] for p in services["bitbroker"]["ports"]] == ["bitbroker", "health"]
    assert services["bitbroker-plain"]["type"] == "ClusterIP"
    for doc in rendered:
        validate(doc, KUBE_VERSIONS[-1])


def test_the_plain_service_name_is_a_valid_name_for_the_longest_release_name() -> None:
    release = "r" * 53  # Helm's limit on a release name
    out = subprocess.run(
        [helm(), "template", release, str(CHART), "--kube-version", KUBE_VERSIONS[0], "--values", str(CHART / "ci/deployment-tls-values.yaml")],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    names = [d["metadata"]["name"] for d in yaml.safe_load_all(out) if d and d["kind"] == "Service"]
    assert len(names) == 2 and names[1].endswith("-plain")
    # A Service's name is a DNS-1035 label (the schemas do not check names).
    for name in names:
        assert re.fullmatch(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?", name), name
