#!/usr/bin/env python3
"""Judges the runs of measure.sh's `sustain` part and prints their table.

    python3 Benchmarks/scripts/sustain-table.py check REPORT.json QUEUE.tsv   # exit 0: sustained
    python3 Benchmarks/scripts/sustain-table.py table OUT                     # Markdown, all targets

A rate is sustained when, in its open-loop run (webhook-bench --rate R --wait-credited --verify,
every deposit crediting one of the users created before the run):
  - webhook p99 <= WEBHOOK_P99_MS (50),
  - webhook -> credited p99 <= CREDITED_P99_MS (50), measured to the worker's processed_at
    stamp (the figure that does not depend on how fast the harness polls),
  - nothing failed: every answer 2xx, no transport error, no dropped send, every watched
    deposit credited (no other outcome, none unresolved), --verify found every 202,
  - the queue did not grow: the live queue at the end of the load (the smallest of
    queue-sampler.py's samples in the load's last second) is at most QUEUE_SECONDS (0.1)
    seconds' worth of arrivals at R.
The limits can be changed with the environment variables SUSTAIN_WEBHOOK_P99_MS,
SUSTAIN_CREDITED_P99_MS and SUSTAIN_QUEUE_SECONDS (measure.sh passes its own through).
The reports are OUT/<target>-sustain<R>.json with OUT/<target>-sustain<R>-queue.tsv beside them;
the sustainable rate of a target is the highest rate tried below its lowest failing one.
"""
import glob
import json
import os
import re
import sys

WEBHOOK_P99_MS = float(os.environ.get("SUSTAIN_WEBHOOK_P99_MS", 50))
CREDITED_P99_MS = float(os.environ.get("SUSTAIN_CREDITED_P99_MS", 50))
QUEUE_SECONDS = float(os.environ.get("SUSTAIN_QUEUE_SECONDS", 0.1))
ORDER = {"sqlite": 0, "postgres": 1}


def queue_left(path):
    """The live queue at the end of the load: the smallest of the samples of its last second
    (queue-sampler.py samples every 0.5 s), so that one burst caught in flight does not count
    as growth while a queue that grows is large in all of them. None without samples."""
    try:
        samples = [(float(line.split()[0]), int(line.split()[1])) for line in open(path) if line.strip()]
    except (OSError, ValueError, IndexError):
        return None
    if not samples:
        return None
    end = samples[-1][0]
    return min(queue for at, queue in samples if at >= end - 1.0)


def judge(report_path, queue_path):
    """(row, reasons): the figures of one run and why it fails (empty: sustained)."""
    try:
        report = json.load(open(report_path))
    except (OSError, ValueError):
        return None, [f"no report {os.path.basename(report_path)}"]
    rate = report.get("rate") or 0
    requests = report["requests"]
    latency = report["latency"]
    credit = report.get("credit") or {}
    stamped = credit.get("stamped") or {}
    verification = report.get("verification") or {}
    non2xx = sum(count for code, count in report["statusCodes"].items() if not code.startswith("2"))
    transport = sum(report["transportErrors"].values())
    left = queue_left(queue_path)
    row = {
        "rate": rate, "achieved": requests["throughput"],
        "p50": latency["p50"], "p99": latency["p99"], "p999": latency["p999"],
        "credited_p50": stamped.get("p50"), "credited_p99": stamped.get("p99"),
        "credited": credit.get("credited", 0), "watched": credit.get("watched", 0),
        "non2xx": non2xx, "transport": transport, "dropped": requests["droppedSends"], "queue": left,
    }
    reasons = []
    if latency["count"] == 0:
        reasons.append("no answer measured")
    if latency["p99"] > WEBHOOK_P99_MS:
        reasons.append(f"webhook p99 {latency['p99']:.1f} ms > {WEBHOOK_P99_MS:g}")
    if not credit:
        reasons.append("no credit figures (--wait-credited)")
    elif stamped.get("count", 0) == 0 or stamped["p99"] > CREDITED_P99_MS:
        reasons.append(f"credited p99 {stamped.get('p99', 0):.1f} ms > {CREDITED_P99_MS:g}")
    if non2xx or transport or requests["droppedSends"]:
        reasons.append(f"{non2xx} non-2xx, {transport} transport errors, {requests['droppedSends']} dropped")
    if credit and (credit["credited"] != credit["watched"] or credit["unresolved"] or credit["otherOutcomes"]):
        others = ", ".join(f"{k} {v}" for k, v in sorted(credit["otherOutcomes"].items()))
        reasons.append(f"credited {credit['credited']} of {credit['watched']}, unresolved {credit['unresolved']}"
                       + (f", {others}" if others else ""))
    if not verification:
        reasons.append("not verified (--verify)")
    elif verification["missing"] or verification["mismatched"] or verification["errors"] or requests["repeatMismatches"]:
        reasons.append(f"verify: {verification['missing']} missing, {verification['mismatched']} mismatched, "
                       f"{verification['errors']} errors")
    if left is None:
        reasons.append("no queue sample")
    elif left > QUEUE_SECONDS * rate:
        reasons.append(f"queue left {left} > {QUEUE_SECONDS:g} s of arrivals ({QUEUE_SECONDS * rate:.0f})")
    return row, reasons


def ms(value):
    if value is None:
        return "–"
    return f"{value:.2f}" if value < 100 else f"{value:,.0f}"


def table(out):
    runs = {}
    for path in glob.glob(os.path.join(out, "*-sustain*.json")):
        match = re.fullmatch(r"(.+)-sustain([0-9.]+)\.json", os.path.basename(path))
        if match:
            runs.setdefault(match.group(1), []).append((float(match.group(2)), path))
    if not runs:
        sys.exit(f"no sustain reports in {out}")
    print(f"Sustained: webhook p99 ≤ {WEBHOOK_P99_MS:g} ms, webhook → credited (`processed_at`) p99 ≤ "
          f"{CREDITED_P99_MS:g} ms, every deposit credited and verified, nothing failed, queue at the end of "
          f"the load ≤ {QUEUE_SECONDS:g} s of arrivals.")
    for target in sorted(runs, key=lambda name: (ORDER.get(name.split("-")[0], 9), name)):
        print()
        print(f"| {target} req/s | achieved req/s | webhook p50 / p99 / p99.9 ms | credited p50 / p99 ms "
              "| credited | non-2xx, errors, dropped | queue left | verdict |")
        print("|--:|--:|---|---|--:|--:|--:|---|")
        passed, failed = [], []
        for rate, path in sorted(runs[target]):
            row, reasons = judge(path, path[:-len(".json")] + "-queue.tsv")
            (failed if reasons else passed).append(rate)
            verdict = "pass" if not reasons else "fail: " + "; ".join(reasons)
            if row is None:
                print(f"| {rate:,.0f} | – | – | – | – | – | – | {verdict} |")
                continue
            errors = row["non2xx"] + row["transport"] + row["dropped"]
            queue = "–" if row["queue"] is None else f"{row['queue']:,}"
            print(f"| {rate:,.0f} | {row['achieved']:,.0f} | {ms(row['p50'])} / {ms(row['p99'])} / {ms(row['p999'])} "
                  f"| {ms(row['credited_p50'])} / {ms(row['credited_p99'])} | {row['credited']:,} of {row['watched']:,} "
                  f"| {errors} | {queue} | {verdict} |")
        print()
        lowest_failure = min(failed, default=None)
        below = [rate for rate in passed if lowest_failure is None or rate < lowest_failure]
        if not below:
            print(f"sustainable: < {lowest_failure:,.0f}/s ({target}: the lowest rate tried failed)")
        elif lowest_failure is None:
            print(f"sustainable: {max(below):,.0f}/s ({target}: every rate tried passed; the highest tried)")
        else:
            print(f"sustainable: {max(below):,.0f}/s ({target}: {lowest_failure:,.0f}/s failed)")


def main(arguments):
    if len(arguments) == 3 and arguments[0] == "check":
        row, reasons = judge(arguments[1], arguments[2])
        print("sustained" if not reasons else "not sustained: " + "; ".join(reasons))
        sys.exit(1 if reasons else 0)
    if len(arguments) == 2 and arguments[0] == "table":
        table(arguments[1])
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
