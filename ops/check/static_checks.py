"""Checks of the ops files that need no cluster, no Docker engine and no running binary.

Usage: python3 static_checks.py <repo-root>
"""

import glob
import json
import os
import re
import sys

import yaml

import promql
import references
from report import Report

CRICALGO_COMMANDS = {"serve", "api", "worker", "migrate", "verify"}
# Read by the Swift runtime itself (crash backtraces), not by the service's configuration.
SWIFT_RUNTIME_VARIABLES = {"SWIFT_BACKTRACE"}


def ops_yaml_files(root):
    files = glob.glob(os.path.join(root, "ops", "**", "*.yaml"), recursive=True)
    files += glob.glob(os.path.join(root, "ops", "**", "*.yml"), recursive=True)
    return sorted(files)


def load_documents(path):
    with open(path, encoding="utf-8") as handle:
        return [d for d in yaml.safe_load_all(handle) if d is not None]


def check_parsing(root, report):
    problems = []
    files = ops_yaml_files(root)
    for path in files:
        try:
            load_documents(path)
        except yaml.YAMLError as error:
            problems.append(f"{os.path.relpath(path, root)}: {error}")
    try:
        references.adapter_config(root)
    except (yaml.YAMLError, ValueError, KeyError) as error:
        problems.append(f"{references.ADAPTER_CONFIG} config.yaml: {error}")
    try:
        json.loads(references.read(root, references.DASHBOARD))
    except ValueError as error:
        problems.append(f"{references.DASHBOARD}: {error}")
    report.check("every YAML and JSON file parses", problems, f"{len(files)} YAML files")


def compose_file(root):
    return load_documents(os.path.join(root, "ops", "docker-compose.staging.yml"))[0]


def is_cricalgo_service(service):
    build = service.get("build") or {}
    dockerfile = build.get("dockerfile", "") if isinstance(build, dict) else ""
    return "cricalgo" in str(service.get("image", "")) or dockerfile.endswith("ops/Dockerfile")


def k8s_documents(root):
    documents = []
    for path in sorted(glob.glob(os.path.join(root, "ops", "k8s", "**", "*.yaml"), recursive=True)):
        for document in load_documents(path):
            documents.append((os.path.relpath(path, root), document))
    return documents


def environment_sources(root):
    """[(where, {name: value})] of every place that sets a variable for the binary."""
    sources = []
    for name, service in compose_file(root)["services"].items():
        if is_cricalgo_service(service):
            environment = service.get("environment") or {}
            if isinstance(environment, list):
                environment = dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
            sources.append((f"docker-compose.staging.yml service {name}", environment))
    for path, document in k8s_documents(root):
        kind = document.get("kind")
        name = document.get("metadata", {}).get("name")
        if kind == "ConfigMap" and name == "cricalgo-config":
            sources.append((f"{path} ConfigMap {name}", document.get("data") or {}))
        elif kind == "Secret":
            values = dict(document.get("stringData") or {}, **(document.get("data") or {}))
            sources.append((f"{path} Secret {name}", values))
        elif kind == "Deployment":
            for container in document["spec"]["template"]["spec"]["containers"]:
                values = {item["name"]: item.get("value") for item in container.get("env", [])}
                sources.append((f"{path} Deployment {name} container {container['name']}", values))
    dockerfile = references.read(root, "ops/Dockerfile")
    runtime_stage = dockerfile.split("\nFROM ")[-1]
    values = {}
    for block in re.findall(r"^ENV\s+((?:.*\\\n)*.*)$", runtime_stage, re.M):
        for key, value in re.findall(r"([A-Z][A-Z0-9_]*)=(\S+)", block):
            values[key] = value
    sources.append(("ops/Dockerfile runtime ENV", values))
    return sources


def check_environment(root, report):
    variables = set(references.service_variables(root))
    problems = []
    counted = 0
    allowed = variables | SWIFT_RUNTIME_VARIABLES
    for where, values in environment_sources(root):
        for name in values:
            counted += 1
            if name not in allowed:
                problems.append(f"{where}: {name} is not read by the binary")
    report.check("every env name given to cricalgo is one the binary reads", problems,
                 f"{counted} settings against {len(variables)} names in {references.SERVICE_VARIABLES_SOURCE}")

    # WORKER_CONCURRENCY drives the CricalgoWorkersBelowTarget recording rule.
    alerts, _ = references.alert_expressions(root)
    target = [expr for where, expr in alerts if where.endswith(": cricalgo:workers_target")]
    m = re.fullmatch(r"\s*vector\((\d+)\)\s*", target[0]) if target else None
    problems = [] if m else ["recording rule cricalgo:workers_target = vector(N) not found"]
    if m:
        for where, values in environment_sources(root):
            concurrency = values.get("WORKER_CONCURRENCY", values.get("CELERY_WORKER_CONCURRENCY"))
            if concurrency is not None and str(concurrency) != m.group(1):
                problems.append(f"{where}: WORKER_CONCURRENCY={concurrency} but cricalgo:workers_target is {m.group(1)}")
    report.check("WORKER_CONCURRENCY matches the workers target of the alert rules", problems)


def check_compose(root, report):
    compose = compose_file(root)
    services = compose.get("services") or {}
    volumes = set((compose.get("volumes") or {}).keys())
    compose_dir = os.path.join(root, "ops")
    problems = []
    for name, service in services.items():
        if not service.get("image") and not service.get("build"):
            problems.append(f"service {name} has neither image nor build")
        depends = service.get("depends_on") or {}
        for dependency in depends if isinstance(depends, (list, dict)) else []:
            if dependency not in services:
                problems.append(f"service {name} depends on unknown service {dependency}")
            elif isinstance(depends, dict):
                condition = depends[dependency].get("condition")
                if condition == "service_healthy" and "healthcheck" not in services[dependency] and not is_cricalgo_service(services[dependency]):
                    problems.append(f"service {name} waits for {dependency} to be healthy but it has no healthcheck")
        for mount in service.get("volumes") or []:
            source = mount.split(":", 1)[0] if isinstance(mount, str) else mount.get("source")
            if source.startswith((".", "/")):
                if not os.path.exists(os.path.normpath(os.path.join(compose_dir, source))):
                    problems.append(f"service {name} mounts {source}, which does not exist")
            elif source not in volumes:
                problems.append(f"service {name} uses volume {source}, not declared under volumes")
        build = service.get("build")
        if isinstance(build, dict):
            dockerfile = os.path.join(compose_dir, build.get("context", "."), build.get("dockerfile", "Dockerfile"))
            if not os.path.isfile(os.path.normpath(dockerfile)):
                problems.append(f"service {name} builds from {dockerfile}, which does not exist")
        if is_cricalgo_service(service):
            command = service.get("command") or ["serve"]
            if not command or command[0] not in CRICALGO_COMMANDS:
                problems.append(f"service {name} runs `cricalgo {' '.join(command)}`: not a cricalgo command")
    for required in ("postgres", "api", "worker", "prometheus"):
        if required not in services:
            problems.append(f"no {required} service")
    if "api" in services and (services["api"].get("deploy") or {}).get("replicas", 1) < 2:
        problems.append("the api service should run several replicas")
    if "postgres" in services and not any(":/var/lib/postgresql/data" in str(v) for v in services["postgres"].get("volumes") or []):
        problems.append("postgres keeps its data in no volume")
    report.check("docker-compose.staging.yml structure", problems, f"{len(services)} services")


def check_dockerfile(root, report):
    text = references.read(root, "ops/Dockerfile")
    logical = re.sub(r"\\\n", " ", text)
    instructions = [line.strip() for line in logical.splitlines() if line.strip() and not line.strip().startswith("#")]
    known = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER",
             "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}
    problems = [f"unknown instruction: {line[:40]}" for line in instructions if line.split()[0].upper() not in known]
    stages = [i for i, line in enumerate(instructions) if line.upper().startswith("FROM ")]
    if len(stages) < 2:
        problems.append("not a multi-stage build")
    final = instructions[stages[-1]:] if stages else []
    args = dict(re.findall(r"^ARG\s+([A-Z_]+)=(\S+)", text, re.M))
    swift = re.search(r"swift:(\d+)\.(\d+)", args.get("SWIFT_IMAGE", "") + " ".join(instructions[:1]))
    if not swift or (int(swift.group(1)), int(swift.group(2))) < (6, 1):
        problems.append("the builder must be a swift:6.1-or-newer image")
    if not re.search(r"swift build -c release --static-swift-stdlib --product cricalgo", logical):
        problems.append("no `swift build -c release --static-swift-stdlib --product cricalgo`")
    users = [line.split(None, 1)[1] for line in final if line.upper().startswith("USER ")]
    if not users or users[-1].split(":")[0] in ("0", "root"):
        problems.append("the runtime stage does not switch to a non-root USER")
    health = [line for line in final if line.upper().startswith("HEALTHCHECK ")]
    if not health or "/healthz" not in health[-1]:
        problems.append("no HEALTHCHECK on /healthz in the runtime stage")
    elif "curl" in health[-1] and not any("install" in line and "curl" in line for line in final):
        problems.append("HEALTHCHECK uses curl but the runtime stage does not install it")
    if not any(line.upper().startswith("ENTRYPOINT") and "cricalgo" in line for line in final):
        problems.append("the runtime ENTRYPOINT is not cricalgo")
    if not any(re.match(r"COPY\s+--from=build\s", line) for line in final):
        problems.append("the runtime stage does not copy the binary from the build stage")
    report.check("Dockerfile (parsed and linted by rule; no engine here to build it)", problems,
                 f"{len(stages)} stages, user {users[-1] if users else '?'}")


def check_alert_tests(root, report):
    """Every alert has a test where it fires and one where it stays quiet."""
    fired, quiet = set(), set()
    test_files = sorted(glob.glob(os.path.join(root, "ops/monitoring/prometheus/tests/*.yaml")))
    for path in test_files:
        for test in load_documents(path)[0].get("tests", []):
            for case in test.get("alert_rule_test", []):
                (fired if case.get("exp_alerts") else quiet).add(case["alertname"])
    problems = []
    names = references.alert_names(root)
    for name in names:
        if name not in fired:
            problems.append(f"{name}: no test makes it fire")
        if name not in quiet:
            problems.append(f"{name}: no test shows it quiet")
    for name in sorted((fired | quiet) - set(names)):
        problems.append(f"tests name {name}, which is no alert")
    if len(set(names)) != len(names):
        problems.append("two alerts share a name")
    report.check("every alert is tested firing and quiet", problems, f"{len(names)} alerts, {len(test_files)} test files")


def check_metric_names_in_source(root, report):
    """Names the ops files read are registered in ServiceMetrics.swift (no binary needed)."""
    families = references.registered_metric_families(root)
    found, recorded = references.all_selectors(root)
    problems = []
    names = set()
    for where, name, _ in found:
        names.add(name)
        if name in recorded or name in references.PROMETHEUS_SERIES:
            continue
        if references.family_of(name) not in families and name not in families:
            problems.append(f"{where}: {name} is not registered in {references.SERVICE_METRICS_SOURCE}")
    report.check("every metric name used is registered in the Swift source", sorted(set(problems)),
                 f"{len(names)} names; the live check against the binary is authoritative")


def github_anchor(heading):
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def check_runbook_links(root, report):
    runbook = references.read(root, "docs/RUNBOOK.md")
    anchors = {github_anchor(h) for h in re.findall(r"^#{1,6}\s+(.+?)\s*$", runbook, re.M)}
    problems = []
    links = 0
    for path in references.alert_rule_files(root):
        for group in references.rule_groups(path):
            for rule in group.get("rules", []):
                link = (rule.get("annotations") or {}).get("runbook")
                if "alert" in rule and not link:
                    problems.append(f"{rule['alert']} has no runbook annotation")
                if link:
                    links += 1
                    target, _, anchor = link.partition("#")
                    if target != "docs/RUNBOOK.md" or anchor not in anchors:
                        problems.append(f"{rule.get('alert')}: {link} is not a heading of docs/RUNBOOK.md")
    report.check("every alert links to a runbook section that exists", problems, f"{links} links")


def check_dashboard(root, report):
    dashboard = json.loads(references.read(root, references.DASHBOARD))
    problems = []
    ids = []
    variables = {v.get("name") for v in dashboard.get("templating", {}).get("list", [])}
    panels = dashboard.get("panels", [])
    for panel in panels:
        ids.append(panel.get("id"))
        grid = panel.get("gridPos") or {}
        if not all(isinstance(grid.get(k), int) for k in ("h", "w", "x", "y")) or grid["x"] + grid["w"] > 24:
            problems.append(f"panel {panel.get('title')!r}: bad gridPos {grid}")
        if panel.get("type") == "row":
            continue
        uid = (panel.get("datasource") or {}).get("uid", "")
        if uid.startswith("${") and uid[2:-1] not in variables:
            problems.append(f"panel {panel.get('title')!r}: datasource variable {uid} is not defined")
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"panel {panel.get('title')!r} has no query")
        for target in targets:
            try:
                promql.selectors(target.get("expr", ""))
            except promql.PromQLError as error:
                problems.append(f"panel {panel.get('title')!r} {target.get('refId')}: {error}")
    if len(set(ids)) != len(ids):
        problems.append("panel ids are not unique")
    titles = " ".join(p.get("title", "").lower() for p in panels)
    for topic in ("latency", "throughput", "queue", "workers", "restarts", "connections"):
        if topic not in titles:
            problems.append(f"no panel about {topic}")
    if not dashboard.get("uid") or not dashboard.get("title"):
        problems.append("the dashboard needs a uid and a title")
    report.check("Grafana dashboard structure", problems, f"{len(panels)} panels")


def main():
    root = os.path.abspath(sys.argv[1])
    report = Report("static")
    for check in (check_parsing, check_environment, check_compose, check_dockerfile, check_alert_tests,
                  check_metric_names_in_source, check_runbook_links, check_dashboard):
        try:
            check(root, report)
        except Exception as error:  # a file too broken to inspect is a failure, not a crash
            report.fail(check.__name__, f"{type(error).__name__}: {error}")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
