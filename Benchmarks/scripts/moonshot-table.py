#!/usr/bin/env python3
"""Prints measure.sh's `moonshot` runs against the two latency moonshots, as Markdown.

    python3 Benchmarks/scripts/moonshot-table.py OUT

The moonshots: webhook p99 <= 10 ms in a closed loop of 100 connections
(OUT/<target>-moonshot-vus<N>.json), and webhook p99.9 <= 20 ms in an open loop at 5,000/s
(OUT/<target>-moonshot-open<R>.json; latency counted from each request's due time). The gap is
the figure divided by the moonshot: at most 1 the moonshot is met, 4.0 means four times too slow;
a run with any failed request (non-2xx, no answer, dropped send) does not meet it whatever its
latency.
The echo server's rows, when it was measured, are the machine's baseline in the same run.
"""
import glob
import json
import os
import re
import sys

CLOSED = ("p99", "p99", 10.0)
OPEN = ("p999", "p99.9", 20.0)
ORDER = {"echo": 0, "sqlite": 1, "postgres": 2}


def ms(value):
    return f"{value:.2f}" if value < 100 else f"{value:,.0f}"


def main(out):
    rows = []
    for path in glob.glob(os.path.join(out, "*-moonshot-*.json")):
        match = re.fullmatch(r"(.+)-moonshot-(vus|open)([0-9.]+)\.json", os.path.basename(path))
        if match:
            rows.append((match.group(1), match.group(2), float(match.group(3)), path))
    if not rows:
        sys.exit(f"no moonshot reports in {out}")
    rows.sort(key=lambda row: (row[1] == "open", ORDER.get(row[0].split("-")[0], 9), row[0]))
    print("| target | load | achieved req/s | p50 ms | figure | moonshot | verdict | gap (figure ÷ moonshot) "
          "| non-2xx, errors, dropped |")
    print("|---|---|--:|--:|--:|--:|---|--:|--:|")
    for target, kind, amount, path in rows:
        report = json.load(open(path))
        key, name, limit = CLOSED if kind == "vus" else OPEN
        load = f"closed loop, {amount:,.0f} connections" if kind == "vus" else \
            f"open loop, {amount:,.0f}/s over {report['connections']} connections"
        figure = report["latency"][key]
        requests = report["requests"]
        non2xx = sum(count for code, count in report["statusCodes"].items() if not code.startswith("2"))
        errors = non2xx + sum(report["transportErrors"].values()) + requests["droppedSends"]
        answered = report["latency"]["count"] > 0
        if not answered:
            verdict = "not met: no answer measured"
        elif errors:
            verdict = f"not met: {errors:,} failed"
        else:
            verdict = "met" if figure <= limit else "not met"
        shown = f"{name} {ms(figure)} ms" if answered else "–"
        gap = f"{figure / limit:.2f}×" if answered else "–"
        print(f"| {target} | {load} | {requests['throughput']:,.0f} | {ms(report['latency']['p50']) if answered else '–'} "
              f"| {shown} | {name} ≤ {limit:g} ms | {verdict} | {gap} | {errors:,} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
