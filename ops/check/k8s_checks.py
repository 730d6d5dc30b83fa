"""Kubernetes manifests: schema validation with kubernetes-validate, structure checks for the
custom resources it has no schema for, and the references between manifests.

Usage:
  python3 k8s_checks.py <repo-root> <kubernetes-version>   run the checks
  python3 k8s_checks.py <repo-root> --render-prometheusrule rewrite ops/k8s/prometheusrule.yaml
"""

import glob
import os
import re
import subprocess
import sys

import yaml

import promql
import references
from report import Report

K8S_DIR = "ops/k8s"
PROMETHEUS_RULE = "ops/k8s/prometheusrule.yaml"
# Kinds kubernetes-validate has no schema for, checked here by structure instead.
CUSTOM_KINDS = {("monitoring.coreos.com/v1", "ServiceMonitor"), ("monitoring.coreos.com/v1", "PrometheusRule")}
KUSTOMIZATION = "ops/k8s/kustomization.yaml"
# Applied separately (see the files' comments), so not in the kustomization.
NOT_IN_KUSTOMIZATION = {"secret.template.yaml", "prometheus-adapter/adapter-config.yaml"}


def manifest_files(root):
    files = sorted(glob.glob(os.path.join(root, K8S_DIR, "**", "*.yaml"), recursive=True))
    return [f for f in files if os.path.relpath(f, root) != KUSTOMIZATION]


def resources(root):
    found = []
    for path in manifest_files(root):
        with open(path, encoding="utf-8") as handle:
            for document in yaml.safe_load_all(handle):
                if document:
                    found.append((os.path.relpath(path, root), document))
    return found


def check_schemas(root, version, report):
    """kubernetes-validate --strict on every manifest; every built-in resource must pass."""
    executable = os.path.join(os.path.dirname(sys.executable), "kubernetes-validate")
    files = [os.path.relpath(f, root) for f in manifest_files(root)]
    run = subprocess.run([executable, "--strict", "--kubernetes-version", version, *files],
                         cwd=root, capture_output=True, text=True)
    output = run.stdout + run.stderr
    problems = [line for line in output.splitlines() if line.startswith(("ERROR", "FATAL"))]
    passed = set(re.findall(r"^INFO (\S+) passed for resource (\S+) against", output, re.M))
    custom = 0
    for path, document in resources(root):
        key = (document.get("apiVersion"), document.get("kind"))
        ident = f"{document['kind'].lower()}/{document['metadata']['name']}"
        if key in CUSTOM_KINDS:
            custom += 1
            if (path, ident) in passed:
                problems.append(f"{path} {ident}: expected no schema for a custom resource")
        elif (path, ident) not in passed:
            problems.append(f"{path} {ident}: kubernetes-validate did not pass it")
    if run.returncode != 0 and not problems:
        problems.append(f"kubernetes-validate exited {run.returncode}: {output.strip()[-400:]}")
    report.check(f"kubernetes-validate --strict, Kubernetes {version}", problems,
                 f"{len(passed)} resources passed; {custom} custom resources checked by structure below")


def check_custom_resources(root, report):
    problems = []
    docs = resources(root)
    services = {d["metadata"]["name"]: d for _, d in docs if d["kind"] == "Service"}
    for path, document in docs:
        if document["kind"] == "ServiceMonitor":
            spec = document.get("spec") or {}
            labels = ((spec.get("selector") or {}).get("matchLabels")) or {}
            if set(spec) - {"selector", "namespaceSelector", "endpoints", "jobLabel", "targetLabels", "podTargetLabels"}:
                problems.append(f"{path}: unexpected ServiceMonitor spec keys {sorted(set(spec) - {'selector', 'namespaceSelector', 'endpoints'})}")
            selected = [s for s in services.values() if labels and labels.items() <= s["metadata"].get("labels", {}).items()]
            if not selected:
                problems.append(f"{path}: the selector {labels} matches no Service")
            for endpoint in spec.get("endpoints") or []:
                if set(endpoint) - {"port", "path", "interval", "scrapeTimeout", "scheme", "honorLabels", "relabelings", "metricRelabelings"}:
                    problems.append(f"{path}: unexpected endpoint keys {sorted(endpoint)}")
                for service in selected:
                    if endpoint.get("port") not in [p.get("name") for p in service["spec"]["ports"]]:
                        problems.append(f"{path}: Service {service['metadata']['name']} has no port named {endpoint.get('port')}")
                if endpoint.get("path") != "/metrics":
                    problems.append(f"{path}: endpoints must scrape /metrics")
            if not spec.get("endpoints"):
                problems.append(f"{path}: no endpoints")
        elif document["kind"] == "PrometheusRule":
            for group in (document.get("spec") or {}).get("groups") or []:
                for rule in group.get("rules") or []:
                    if ("alert" in rule) == ("record" in rule) or "expr" not in rule:
                        problems.append(f"{path}: a rule needs expr and exactly one of alert/record")
    report.check("ServiceMonitor and PrometheusRule structure (custom resources)", problems)


def rendered_prometheusrule(root):
    groups = []
    for path in references.alert_rule_files(root):
        groups += references.rule_groups(path)
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": "cricalgo",
            "namespace": "cricalgo",
            "labels": {"app.kubernetes.io/name": "cricalgo", "app.kubernetes.io/part-of": "cricalgo", "release": "prometheus"},
        },
        "spec": {"groups": groups},
    }


def render_prometheusrule(root):
    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper, value):
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    header = ("# Generated from ops/monitoring/prometheus/alerts/ for the Prometheus Operator: do not edit.\n"
              "# Regenerate: python3 ops/check/k8s_checks.py . --render-prometheusrule (ops/check.sh fails when stale).\n")
    body = yaml.dump(rendered_prometheusrule(root), Dumper=Dumper, sort_keys=False, width=120)
    with open(os.path.join(root, PROMETHEUS_RULE), "w", encoding="utf-8") as handle:
        handle.write(header + body)


def check_prometheusrule_sync(root, report):
    with open(os.path.join(root, PROMETHEUS_RULE), encoding="utf-8") as handle:
        current = yaml.safe_load(handle)
    problems = [] if current == rendered_prometheusrule(root) else [
        f"{PROMETHEUS_RULE} differs from the alert rules: run python3 ops/check/k8s_checks.py . --render-prometheusrule"]
    report.check("PrometheusRule carries exactly the alert rules", problems)


def check_adapter_and_hpa(root, report):
    problems = []
    config = references.adapter_config(root)
    served = set()
    for index, rule in enumerate(config.get("externalRules") or []):
        where = f"externalRules[{index}]"
        names = promql.metric_names(rule.get("seriesQuery", ""))
        if len(names) != 1:
            problems.append(f"{where}: seriesQuery must select one metric, got {names}")
        query = rule.get("metricsQuery", "")
        if "<<.Series>>" not in query or "<<.LabelMatchers>>" not in query:
            problems.append(f"{where}: metricsQuery must use <<.Series>> and <<.LabelMatchers>>")
        if re.match(r"\s*sum\b", query):
            problems.append(f"{where}: every process reports the store-wide gauge; sum() would multiply it")
        overrides = ((rule.get("resources") or {}).get("overrides")) or {}
        if (overrides.get("namespace") or {}).get("resource") != "namespace":
            problems.append(f"{where}: map the namespace label to the namespace resource")
        name = rule.get("name") or {}
        if names and name.get("matches") and not re.search(name["matches"], names[0]):
            problems.append(f"{where}: name.matches does not match {names[0]}")
        served.add(name.get("as") or names[0] if names else "")
    hpas = [(p, d) for p, d in resources(root) if d["kind"] == "HorizontalPodAutoscaler"]
    external = set()
    for path, hpa in hpas:
        for metric in hpa["spec"].get("metrics", []):
            if metric["type"] == "External":
                external.add(metric["external"]["metric"]["name"])
                if metric["external"]["target"]["type"] != "AverageValue":
                    problems.append(f"{path}: the external queue metric should be divided per pod (AverageValue)")
    for name in sorted(external - served):
        problems.append(f"an HPA reads external metric {name}, which the adapter does not serve")
    worker = [d for _, d in hpas if d["spec"]["scaleTargetRef"]["name"] == "cricalgo-worker"]
    api = [d for _, d in hpas if d["spec"]["scaleTargetRef"]["name"] == "cricalgo-api"]
    if not worker or {m["type"] for m in worker[0]["spec"]["metrics"]} != {"External", "Resource"} \
            or (worker[0]["spec"]["minReplicas"], worker[0]["spec"]["maxReplicas"]) != (2, 10):
        problems.append("worker HPA: 2-10 on the external queue metric and CPU")
    if not api or (api[0]["spec"]["minReplicas"], api[0]["spec"]["maxReplicas"]) != (3, 12) \
            or api[0]["spec"]["metrics"][0]["resource"]["target"].get("averageUtilization") != 50:
        problems.append("api HPA: 3-12 at 50 % CPU")
    report.check("prometheus-adapter rule serves what the HPAs read", problems, f"external metrics {sorted(served)}")


def check_references(root, report):
    """Names that must line up across manifests, which no schema can see."""
    problems = []
    docs = resources(root)
    by_kind = {}
    for _, d in docs:
        by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
    deployments = by_kind.get("Deployment", {})
    configmap = by_kind.get("ConfigMap", {}).get("cricalgo-config", {}).get("data", {})
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]
        if not deployment["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items():
            problems.append(f"Deployment {name}: selector does not match its pod labels")
        if "replicas" in deployment["spec"]:
            problems.append(f"Deployment {name}: replicas is set, fighting its HPA on every apply")
        spec = pod["spec"]
        security = spec.get("securityContext", {})
        if not security.get("runAsNonRoot") or security.get("runAsUser", 0) == 0:
            problems.append(f"Deployment {name}: pod must run as non-root")
        for container in spec["containers"]:
            ports = {p["name"] for p in container.get("ports", [])}
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                get = (container.get(probe) or {}).get("httpGet") or {}
                if probe != "startupProbe" and not get:
                    problems.append(f"Deployment {name}: no {probe}")
                if get and get.get("port") not in ports:
                    problems.append(f"Deployment {name}: {probe} uses unknown port {get.get('port')}")
            if (container.get("livenessProbe") or {}).get("httpGet", {}).get("path") != "/healthz":
                problems.append(f"Deployment {name}: liveness must be /healthz")
            if (container.get("readinessProbe") or {}).get("httpGet", {}).get("path") != "/readyz":
                problems.append(f"Deployment {name}: readiness must be /readyz")
            if not (container.get("resources") or {}).get("requests", {}).get("cpu"):
                problems.append(f"Deployment {name}: a CPU request is needed for the CPU HPA")
            for source in container.get("envFrom", []):
                for kind, ref in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                    if ref in source and source[ref]["name"] not in by_kind.get(kind, {}):
                        problems.append(f"Deployment {name}: envFrom {ref} {source[ref]['name']} does not exist")
            pause = 0
            command = ((container.get("lifecycle") or {}).get("preStop") or {}).get("exec", {}).get("command", [])
            if command[:1] == ["sleep"]:
                pause = int(command[1])
            shutdown = int(configmap.get("SHUTDOWN_TIMEOUT_SECONDS", 30))
            grace = spec.get("terminationGracePeriodSeconds", 30)
            if pause + shutdown >= grace:
                problems.append(f"Deployment {name}: preStop {pause}s + SHUTDOWN_TIMEOUT_SECONDS {shutdown}s >= grace {grace}s")
            if container["args"][0] == "api" and not pause:
                problems.append(f"Deployment {name}: the API needs a preStop pause so endpoints drop it before SIGTERM")
    for kind in ("Service", "PodDisruptionBudget"):
        for name, item in by_kind.get(kind, {}).items():
            selector = item["spec"]["selector"]
            labels = selector.get("matchLabels", selector) if kind == "PodDisruptionBudget" else selector
            if not any(labels.items() <= d["spec"]["template"]["metadata"]["labels"].items() for d in deployments.values()):
                problems.append(f"{kind} {name}: selector {labels} matches no Deployment's pods")
    for name, hpa in by_kind.get("HorizontalPodAutoscaler", {}).items():
        if hpa["spec"]["scaleTargetRef"]["name"] not in deployments:
            problems.append(f"HPA {name}: target {hpa['spec']['scaleTargetRef']['name']} is not a Deployment here")
    namespaces = set(by_kind.get("Namespace", {}))
    for path, d in docs:
        namespace = d["metadata"].get("namespace")
        if d["kind"] != "Namespace" and namespace not in namespaces and path != "ops/k8s/prometheus-adapter/adapter-config.yaml":
            problems.append(f"{path} {d['kind']} {d['metadata']['name']}: namespace {namespace} is not defined here")
    report.check("manifests reference each other consistently", problems,
                 f"{len(deployments)} Deployments, {len(by_kind.get('Service', {}))} Services")


def check_kustomization(root, report):
    with open(os.path.join(root, KUSTOMIZATION), encoding="utf-8") as handle:
        kustomization = yaml.safe_load(handle)
    listed = set(kustomization.get("resources") or [])
    files = {os.path.relpath(f, os.path.join(root, K8S_DIR)) for f in manifest_files(root)}
    problems = [f"lists {f}, which does not exist" for f in sorted(listed - files)]
    problems += [f"{f} is not listed" for f in sorted(files - listed - NOT_IN_KUSTOMIZATION)]
    problems += [f"{f} must stay out (applied separately)" for f in sorted(listed & NOT_IN_KUSTOMIZATION)]
    if kustomization.get("kind") != "Kustomization":
        problems.append("kind must be Kustomization")
    report.check("kustomization.yaml lists every manifest", problems, f"{len(listed)} resources")


def main():
    root = os.path.abspath(sys.argv[1])
    if sys.argv[2:] == ["--render-prometheusrule"]:
        render_prometheusrule(root)
        return 0
    report = Report("kubernetes")
    version = sys.argv[2]
    for check in (lambda r, rep: check_schemas(r, version, rep), check_custom_resources, check_prometheusrule_sync,
                  check_adapter_and_hpa, check_references, check_kustomization):
        try:
            check(root, report)
        except Exception as error:  # a manifest too broken to inspect is a failure, not a crash
            report.fail(getattr(check, "__name__", "check"), f"{type(error).__name__}: {error}")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
