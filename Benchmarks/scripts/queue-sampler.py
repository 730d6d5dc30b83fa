#!/usr/bin/env python3
"""Samples a running service's deposit queue from its /metrics while a load runs, so that the
queue can be read at the end of the load rather than after the harness's credit wait.

    python3 Benchmarks/scripts/queue-sampler.py METRICS_URL WARMUP DURATION OUT

WARMUP and DURATION are webhook-bench's duration texts (5s, 20s, 1m, 500ms). Every
INTERVAL (0.5 s) until WARMUP + DURATION after its start, and once more at that moment, it
appends one line to OUT:

    <seconds since start> <live queue> <deposit_queue_depth> <deposit_queue_oldest_age_seconds>

The live queue is webhooks_total{result="created"} minus the deposits finished
(deposits_total of the outcomes that end a deposit), both counters updated as things happen;
deposit_queue_depth is the store's own count, refreshed only every few seconds. Started just
before webhook-bench, its last line falls at (or a little before) the end of the load.
"""
import re
import sys
import time
import urllib.request

INTERVAL = 0.5
FINISHED = ("credited", "unmatched", "failed", "balance_ceiling", "dead")
UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}


def seconds(text):
    match = re.fullmatch(r"([0-9.]+)(ms|s|m|h)?", text.strip())
    if not match:
        sys.exit(f"queue-sampler: cannot read the duration {text!r}")
    return float(match.group(1)) * UNITS[match.group(2) or "s"]


def series(text):
    values = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        try:
            values[name] = float(value)
        except ValueError:
            continue
    return values


def sample(url):
    with urllib.request.urlopen(url, timeout=2) as answer:
        values = series(answer.read().decode())
    created = values.get('webhooks_total{result="created"}', 0)
    finished = sum(values.get(f'deposits_total{{outcome="{outcome}"}}', 0) for outcome in FINISHED)
    return (created - finished, values.get("deposit_queue_depth", 0), values.get("deposit_queue_oldest_age_seconds", 0))


def main(url, warmup, duration, out):
    started = time.monotonic()
    end = started + seconds(warmup) + seconds(duration)
    with open(out, "w") as file:
        while True:
            now = time.monotonic()
            try:
                live, depth, oldest = sample(url)
                file.write(f"{now - started:.2f} {live:.0f} {depth:.0f} {oldest:.3f}\n")
                file.flush()
            except OSError as error:
                print(f"queue-sampler: {url}: {error}", file=sys.stderr)
            if now >= end:
                return
            time.sleep(max(0.0, min(INTERVAL, end - time.monotonic())))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
