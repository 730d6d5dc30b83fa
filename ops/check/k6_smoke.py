"""A five-second k6 smoke run of ops/load/k6/webhook_test.js against the live binary.

Usage: python3 k6_smoke.py <repo-root> <path-to-cricalgo> <path-to-k6>

The binary runs `serve` as in live_metrics.py (embedded SQLite in a throwaway directory,
WEBHOOK_SECRET and ADMIN_TOKEN set). The check creates a few users, runs the k6 script
(the real k6, ops/load/k6/k6.sh) with signed webhooks crediting them, and fails when k6
exits non-zero (a threshold crossed), when any request failed or was not answered
202 {"ok":true,"tx_id":...}, or when the users' wallets do not add up to every accepted
webhook's 1.5 USDT once the workers are done.

The latency thresholds are relaxed for the smoke (p95 < 1 s, p99 < 2 s): CI runs a debug
build on two shared cores, and latency is what Benchmarks/scripts/measure.sh (PARTS=k6)
measures, not what a smoke decides.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

import references
from live_metrics import Service, free_port, request
from report import Report

SCRIPT = "ops/load/k6/webhook_test.js"
VUS = 4
DURATION = "5s"
USERS = 4
AMOUNT = Decimal("1.5")  # what webhook_test.js sends in every webhook
K6_TIMEOUT = 120.0
CREDIT_TIMEOUT = 60.0


def create_users(service, count):
    ids, problems = [], []
    for index in range(count):
        body = json.dumps({"username": f"k6-smoke-{secrets.token_hex(3)}-{index}"}).encode()
        status, text = request(service.base + "/api/v1/admin/users", "POST", body, {
            "Authorization": f"Bearer {service.admin_token}", "Content-Type": "application/json",
        })
        if status != 201 and status != 200:
            problems.append(f"POST /api/v1/admin/users answered {status} {text[:120]!r}")
            continue
        ids.append(json.loads(text)["id"])
    return ids, problems


def run_k6(k6, root, service, user_ids, workdir):
    """(exit status, summary dict, output lines)."""
    summary_path = os.path.join(workdir, "k6-summary.json")
    environment = dict(os.environ, K6_NO_USAGE_REPORT="true")
    command = [
        k6, "run", "--quiet", "--no-color", "--summary-export", summary_path,
        "-e", f"BASE_URL={service.base}", "-e", f"WEBHOOK_SECRET={service.secret}",
        "-e", f"USER_IDS={','.join(user_ids)}", "-e", f"VUS={VUS}", "-e", f"DURATION={DURATION}",
        "-e", "P95_MS=1000", "-e", "P99_MS=2000", "-e", f"RUN_ID=smoke-{secrets.token_hex(4)}",
        os.path.join(root, SCRIPT),
    ]
    try:
        done = subprocess.run(command, cwd=workdir, env=environment, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=K6_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, {}, [f"k6 still running after {K6_TIMEOUT:.0f} s; killed"]
    output = (done.stdout + done.stderr).splitlines()
    summary = {}
    if os.path.exists(summary_path):
        with open(summary_path, encoding="utf-8") as handle:
            summary = json.load(handle)
    return done.returncode, summary, output


def judge_run(status, summary, output, report):
    """Checks the k6 run; returns the number of webhooks answered 202 (0 when it failed)."""
    metrics = summary.get("metrics", {})
    failed = metrics.get("http_req_failed{name:webhook}", {})
    checks = metrics.get("checks", {})
    sent = failed.get("passes", 0) + failed.get("fails", 0)
    problems = []
    if status is None or not summary:
        problems.append("k6 wrote no summary")
    if status not in (0, None):
        problems.append(f"k6 exited {status}" + (" (a threshold was crossed)" if status == 99 else ""))
    if summary and sent == 0:
        problems.append("k6 sent no webhook")
    if failed.get("passes", 0):
        problems.append(f"{failed['passes']} of {sent} webhooks failed (not answered 202)")
    if checks.get("fails", 0):
        problems.append(f"{checks['fails']} answers were not {{\"ok\":true,\"tx_id\":...}}")
    if problems:
        report.fail("k6 run: every webhook answered 202 with a tx_id, thresholds held",
                    problems + [line for line in output if line.strip()][-30:])
        return 0
    duration = metrics.get("http_req_duration{name:webhook}", {})
    report.ok("k6 run: every webhook answered 202 with a tx_id, thresholds held",
              f"{sent} signed webhooks from {VUS} VUs in {DURATION}, "
              f"{metrics.get('http_reqs', {}).get('rate', 0):.0f} req/s, "
              f"p95 {duration.get('p(95)', 0):.1f} ms, p99 {duration.get('p(99)', 0):.1f} ms")
    return checks.get("passes", 0)


def wallets_total(service, user_ids):
    total = Decimal(0)
    for user_id in user_ids:
        status, text = request(service.base + f"/api/v1/admin/users/{user_id}/wallet",
                               headers={"Authorization": f"Bearer {service.admin_token}"})
        if status != 200:
            return None
        total += Decimal(json.loads(text)["deposit_balance"])
    return total


def check_credited(service, user_ids, accepted, report):
    expected = AMOUNT * accepted
    deadline = time.monotonic() + CREDIT_TIMEOUT
    total = None
    while time.monotonic() < deadline:
        total = wallets_total(service, user_ids)
        if total is not None and total >= expected:
            break
        time.sleep(0.25)
    problems = []
    if total != expected:
        problems.append(f"the {len(user_ids)} wallets hold {total} USDT, expected {expected} "
                        f"({accepted} webhooks x {AMOUNT}) within {CREDIT_TIMEOUT:.0f} s")
    report.check("every accepted webhook credited its user exactly once", problems,
                 f"{len(user_ids)} wallets hold {expected} USDT")


def main():
    root = os.path.abspath(sys.argv[1])
    binary = os.path.abspath(sys.argv[2])
    k6 = os.path.abspath(sys.argv[3])
    report = Report("k6")
    workdir = tempfile.mkdtemp(prefix="cricalgo-k6-smoke.")
    variables = set(references.service_variables(root))
    service = Service(binary, workdir, free_port(), secrets.token_hex(16), secrets.token_hex(16), variables)
    try:
        problem = service.wait_ready()
        if problem:
            report.fail("the binary starts and /readyz answers 200", [problem] + service.output_tail())
            return report.finish()
        user_ids, problems = create_users(service, USERS)
        if problems:
            report.fail("users created for the deposits to credit", problems)
            return report.finish()
        status, summary, output = run_k6(k6, root, service, user_ids, workdir)
        accepted = judge_run(status, summary, output, report)
        if accepted:
            check_credited(service, user_ids, accepted, report)
    finally:
        stopped = service.stop()
        if stopped:
            report.fail("SIGTERM stops the binary with exit status 0 after the k6 run", [stopped] + service.output_tail())
        if report.failed == 0:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            report.note(f"kept {workdir} (stdout.log, stderr.log, k6-summary.json) for inspection")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
