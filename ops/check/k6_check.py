"""Runs ops/load/k6/webhook_test.js under Node with stand-ins for the k6 modules and checks
what it would send: the route, a unique tx_hash per request, the body shape the Swift harness
sends, and an X-Signature that an independent HMAC-SHA256 (Python's) accepts. Also checks the
scenarios and thresholds. k6 itself is not needed here; k6_smoke.py runs the script with the
real k6 against the live binary.

Usage: python3 k6_check.py <repo-root>
"""

import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from report import Report

SCRIPT = "ops/load/k6/webhook_test.js"
ITERATIONS = 50

STUBS = {
    "k6-http.mjs": """
export const sent = [];
export default {
  post(url, body, params) {
    sent.push({ method: 'POST', url, body, params });
    return { status: 202, body: JSON.stringify({ ok: true, tx_id: `00000000-0000-4000-8000-${String(sent.length).padStart(12, '0')}` }) };
  },
  get(url) { sent.push({ method: 'GET', url }); return { status: 200, body: '{"status":"ready"}' }; },
  expectedStatuses(...codes) { return { expectedStatuses: codes }; },
};
""",
    "k6-crypto.mjs": """
import { createHmac } from 'node:crypto';
export default {
  hmac(algorithm, key, data, encoding) { return createHmac(algorithm, key).update(data).digest(encoding); },
};
""",
    "k6-execution.mjs": """
export const state = { iteration: 0 };
export default {
  scenario: { get iterationInTest() { return state.iteration; } },
  test: { abort(message) { throw new Error(`aborted: ${message}`); } },
};
""",
    "k6.mjs": """
export const results = [];
export function check(value, sets) {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) { const ok = !!fn(value); results.push({ name, ok }); all = all && ok; }
  return all;
}
""",
    "run.mjs": """
import './prelude.mjs';
import { sent } from './k6-http.mjs';
import { state } from './k6-execution.mjs';
import { results } from './k6.mjs';
const script = await import('./webhook_test.mjs');
const data = script.setup ? script.setup() : undefined;
for (let i = 0; i < Number(process.env.ITERATIONS); i++) { state.iteration = i; script.default(data); }
console.log(JSON.stringify({ options: script.options, sent, checks: results }));
""",
}


def run(workdir, environment):
    env = {"PATH": os.environ.get("PATH", ""), "ITERATIONS": str(ITERATIONS)}
    # Evaluated before the script (run.mjs imports it first): k6 gives scripts __ENV.
    with open(os.path.join(workdir, "prelude.mjs"), "w") as handle:
        handle.write("globalThis.__ENV = " + json.dumps(environment) + ";\n")
    result = subprocess.run(["node", "run.mjs"], cwd=workdir, env=env, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"node failed: {result.stderr.strip()[-600:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def check_requests(outcome, secret, user_ids, bases):
    problems = []
    posts = [r for r in outcome["sent"] if r["method"] == "POST"]
    gets = [r for r in outcome["sent"] if r["method"] == "GET"]
    if len(posts) != ITERATIONS:
        problems.append(f"{len(posts)} POSTs for {ITERATIONS} iterations")
    for base in bases:
        if not any(r["url"] == base + "/readyz" for r in gets):
            problems.append(f"setup() does not check {base}/readyz")
    targets = {r["url"] for r in posts}
    if targets != {base + "/api/v1/webhooks/bep20" for base in bases}:
        problems.append(f"POSTs went to {sorted(targets)}")
    hashes = set()
    for request in posts:
        body = json.loads(request["body"])
        headers = request["params"]["headers"]
        expected = {"tx_hash", "amount", "confirmations"} | ({"user_id"} if user_ids else set())
        if set(body) != expected or body["amount"] != "1.5" or body["confirmations"] != 12:
            problems.append(f"body {request['body']} is not the harness's shape")
            break
        if not re.fullmatch(r"bench-[^-]+-\d+", body["tx_hash"]):
            problems.append(f"tx_hash {body['tx_hash']} is not bench-<run>-<n>")
        if user_ids and body["user_id"] not in user_ids:
            problems.append(f"user_id {body['user_id']} is not from USER_IDS")
        hashes.add(body["tx_hash"])
        if headers.get("Content-Type") != "application/json":
            problems.append("no Content-Type: application/json")
        signature = headers.get("X-Signature")
        if secret:
            want = "sha256=" + hmac.new(secret.encode(), request["body"].encode(), hashlib.sha256).hexdigest()
            if signature != want:
                problems.append(f"X-Signature {signature} is not HMAC-SHA256 of the body")
                break
        elif signature is not None:
            problems.append("a signature is sent without WEBHOOK_SECRET")
        if request["params"].get("tags", {}).get("name") != "webhook" or "responseCallback" not in request["params"]:
            problems.append("requests must be tagged name:webhook and accept only 202")
            break
    if len(hashes) != len(posts):
        problems.append(f"only {len(hashes)} distinct tx_hash values in {len(posts)} requests")
    if not outcome["checks"] or not all(c["ok"] for c in outcome["checks"]):
        problems.append("the response check rejects a 202 {ok, tx_id} answer")
    return problems


def check_options(options, rate):
    problems = []
    thresholds = options.get("thresholds", {})
    durations = " ".join(thresholds.get("http_req_duration{name:webhook}", []))
    if "p(95)<" not in durations or "p(99)<" not in durations:
        problems.append("thresholds need p95 and p99 on the webhook requests")
    if not any("rate<" in t for t in thresholds.get("http_req_failed{name:webhook}", [])):
        problems.append("thresholds need an error-rate limit")
    scenario = options.get("scenarios", {}).get("webhooks", {})
    wanted = "constant-arrival-rate" if rate else "constant-vus"
    if scenario.get("executor") != wanted:
        problems.append(f"executor is {scenario.get('executor')}, expected {wanted}")
    if rate and scenario.get("rate") != rate:
        problems.append(f"RATE={rate} gives rate {scenario.get('rate')}")
    if not rate and (scenario.get("vus"), scenario.get("duration")) != (100, "5m"):
        problems.append("the default profile should be 100 VUs for 5 minutes (the old system's load test)")
    return problems


def main():
    root = os.path.abspath(sys.argv[1])
    report = Report("k6")
    workdir = tempfile.mkdtemp(prefix="cricalgo-k6-check.")
    try:
        with open(os.path.join(root, SCRIPT), encoding="utf-8") as handle:
            script = handle.read()
        for module, stub in (("k6/http", "k6-http"), ("k6/crypto", "k6-crypto"), ("k6/execution", "k6-execution"), ("k6", "k6")):
            script = script.replace(f"from '{module}';", f"from './{stub}.mjs';")
        if re.search(r"from\s+'k6", script):
            report.fail("imports", "webhook_test.js imports a k6 module the check does not stand in for")
            return report.finish()
        with open(os.path.join(workdir, "webhook_test.mjs"), "w") as handle:
            handle.write(script)
        for name, text in STUBS.items():
            with open(os.path.join(workdir, name), "w") as handle:
                handle.write(text)
        one = ["http://127.0.0.1:18000"]
        three = [f"http://127.0.0.1:{port}" for port in (18000, 18001, 18002)]
        cases = [
            ("signed, closed loop", {"BASE_URL": one[0] + "/", "WEBHOOK_SECRET": "k6-check-secret", "RUN_ID": "r1"},
             "k6-check-secret", [], 0, one),
            ("unsigned, open loop, with users, three replicas",
             {"BASE_URL": ",".join(three), "RATE": "500", "USER_IDS": "u-1, u-2"}, "", ["u-1", "u-2"], 500, three),
        ]
        for label, environment, secret, users, rate, bases in cases:
            try:
                outcome = run(workdir, environment)
                problems = check_requests(outcome, secret, users, bases) + check_options(outcome["options"], rate)
            except (RuntimeError, ValueError, KeyError, subprocess.TimeoutExpired) as error:
                problems = [str(error)]
            report.check(f"webhook_test.js {label}", problems, f"{ITERATIONS} requests")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
