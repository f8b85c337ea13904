"""The documented ways to run a cluster (docker-compose.yml, deploy/kubernetes/) parse, and
say what the server understands: they cannot be run here (no container engine)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import yaml

from maestoso import config

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"


def _known(name: str) -> bool:
    """Whether the server's settings read the variable ``name``."""
    return name in re.findall(r'"(MAESTOSO_[A-Z_]+)"', inspect.getsource(config))


def test_compose_runs_three_nodes_on_one_database() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services: dict[str, Any] = compose["services"]
    nodes = {name: s for name, s in services.items() if name.startswith("node-")}
    assert set(nodes) == {"node-1", "node-2", "node-3"}
    assert services["postgres"]["image"].startswith("postgres:")
    envs = [node["environment"] for node in nodes.values()]
    assert {env["MAESTOSO_NODE_ID"] for env in envs} == set(nodes), "one name per node"
    assert len({env["MAESTOSO_DATABASE_URL"] for env in envs}) == 1, "one database"
    for node in nodes.values():
        assert node["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert "/readyz" in " ".join(node["healthcheck"]["test"])
        assert all(_known(name) for name in node["environment"]), node["environment"]
    assert len({tuple(node["ports"]) for node in nodes.values()}) == 3


def test_kubernetes_deployment_probes_and_service() -> None:
    documents = [
        doc
        for path in sorted(KUBERNETES.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
    ]
    kinds = {doc["kind"]: doc for doc in documents}
    assert {"Deployment", "Service", "Kustomization"} <= set(kinds)
    deployment, service = kinds["Deployment"], kinds["Service"]
    pod = deployment["spec"]["template"]
    assert (
        deployment["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    )
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    [container] = pod["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    port_names = {port["name"] for port in container["ports"]}
    assert container["readinessProbe"]["httpGet"]["port"] in port_names
    assert {port["targetPort"] for port in service["spec"]["ports"]} <= port_names
    assert pod["metadata"]["annotations"]["prometheus.io/path"] == "/metrics"
    env = {item["name"]: item for item in container["env"]}
    assert env["MAESTOSO_NODE_ID"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    assert env["MAESTOSO_AUTH"]["value"] == "token", "beyond loopback, only with tokens"
    assert all(_known(name) for name in env), sorted(env)
    listed = set(kinds["Kustomization"]["resources"])
    assert listed == {p.name for p in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
