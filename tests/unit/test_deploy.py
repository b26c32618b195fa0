"""The deploy files: dashboards, Prometheus rules, Alertmanager, compose, Kubernetes, image."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

from streams.rules import load_rules
from tests.conftest import ROOT
from tests.tools import exported_metrics, metric_names, run, tool

DEPLOY = ROOT / "deploy"
PROMETHEUS = DEPLOY / "prometheus"
GRAFANA = DEPLOY / "grafana"
KUBERNETES = DEPLOY / "kubernetes"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
OPERATIONS = ROOT / "docs" / "operations.md"

# What the dashboards must show (the list), by the metric each panel reads.
MUST_SHOW = {
    "geoevents_articles_consumed_total",
    "geoevents_articles_accepted_total",
    "geoevents_duplicate_articles_total",
    "geoevents_stories_total",
    "geoevents_mentions_total",
    "geoevents_canonical_events_total",
    "geoevents_dead_letters_total",
    "geoevents_alerts_total",
    "geoevents_deliveries_total",
    "geoevents_delivery_seconds_bucket",
    "geoevents_alerts_dead_lettered_total",
    "geoevents_intake_to_alert_seconds_bucket",
    "geoevents_published_to_alert_seconds_bucket",
    "geoevents_stage_seconds_bucket",
    "geoevents_consumer_lag",
    "geoevents_table_keys",
    "geoevents_build_info",
}
# Grafana's own variables, replaced by what they stand for when promtool checks a query.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h", "$job": "x"}


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    panels = []
    for panel in dashboard["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))  # collapsed rows hold their panels
    return panels


def _queries(dashboard: dict[str, Any]) -> list[str]:
    exprs = [t["expr"] for p in _panels(dashboard) for t in p.get("targets", [])]
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        query = query.get("query") if isinstance(query, dict) else query
        if variable.get("type") == "query" and query:
            found = re.fullmatch(r"label_values\((\w+),\s*\w+\)", query)
            assert found, f"{variable['name']}: unexpected variable query {query!r}"
            exprs.append(found.group(1))
    return exprs


def _rule_exprs() -> list[str]:
    groups = _load(PROMETHEUS / "rules.yml")["groups"]
    return [rule["expr"] for group in groups for rule in group["rules"]]


# --- Grafana


def test_there_are_dashboards() -> None:
    assert {p.stem for p in DASHBOARDS} >= {"geoevents-overview", "geoevents-workers"}


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_is_well_formed(path: Path) -> None:
    dashboard = json.loads(path.read_text(encoding="utf-8"))
    assert dashboard["uid"] == path.stem and dashboard["title"]
    panels = _panels(dashboard)
    assert panels
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    datasource = _load(GRAFANA / "provisioning" / "datasources" / "prometheus.yaml")
    uid = datasource["datasources"][0]["uid"]
    for panel in panels:
        assert panel["title"] and {"h", "w", "x", "y"} <= panel["gridPos"].keys()
        if panel["type"] == "row":
            continue
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["uid"] == uid, panel["title"]
        for target in panel["targets"]:
            assert target["expr"].strip(), panel["title"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_every_dashboard_query_names_an_exported_metric(path: Path) -> None:
    exported = exported_metrics()
    for expr in _queries(json.loads(path.read_text(encoding="utf-8"))):
        names = metric_names(expr)
        assert names, f"no metric in {expr!r}"
        assert names <= exported, f"{path.name}: {sorted(names - exported)} in {expr!r}"


def test_dashboards_show_what_operators_need() -> None:
    shown = set()
    for path in DASHBOARDS:
        for expr in _queries(json.loads(path.read_text(encoding="utf-8"))):
            shown |= metric_names(expr)
    assert MUST_SHOW <= shown, sorted(MUST_SHOW - shown)


def test_dashboard_queries_parse(tmp_path: Path) -> None:
    """promtool parses every query, as the expression of a recording rule."""
    promtool = tool("promtool")
    rules = []
    for path in DASHBOARDS:
        for expr in _queries(json.loads(path.read_text(encoding="utf-8"))):
            for variable, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(variable, value)
            rules.append({"record": f"dashboard:query{len(rules)}", "expr": expr})
    file = tmp_path / "dashboards.rules.yml"
    file.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    result = run(promtool, "check", "rules", str(file))
    assert result.returncode == 0, result.stdout + result.stderr


def test_grafana_provisioning_points_at_the_mounted_dashboards() -> None:
    provider = _load(GRAFANA / "provisioning" / "dashboards" / "geoevents.yaml")["providers"][0]
    compose = _load(ROOT / "docker-compose.yml")
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./deploy/grafana/dashboards:{provider['options']['path']}:ro" in mounts


# --- Prometheus and Alertmanager


def test_prometheus_config_checks() -> None:
    result = run(tool("promtool"), "check", "config", str(PROMETHEUS / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rules_check() -> None:
    result = run(tool("promtool"), "check", "rules", str(PROMETHEUS / "rules.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rules_unit_tests_pass() -> None:
    result = run(tool("promtool"), "test", "rules", str(PROMETHEUS / "rules.test.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rules_name_exported_metrics() -> None:
    exported = exported_metrics()
    for expr in _rule_exprs():
        names = metric_names(expr)
        assert names and names <= exported, f"{sorted(names - exported)} in {expr!r}"


def test_every_alert_rule_is_tested_and_documented() -> None:
    rules = [r for g in _load(PROMETHEUS / "rules.yml")["groups"] for r in g["rules"]]
    tests = _load(PROMETHEUS / "rules.test.yml")["tests"]
    tested = {case["alertname"] for t in tests for case in t.get("alert_rule_test", [])}
    headings = {
        line.lstrip("#").strip().lower()
        for line in OPERATIONS.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }
    for rule in rules:
        name = rule["alert"]
        assert name in tested, f"{name} has no case in rules.test.yml"
        assert rule["annotations"]["runbook_url"] == f"docs/operations.md#{name.lower()}"
        assert name.lower() in headings, f"docs/operations.md has no section {name}"


def test_scrape_targets_are_the_compose_workers() -> None:
    config = _load(PROMETHEUS / "prometheus.yml")
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "geoevents")
    targets = {t for c in job["static_configs"] for t in c["targets"]}
    services = _load(ROOT / "docker-compose.yml")["services"]
    workers = {f"{name}:6066" for name in services if name.startswith("worker-")}
    assert targets == workers


def test_alertmanager_config_checks() -> None:
    config = DEPLOY / "alertmanager" / "alertmanager.yml"
    result = run(tool("amtool"), "check-config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr


# --- docker-compose


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """Target -> source of a rendered service's volumes (docker-compose v1 renders the short
    "source:target:mode" form, Compose v2 the long one)."""
    mounts = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume["source"], volume["target"]
        mounts[target] = source
    return mounts


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """docker-compose.yml as the compose tool renders it (no Docker engine needed)."""
    compose_file = str(ROOT / "docker-compose.yml")
    result = run(
        tool("docker-compose"), "-f", compose_file, "--project-directory", str(ROOT), "config"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rendered: dict[str, Any] = yaml.safe_load(result.stdout)
    return rendered


def test_compose_has_the_whole_stack(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"kafka", "topics", "worker-1", "worker-2", "feed"} <= services.keys()
    assert {"prometheus", "grafana", "alertmanager"} <= services.keys()
    kafka = services["kafka"]["environment"]
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper
    assert re.fullmatch(r"apache/kafka:\d+\.\d+\.\d+", services["kafka"]["image"])
    topics = services["topics"]
    assert topics["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert "events.canonical --config cleanup.policy=compact" in topics["command"][0]
    for name in ("feed", "prometheus", "grafana", "alertmanager", "kafka"):
        image = services[name]["image"]
        assert ":" in image and not image.endswith(":latest"), image


def test_compose_workers_share_a_group(compose: dict[str, Any]) -> None:
    workers = [s for name, s in compose["services"].items() if name.startswith("worker-")]
    assert len(workers) == 2
    assert len({w["environment"]["GEO_APP_ID"] for w in workers}) == 1
    assert len({w["environment"]["GEO_CONSUMER_INSTANCE_ID"] for w in workers}) == 2
    states = [_mounts(w)["/var/lib/geoevents"] for w in workers]
    assert len(set(states)) == 2 and set(states) <= compose["volumes"].keys()
    for worker in workers:
        assert worker["environment"]["GEO_STORE"] == "rocksdb://"
        assert worker["depends_on"]["topics"]["condition"] == "service_completed_successfully"
        assert int(worker["environment"]["GEO_TOPICS__PARTITIONS"]) >= len(workers)


def test_compose_services_are_health_checked(compose: dict[str, Any]) -> None:
    one_shot = {"topics", "feed"}
    for name, service in compose["services"].items():
        if name not in one_shot:
            assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
    assert {"kafka-data", "prometheus-data", "grafana-data"} <= compose["volumes"].keys()


def test_compose_feed_publishes_the_sample(compose: dict[str, Any]) -> None:
    feed = compose["services"]["feed"]
    assert feed["command"][:2] == ["geoevents", "ingest"]
    source = _mounts(feed)["/feed"]
    assert (Path(source) / Path(feed["command"][-1]).name).is_file()


# --- Kubernetes


def _manifests() -> dict[str, dict[str, Any]]:
    kustomization = _load(KUBERNETES / "kustomization.yaml")
    docs = {}
    for name in kustomization["resources"]:
        for doc in yaml.safe_load_all((KUBERNETES / name).read_text(encoding="utf-8")):
            docs[doc["kind"]] = doc if doc["kind"] not in docs else docs[doc["kind"]]
            docs[f"{doc['kind']}/{doc['metadata']['name']}"] = doc
    return docs


def test_kubernetes_manifests_have_every_part() -> None:
    docs = _manifests()
    for kind in ("Namespace", "StatefulSet", "Service", "ConfigMap", "Secret"):
        assert kind in docs, kind
    assert "ConfigMap/geoevents-rules" in docs and "PodDisruptionBudget" in docs
    for name, doc in docs.items():
        assert doc["apiVersion"] and doc["metadata"]["name"], name


def test_statefulset_keeps_state_and_probes_the_worker() -> None:
    docs = _manifests()
    sts = docs["StatefulSet"]["spec"]
    assert sts["serviceName"] in {d["metadata"]["name"] for k, d in docs.items() if "/" in k}
    claim = sts["volumeClaimTemplates"][0]["metadata"]["name"]
    container = sts["template"]["spec"]["containers"][0]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts[claim] == "/var/lib/geoevents"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    env = {e["name"]: e for e in container["env"]}
    assert env["GEO_CONSUMER_INSTANCE_ID"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    refs = {next(iter(r.values()))["name"] for r in container["envFrom"]}
    assert refs == {"geoevents-config", "geoevents-channels"}
    assert sts["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    config = docs["ConfigMap/geoevents-config"]["data"]
    assert int(config["GEO_TOPICS__PARTITIONS"]) >= sts["replicas"]
    assert mounts["rules"] == str(Path(config["GEO_RULES_FILE"]).parent)


def test_kubernetes_rules_are_valid(tmp_path: Path) -> None:
    rules = _manifests()["ConfigMap/geoevents-rules"]["data"]["rules.yaml"]
    path = tmp_path / "rules.yaml"
    path.write_text(rules, encoding="utf-8")
    assert load_rules(path).rules


# --- the image


def test_dockerfile_is_slim_pinned_and_non_root() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert base and re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", base.group(1))
    user = re.findall(r"^USER (\S+)$", text, re.M)
    assert user and user[-1].split(":")[0] not in {"0", "root"}
    assert "--constraint deploy/constraints.txt" in text
    assert 'VOLUME ["/var/lib/geoevents"]' in text and "GEO_STORE=rocksdb://" in text
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", text, re.M):
        for item in source.split():
            assert (ROOT / item).exists(), item


def test_image_constraints_pin_every_runtime_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for r in project["optional-dependencies"]["rocksdb"]]
    pins = {}
    for line in (DEPLOY / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    for req in wanted:
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pins, f"{req.name} is not pinned: run `make constraints`"
        assert req.specifier.contains(pins[name]), f"{req} vs {pins[name]}: `make constraints`"


def _image_sources(into: Path) -> None:
    """Copy what the Dockerfile's build stage copies, and nothing else."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    build = text.split("\nFROM ")[1]  # the build stage, up to the runtime stage
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", build, re.M):
        for item in source.split():
            origin, target = ROOT / item, into / item
            target.parent.mkdir(parents=True, exist_ok=True)
            if origin.is_dir():
                shutil.copytree(origin, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(origin, target)


def test_the_image_wheel_holds_only_the_service(tmp_path: Path) -> None:
    """The image installs a wheel built from what its Dockerfile copies: the service's packages
    and their data, no lab (geolab), no tests, and nothing in it imports them."""
    sources, wheels = tmp_path / "src", tmp_path / "wheels"
    _image_sources(sources)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), "."],
        cwd=sources,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("geoevents-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        modules = {n: archive.read(n).decode("utf-8") for n in names if n.endswith(".py")}
        entry_points = next(
            archive.read(n).decode() for n in names if n.endswith("entry_points.txt")
        )
    assert {n.split("/")[0] for n in names} == {"streams", "schemas", "geoevents-0.1.0.dist-info"}
    assert "streams/data/model/model.json" in names and "streams/pipeline.py" in names
    assert entry_points.split() == ["[console_scripts]", "geoevents", "=", "streams.cli:main"]
    for name, source in modules.items():
        for node in ast.walk(ast.parse(source)):
            imported = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            for module in imported:
                assert module.split(".")[0] not in {"geolab", "tests", "sklearn"}, (name, module)
