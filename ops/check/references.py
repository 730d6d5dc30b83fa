"""Where the ops files read metrics and environment variables from, and what the binary has.

Paths are relative to the repository root. Sources of truth in the Swift package:
- the environment variables the binary reads: `ServiceConfiguration.variables`;
- the metric families it registers: the string literals passed to `recorder.counter`,
  `recorder.gauge` and `recorder.histogram` in ServiceMetrics.swift.
"""

import glob
import json
import os
import re

import yaml

import promql

SERVICE_VARIABLES_SOURCE = "Sources/Actors/Service/ServiceConfiguration+Environment.swift"
SERVICE_METRICS_SOURCE = "Sources/Actors/Observability/ServiceMetrics.swift"
ALERT_RULES = "ops/monitoring/prometheus/alerts/*.yaml"
ADAPTER_CONFIG = "ops/k8s/prometheus-adapter/adapter-config.yaml"
DASHBOARD = "ops/monitoring/grafana/cricalgo.json"

# Series Prometheus makes itself, not the binary.
PROMETHEUS_SERIES = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}
# Labels that scraping adds (compose job/instance; Prometheus Operator namespace/pod/...).
TARGET_LABELS = {"job", "instance", "namespace", "pod", "service", "endpoint", "container", "environment"}


def read(root: str, path: str) -> str:
    with open(os.path.join(root, path), encoding="utf-8") as handle:
        return handle.read()


def service_variables(root: str):
    """The list literal `public static let variables = [...]` of the Swift source."""
    text = read(root, SERVICE_VARIABLES_SOURCE)
    m = re.search(r"static\s+let\s+variables\s*=\s*\[(.*?)\]", text, re.S)
    if not m:
        raise ValueError(f"no `static let variables = [...]` in {SERVICE_VARIABLES_SOURCE}")
    names = re.findall(r'"([A-Z][A-Z0-9_]*)"', m.group(1))
    if not names:
        raise ValueError(f"`variables` in {SERVICE_VARIABLES_SOURCE} lists no names")
    return names


def registered_metric_families(root: str):
    """Metric family names the Swift source registers (for the check that needs no binary)."""
    text = read(root, SERVICE_METRICS_SOURCE)
    return set(re.findall(r'\.(?:counter|gauge|histogram)\(\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"', text, re.S))


def alert_rule_files(root: str):
    return sorted(glob.glob(os.path.join(root, ALERT_RULES)))


def rule_groups(path: str):
    with open(path, encoding="utf-8") as handle:
        return (yaml.safe_load(handle) or {}).get("groups", [])


def alert_expressions(root: str):
    """[(where, expr)] for every alerting and recording rule, and the set of recorded names."""
    expressions = []
    recorded = set()
    for path in alert_rule_files(root):
        for group in rule_groups(path):
            for rule in group.get("rules", []):
                name = rule.get("alert") or rule.get("record")
                where = f"{os.path.relpath(path, root)}: {name}"
                expressions.append((where, rule["expr"]))
                if "record" in rule:
                    recorded.add(rule["record"])
    return expressions, recorded


def alert_names(root: str):
    names = []
    for path in alert_rule_files(root):
        for group in rule_groups(path):
            names += [rule["alert"] for rule in group.get("rules", []) if "alert" in rule]
    return names


def adapter_config(root: str):
    """The prometheus-adapter config file carried in the ConfigMap."""
    documents = [d for d in yaml.safe_load_all(read(root, ADAPTER_CONFIG)) if d]
    if len(documents) != 1 or documents[0].get("kind") != "ConfigMap":
        raise ValueError(f"{ADAPTER_CONFIG} must hold exactly one ConfigMap")
    return yaml.safe_load(documents[0]["data"]["config.yaml"])


def adapter_expressions(root: str):
    """[(where, seriesQuery)] for every adapter rule, and the external names it serves."""
    config = adapter_config(root)
    expressions = []
    served = set()
    for section in ("rules", "externalRules"):
        for index, rule in enumerate(config.get(section) or []):
            expressions.append((f"{ADAPTER_CONFIG}: {section}[{index}].seriesQuery", rule["seriesQuery"]))
            if section == "externalRules":
                served.add(rule.get("name", {}).get("as") or "")
    return expressions, served


def dashboard_expressions(root: str):
    """[(where, expr)] for every panel target (rows included) of the Grafana dashboard."""
    dashboard = json.loads(read(root, DASHBOARD))
    expressions = []

    def visit(panels):
        for panel in panels:
            for target in panel.get("targets", []):
                if target.get("expr"):
                    expressions.append((f"{DASHBOARD}: {panel.get('title')!r} {target.get('refId')}", target["expr"]))
            visit(panel.get("panels", []))

    visit(dashboard.get("panels", []))
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query")
        m = re.match(r"\s*label_values\(\s*(.+?)\s*,\s*[a-zA-Z_]+\s*\)\s*$", query or "")
        if m:
            expressions.append((f"{DASHBOARD}: variable {variable.get('name')}", m.group(1)))
    return expressions


def all_selectors(root: str):
    """[(where, name, matchers)] from the alert rules, the adapter rule and the dashboard,
    plus the names defined by recording rules (not emitted by the binary)."""
    alerts, recorded = alert_expressions(root)
    adapter, _ = adapter_expressions(root)
    found = []
    for where, expr in alerts + adapter + dashboard_expressions(root):
        for name, matchers in promql.selectors(expr):
            found.append((where, name, matchers))
    return found, recorded


def family_of(sample_name: str) -> str:
    for suffix in ("_bucket", "_sum", "_count"):
        if sample_name.endswith(suffix):
            return sample_name[: -len(suffix)]
    return sample_name
