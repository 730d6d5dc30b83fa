"""Starts the cricalgo binary, sends a few webhooks, scrapes /metrics and checks that every
series the alert rules, the prometheus-adapter rule and the Grafana dashboard read is there.

Usage: python3 live_metrics.py <repo-root> <path-to-cricalgo>

The binary runs `serve` in a throwaway directory (embedded SQLite at ./data/cricalgo.sqlite),
on 127.0.0.1 and a free port, with ADMIN_TOKEN and WEBHOOK_SECRET set and WORKER_CONCURRENCY=2;
every other variable the binary reads is removed from its environment. It is stopped with
SIGTERM and must exit 0.
"""

import hashlib
import hmac
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import promql
import references
from report import Report

READY_TIMEOUT = 90.0
SETTLE_TIMEOUT = 30.0
STOP_TIMEOUT = 45.0
LOG_EVENTS = ("deposit_enqueued", "deposit_task_started", "deposit_task_completed")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url, method="GET", body=None, headers=None, timeout=5.0):
    """(status, body text); a refused connection is status 0."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, socket.timeout):
        return 0, ""


class Service:
    """The binary under test, with its output captured to files."""

    def __init__(self, binary, workdir, port, admin_token, secret, variables):
        self.base = f"http://127.0.0.1:{port}"
        self.admin_token = admin_token
        self.secret = secret
        self.stdout_path = os.path.join(workdir, "stdout.log")
        self.stderr_path = os.path.join(workdir, "stderr.log")
        environment = {k: v for k, v in os.environ.items() if k not in variables}
        environment.update({
            "HOST": "127.0.0.1", "PORT": str(port), "ADMIN_TOKEN": admin_token, "WEBHOOK_SECRET": secret,
            "WORKER_CONCURRENCY": "2", "LOG_FORMAT": "json", "LOG_LEVEL": "info", "SHUTDOWN_TIMEOUT_SECONDS": "10",
        })
        self.process = subprocess.Popen(
            [binary, "serve"], cwd=workdir, env=environment, stdin=subprocess.DEVNULL,
            stdout=open(self.stdout_path, "wb"), stderr=open(self.stderr_path, "wb"),
        )

    def wait_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return f"exited with status {self.process.returncode} before it was ready"
            if request(self.base + "/readyz", timeout=1.0)[0] == 200:
                return None
            time.sleep(0.2)
        return f"/readyz did not answer 200 within {READY_TIMEOUT:.0f} s"

    def webhook(self, payload, signature=None):
        body = json.dumps(payload, separators=(",", ":")).encode()
        if signature is None:
            signature = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Signature": signature}
        return request(self.base + "/api/v1/webhooks/bep20", "POST", body, headers)

    def transaction(self, tx_id):
        status, text = request(self.base + f"/api/v1/transactions/{tx_id}",
                               headers={"Authorization": f"Bearer {self.admin_token}"})
        return status, (json.loads(text) if status == 200 else {})

    def stop(self):
        """Sends SIGTERM and waits; returns None after exit status 0, else what went wrong."""
        if self.process.poll() is not None:
            return f"exited by itself with status {self.process.returncode} before SIGTERM"
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return f"still running {STOP_TIMEOUT:.0f} s after SIGTERM; killed"
        return None if code == 0 else f"exit status {code} after SIGTERM"

    def output_tail(self, lines=25):
        text = []
        for path in (self.stdout_path, self.stderr_path):
            with open(path, encoding="utf-8", errors="replace") as handle:
                text += [f"{os.path.basename(path)}: {line.rstrip()}" for line in handle.readlines()[-lines:]]
        return text


def exercise(service, report):
    """Good and bad webhooks; waits until the good one is processed by a worker."""
    run = secrets.token_hex(4)
    good = {"tx_hash": f"ops-check-{run}-1", "amount": "1.5", "confirmations": 12, "metadata": {"user_id": "test"}}
    status, text = service.webhook(good)
    tx_id = json.loads(text).get("tx_id") if status == 202 else None
    again_status, again_text = service.webhook(good)
    bad_signature = service.webhook({"tx_hash": f"ops-check-{run}-2", "amount": "1.5"}, signature="sha256=" + "0" * 64)[0]
    bad_amount = service.webhook({"tx_hash": f"ops-check-{run}-3", "amount": "abc"})[0]
    health = request(service.base + "/api/v1/health")[0]
    request(service.base + "/healthz")
    problems = []
    if not tx_id:
        problems.append(f"good signed webhook answered {status} {text[:120]!r}, expected 202 with a tx_id")
    elif again_status != 202 or json.loads(again_text).get("tx_id") != tx_id:
        problems.append(f"repeated webhook answered {again_status} {again_text[:120]!r}, expected 202 with the same tx_id")
    if not 400 <= bad_signature < 500:
        problems.append(f"webhook with a wrong signature answered {bad_signature}, expected 4xx")
    if not 400 <= bad_amount < 500:
        problems.append(f"webhook with amount \"abc\" answered {bad_amount}, expected 4xx")
    if health != 200:
        problems.append(f"GET /api/v1/health answered {health}")
    final = None
    if tx_id:
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while time.monotonic() < deadline:
            _, record = service.transaction(tx_id)
            if record.get("status") not in (None, "pending", "queued"):
                final = record["status"]
                break
            time.sleep(0.25)
        if final is None:
            problems.append(f"the deposit was not processed by a worker within {SETTLE_TIMEOUT:.0f} s")
    report.check("webhooks sent (good, repeated, bad signature, bad amount) and processed", problems,
                 f"202 then {bad_signature}/{bad_amount}; deposit ended {final}")


def literal_alternatives(pattern):
    """The plain strings of a regex like `/healthz|/readyz`; none when it has other syntax."""
    if any(ch in pattern for ch in ".*+?[](){}^$\\"):
        return []
    return pattern.split("|")


def compare(root, scrape, report):
    samples, types = promql.parse_exposition(scrape)
    found, recorded = references.all_selectors(root)
    missing, bad_labels, checked, exempt = [], [], set(), set()
    for where, name, matchers in found:
        if name in recorded or name in references.PROMETHEUS_SERIES:
            exempt.add(name)
            continue
        checked.add(name)
        if name not in samples:
            missing.append(f"{where}: {name} is not in the scrape")
            continue
        series = samples[name]
        for label, op, value in matchers:
            if label in references.TARGET_LABELS:
                continue
            seen = {s[label] for s in series if label in s}
            if not seen:
                bad_labels.append(f"{where}: {name} has no label {label}")
            elif op == "=" and value and value not in seen:
                bad_labels.append(f"{where}: {name}{{{label}=\"{value}\"}} not in the scrape (seen {sorted(seen)[:6]})")
            elif op in ("=~", "!~"):
                # A route excluded or selected by name must be spelled as the binary labels it.
                for literal in literal_alternatives(value):
                    if literal not in seen:
                        bad_labels.append(f"{where}: {name}{{{label}{op}...}} names {literal!r}, never seen (seen {sorted(seen)[:8]})")
    report.check("every metric the alerts, adapter rule and dashboard read is emitted", sorted(set(missing)),
                 f"{len(checked)} names found in {len(samples)} scraped sample names")
    report.check("every label they match on is emitted", sorted(set(bad_labels)))
    report.note("not expected from the binary: " + ", ".join(sorted(exempt)) + " (Prometheus or recording rules)")
    families = sorted({references.family_of(n) for n in samples})
    report.note(f"families scraped: {', '.join(families)}")
    if not types:
        report.fail("the scrape has # TYPE lines", "no # TYPE line in /metrics")


def check_logs(service, report):
    problems = []
    events = set()
    with open(service.stdout_path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    for number, line in enumerate(text.splitlines(), 1):
        try:
            entry = json.loads(line)
        except ValueError:
            problems.append(f"stdout line {number} is not JSON: {line[:100]!r}")
            continue
        if "event" not in entry:
            problems.append(f"stdout line {number} has no event key")
        events.add(entry.get("event"))
    # docs/RUNBOOK.md greps for the literal text '"event":"<name>"'.
    problems += [f"no line with {literal} (docs/RUNBOOK.md greps for it)"
                 for literal in [f'"event":"{event}"' for event in LOG_EVENTS] + ['"security_event":"true"']
                 if literal not in text]
    with open(service.stderr_path, encoding="utf-8", errors="replace") as handle:
        text += handle.read()
    for name, secret in (("ADMIN_TOKEN", service.admin_token), ("WEBHOOK_SECRET", service.secret)):
        if secret in text:
            problems.append(f"the value of {name} appears in the output")
    report.check("logs are JSON lines with the events the runbook uses, and no secrets", problems,
                 f"{len(events)} distinct events")


def main():
    root = os.path.abspath(sys.argv[1])
    binary = os.path.abspath(sys.argv[2])
    report = Report("live")
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        report.fail("binary", f"{binary} is not an executable file")
        return report.finish()
    workdir = tempfile.mkdtemp(prefix="cricalgo-ops-check.")
    variables = set(references.service_variables(root))
    service = Service(binary, workdir, free_port(), secrets.token_hex(16), secrets.token_hex(16), variables)
    ready = False
    try:
        problem = service.wait_ready()
        if problem:
            report.fail("the binary starts and /readyz answers 200", [problem] + service.output_tail())
        else:
            ready = True
            report.ok("the binary starts and /readyz answers 200", service.base)
            exercise(service, report)
            request(service.base + "/metrics")  # so the second scrape has seen /metrics itself
            status, scrape = request(service.base + "/metrics")
            if status != 200:
                report.fail("GET /metrics", f"answered {status}")
            else:
                try:
                    compare(root, scrape, report)
                except promql.PromQLError as error:
                    report.fail("the scrape parses as Prometheus text", str(error))
    finally:
        stopped = service.stop()
        if ready:
            report.check("SIGTERM stops the binary with exit status 0", [stopped] + service.output_tail() if stopped else [])
            check_logs(service, report)
        if report.failed == 0:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            report.note(f"kept {workdir} (stdout.log, stderr.log, data/) for inspection")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
