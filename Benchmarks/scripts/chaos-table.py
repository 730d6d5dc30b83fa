#!/usr/bin/env python3
"""Prints the chaos suite's JSON summaries (CRICALGO_CHAOS_REPORT_DIR) as the Markdown table
of docs/RELIABILITY.md: one row per run and store.

    python3 Benchmarks/scripts/chaos-table.py /tmp/chaos
"""
import json
import pathlib
import sys

ORDER = ["worker-kills", "fault-ingest_before_commit", "fault-after_claim", "fault-after_ledger_insert",
         "fault-before_commit", "fault-after_commit", "process-sigkill", "database-outage", "two-processes"]


def number(value):
    if value is None:
        return "–"
    return f"{value:.0f}" if isinstance(value, float) else str(value)


def recovery(summary):
    for key in ("killToReplacementMs", "restartToReadyMs", "killToTakeoverMs"):
        stats = summary.get(key)
        if stats and stats.get("count"):
            return f"{stats['p50']:.0f} / {stats['max']:.0f}"
    return "–"


def main(directory):
    summaries = [json.loads(path.read_text()) for path in sorted(pathlib.Path(directory).glob("*.json"))]
    if not summaries:
        sys.exit(f"no JSON summaries in {directory}")
    rank = {name: index for index, name in enumerate(ORDER)}
    summaries.sort(key=lambda s: (rank.get(s["run"], len(ORDER)), s["run"], s["backend"] != "sqlite"))
    print("| run | store | kills | restarts | faults | sent | 202 | 503 | no answer | transfers "
          "| duplicates | lost | recovery ms (p50 / max) | DB back → first 202 ms | s |")
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    bad = 0
    for s in summaries:
        bad += s.get("duplicatesFound", 0) + s.get("lost", 0)
        print("| " + " | ".join([
            s["run"], s["backend"], number(s.get("kills")), number(s.get("restarts")),
            number(s.get("faultsInjected")), number(s.get("webhooksSent")), number(s.get("webhooksAccepted")),
            number(s.get("webhooksUnavailable")), number(s.get("webhooksUnanswered")),
            number(s.get("distinctTransfers")), number(s.get("duplicatesFound")), number(s.get("lost")),
            recovery(s), number(s.get("databaseBackToFirst202Ms")), f"{s.get('seconds', 0):.1f}",
        ]) + " |")
    if bad:
        sys.exit(f"{bad} duplicates or lost deposits in these summaries")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/chaos")
