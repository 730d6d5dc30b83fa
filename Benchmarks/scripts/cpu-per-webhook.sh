#!/usr/bin/env bash
# Where the CPU goes: runs one closed-loop load against a fresh service on a fresh SQLite
# database (or $DATABASE_URL) and prints the CPU time the service, and the harness, spent per
# answered webhook, with the job queue left behind.
#
#   Benchmarks/scripts/cpu-per-webhook.sh [serve|api] [VUS] [DURATION]
#
# Environment: LOG_LEVEL (info), DATABASE_URL (a fresh SQLite file), PROFILE=perf to record
# the service with `perf record -g` into $OUT/perf.data, PERF_STAT (perf events to count in
# the service for 10 s mid-run, e.g. syscalls:sys_enter_fdatasync), EXTRA (more
# webhook-bench flags), DB_PID (a PostgreSQL postmaster's pid: also count the CPU of it and
# its backends). The service's /metrics after the run is kept in $OUT/metrics.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:-serve}
vus=${2:-100}
duration=${3:-20s}
OUT=${OUT:-$(mktemp -d /tmp/cricalgo-cpu.XXXXXX)}
mkdir -p "$OUT"
data=$(mktemp -d /tmp/cricalgo-cpu-db.XXXXXX)
database=${DATABASE_URL:-sqlite://$data/cricalgo.sqlite}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
ticks=$(getconf CLK_TCK)

DATABASE_URL=$database ADMIN_TOKEN=t LOG_LEVEL=${LOG_LEVEL:-info} \
    "$here/.build/release/cricalgo" "$mode" --host 127.0.0.1 --port "$port" >"$OUT/server.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && break; sleep 0.1; done

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tree_cpu() {
    local total=0
    for p in "$1" $(pgrep -P "$1"); do total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
    echo "$total"
}
before=$(cpu "$pid")
db_before=$([[ -n ${DB_PID:-} ]] && tree_cpu "$DB_PID" || echo 0)
if [[ ${PROFILE:-} == perf ]]; then
    perf record -F 499 -g -o "$OUT/perf.data" -p "$pid" -- sleep 25 >/dev/null 2>&1 &
    perf_pid=$!
fi
if [[ -n ${PERF_STAT:-} ]]; then
    (sleep 5 && perf stat -e "$PERF_STAT" -p "$pid" -o "$OUT/perf-stat.txt" -- sleep 10) >/dev/null 2>&1 &
    stat_pid=$!
fi
/usr/bin/time -f "%U %S" -o "$OUT/bench-time.txt" \
    "$here/Benchmarks/.build/release/webhook-bench" --url "http://127.0.0.1:$port" --vus "$vus" --duration "$duration" \
    --quiet --json "$OUT/report.json" --label "$mode $vus VUs" ${EXTRA:-} >"$OUT/report.txt"
after=$(cpu "$pid")
db_after=$([[ -n ${DB_PID:-} ]] && tree_cpu "$DB_PID" || echo 0)
[[ -n ${perf_pid:-} ]] && wait "$perf_pid" || true
[[ -n ${stat_pid:-} ]] && wait "$stat_pid" || true
curl -fsS "http://127.0.0.1:$port/metrics" >"$OUT/metrics.txt" || true
answered=$(python3 -c "import json; print(json.load(open('$OUT/report.json'))['requests']['answered'])")
read -r bench_user bench_sys <"$OUT/bench-time.txt"
queue=$(curl -fsS "http://127.0.0.1:$port/metrics" | grep -E '^deposit_queue_depth' | awk '{print $2}' || echo "?")
cat "$OUT/report.txt"
python3 - "$before" "$after" "$ticks" "$answered" "$bench_user" "$bench_sys" "$queue" "$db_before" "$db_after" <<'PY'
import sys
before, after, ticks, answered, bu, bs, queue, db_before, db_after = sys.argv[1:]
server = (float(after) - float(before)) / float(ticks)
bench = float(bu) + float(bs)
n = int(answered)
print(f"  cpu         service {server:.1f} s = {server / n * 1e6:.0f} µs per webhook; harness {bench:.1f} s = {bench / n * 1e6:.0f} µs per webhook; jobs still queued {queue}")
database = (float(db_after) - float(db_before)) / float(ticks)
if database > 0:
    print(f"  cpu         database server {database:.1f} s = {database / n * 1e6:.0f} µs per webhook")
PY
[[ -f $OUT/perf-stat.txt ]] && grep -E '^ +[0-9,]+ +' "$OUT/perf-stat.txt" | sed 's/^/  perf stat  /'
echo "  files       $OUT"
