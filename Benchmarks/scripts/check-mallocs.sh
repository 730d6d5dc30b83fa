#!/usr/bin/env bash
# Runs the micro-benchmarks measuring malloc counts only and checks them against the committed
# thresholds (Benchmarks/Thresholds: the p90 of mallocCountTotal per benchmark, with the
# tolerance each benchmark declares). Fails on a regression beyond the tolerance; an
# improvement beyond it passes with a note to commit new thresholds (README). Wall-clock and
# throughput are neither measured nor checked here: on a shared two-core machine they swing
# threefold, while malloc counts do not depend on the load.
#
#   Benchmarks/scripts/check-mallocs.sh [benchmark args, e.g. --filter 'GroupCommitter.*']
set -euo pipefail

# From the package's directory: the tool reads the thresholds from ./Thresholds.
cd "$(dirname "$0")/.."
log=$(mktemp /tmp/cricalgo-check-mallocs.XXXXXX)
trap 'rm -f "$log"' EXIT

# The tool writes a threshold file under the benchmark's name with spaces and slashes made
# underscores, but reads it back under the name as it is: a benchmark whose name has either
# would never be checked. So every benchmark needs a name without them, and a file here.
swift package benchmark list 2>&1 | tee "$log" >/dev/null || { cat "$log"; exit 1; }
missing=$(sed -n "/^Target 'MicroBenchmarks' available benchmarks:/,\$p" "$log" | tail -n +2 | while IFS= read -r name; do
    [[ -z $name || -f "Thresholds/MicroBenchmarks.$name.p90.json" ]] || echo "  $name"
done)
if [[ -n $missing ]]; then
    echo "[check-mallocs] FAIL: benchmarks without a committed threshold (Thresholds/MicroBenchmarks.<name>.p90.json; names without spaces or slashes):"
    echo "$missing"
    exit 1
fi

status=0
swift package benchmark thresholds check --metric mallocCountTotal --no-progress "$@" 2>&1 \
    | tee "$log" || status=$?

if ((status == 0)); then
    echo "[check-mallocs] malloc counts within their thresholds"
elif grep -q "is WORSE than" "$log"; then
    echo "[check-mallocs] FAIL: a benchmark allocates more than its committed threshold allows (table above)"
    exit 1
elif grep -q "is BETTER than" "$log"; then
    echo "[check-mallocs] malloc counts below their thresholds: commit new ones with"
    echo "  (cd Benchmarks && swift package --allow-writing-to-package-directory benchmark thresholds update --metric mallocCountTotal)"
else
    echo "[check-mallocs] FAIL: the benchmarks did not build or run (exit status $status)"
    exit "$status"
fi
