"""The deployment files hold what deploy/README.md promises: valid Kubernetes objects, probes on the
endpoints the processes serve, secrets only from a Secret, and a compose file whose database
password never has to be escaped into a URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "k8s"
# The oldest Kubernetes release still supported by the big providers when this was written, and
# the newest schema kubernetes-validate ships: the manifests must hold on both.
K8S_VERSIONS = ("1.31.0", kubernetes_validate.latest_version())


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _objects() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{path.name}:{doc['kind']}", doc)
        for path in sorted(K8S.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in _documents(path)
    ]


def _by_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for _, doc in _objects() if doc["kind"] == kind]


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize(("name", "doc"), _objects(), ids=[name for name, _ in _objects()])
def test_every_manifest_is_a_valid_kubernetes_object(name: str, doc: dict[str, Any], version: str) -> None:
    kubernetes_validate.validate(doc, version, strict=True)


def test_the_validator_would_catch_a_misspelt_field() -> None:
    deployment = next(d for d in _by_kind("Deployment"))
    broken = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSIONS[0], strict=True)


def test_kustomization_lists_every_manifest_but_the_example_secret() -> None:
    listed = set(yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"])
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert listed == on_disk


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]  # type: ignore[no-any-return]


def test_slack_runs_replicas_with_probes_and_a_disruption_budget() -> None:
    slack = next(d for d in _by_kind("Deployment") if d["metadata"]["name"] == "jembatan-slack")
    assert slack["spec"]["replicas"] >= 2
    container = _container(slack)
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    budget = _by_kind("PodDisruptionBudget")[0]
    assert budget["spec"]["selector"] == slack["spec"]["selector"]


def test_discord_runs_one_gateway_connection() -> None:
    discord = next(d for d in _by_kind("Deployment") if d["metadata"]["name"] == "jembatan-discord")
    assert discord["spec"]["replicas"] == 1
    assert _container(discord)["readinessProbe"]["httpGet"]["path"] == "/readyz"


def test_every_pod_runs_as_non_root_with_secrets_from_the_secret() -> None:
    pods = [d["spec"]["template"]["spec"] for d in _by_kind("Deployment") + _by_kind("Job")]
    assert len(pods) == 3
    for pod in pods:
        assert pod["securityContext"]["runAsNonRoot"] is True
        (container,) = pod["containers"]
        assert {"secretRef": {"name": "jembatan"}} in container["envFrom"]
        assert "env" not in container  # nothing secret written inline
        assert container["resources"]["requests"]["memory"]


def _mebibytes(quantity: str) -> float:
    units = {"Mi": 1.0, "Gi": 1024.0, "M": 1e6 / 2**20, "G": 1e9 / 2**20}
    unit = next(u for u in sorted(units, key=len, reverse=True) if quantity.endswith(u))
    return float(quantity.removesuffix(unit)) * units[unit]


def test_every_memory_limit_holds_its_request() -> None:
    # The API server refuses a pod whose request exceeds its limit; the schemas cannot tell.
    pods = [d["spec"]["template"]["spec"] for d in _by_kind("Deployment") + _by_kind("Job")]
    for pod in pods:
        (container,) = pod["containers"]
        resources = container["resources"]
        assert _mebibytes(resources["requests"]["memory"]) <= _mebibytes(resources["limits"]["memory"])


def test_the_grace_period_outlasts_the_bots_own_shutdown() -> None:
    for deployment in _by_kind("Deployment"):
        assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > 30


def _compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yml").read_text())  # type: ignore[no-any-return]


def test_compose_keeps_the_password_out_of_the_database_url() -> None:
    services = _compose()["services"]
    for name in ("migrate", "slack", "discord"):
        env = services[name]["environment"]
        assert "POSTGRES_PASSWORD" not in env["DATABASE_URL"]
        assert env["PGPASSWORD"].startswith("${POSTGRES_PASSWORD")


def test_compose_migrates_once_before_the_bots_start() -> None:
    services = _compose()["services"]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for bot in ("slack", "discord"):
        assert services[bot]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "healthcheck" in services["db"]


def test_image_runs_jembatan_as_process_one_without_a_shell() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["jembatan"]' in dockerfile
    assert "sh -c" not in dockerfile
    assert "HEALTHCHECK" in dockerfile
    assert "USER 10001" in dockerfile
    assert "--require-hashes" in dockerfile
