#!/usr/bin/env bash
# Runs the measurements of docs/PERFORMANCE.md in one go on this machine and writes every
# JSON report, table and SVG plot to $OUT (default Benchmarks/results/<UTC timestamp>).
#
#   Benchmarks/scripts/measure.sh [step...]     steps: echo sqlite postgres (default: all three)
#
# For each target (the echo-server baseline, `cricalgo serve` on SQLite, `cricalgo serve` on a
# throwaway PostgreSQL 15 cluster): closed loop at 10/50/100/400 VUs, open loop at
# $OPEN_RATE/s, and for the service webhook → credited at each of $CREDIT_RATES/s with --verify.
# Every run of the service starts on an empty database with a fresh process, so no run
# inherits the previous one's job backlog; the job queue left behind is recorded
# ($OUT/<name>-queue.txt, from /metrics).
# Environment: DURATION (30s), WARMUP (5s), OPEN_RATE (5000), CREDIT_RATES ("1000"), VUS
# ("10 50 100 400"), THREADS (1), LOG_LEVEL (info, the service's default), MODE (serve;
# `api` runs ingress without workers), SUFFIX (appended to report names), PARTS (which
# measurements: "vus open credited", and on request "drain wrk k6 sustain moonshot"), DRAIN_VUS (100), DRAIN_USERS
# (100: the users the drain backlog credits; 1 puts every deposit on one wallet),
# WRK_DURATION (15s), POLL_RATE, POLL_CONNECTIONS (webhook-bench's --poll-rate and --poll-connections for the credited runs).
# drain: a backlog ingested by `cricalgo api` (100 VUs for $DURATION), then `cricalgo worker`
# (8 workers by default) on the same store: credits per second until the backlog is credited.
# wrk: webhooks/s and p50/p99 with wrk at 50 and 100 connections, then the same process's
# /healthz, as a ratio (issue 3's measurement).
# k6: the old system's own load test, ops/load/k6/webhook_test.js run by the real k6
# (ops/load/k6/k6.sh installs the pinned one), at its two profiles: $K6_SHORT_VUS VUs for
# $K6_SHORT_DURATION (50, 30s) and $K6_LONG_VUS VUs for $K6_LONG_DURATION (100, 5m); each
# service run on a fresh process and database with $K6_USERS users (100) that every deposit
# credits. Against the echo server too when the echo step runs. Table: $OUT/k6-table.md
# (req/s, p50/p95/p99, failures, whether k6's own thresholds held).
# sustain: for each service target, the highest sustainable rate: an open loop at each of
# $SUSTAIN_RATES/s ("500 1000 1500 2000 3000 4000 5000", ascending) for $SUSTAIN_DURATION (20s,
# after $WARMUP) over $SUSTAIN_CONNECTIONS connections (200), stopping at the first rate that
# fails; each rate on a fresh process and database with 100 users that every deposit credits
# (--wait-credited --verify; polled at $SUSTAIN_POLL_RATE/s, default $POLL_RATE or 500, so the
# credit wait after the load grows with the rate). A rate passes when webhook p99 ≤ 50 ms,
# webhook → credited p99 (to processed_at) ≤ 50 ms, every deposit is credited and found, no
# answer is non-2xx and no send fails or is dropped, and the job queue at the end of the load
# (scripts/queue-sampler.py reads /metrics during the run) holds at most
# $SUSTAIN_QUEUE_SECONDS (0.1) s of arrivals. Judged by scripts/sustain-table.py; table
# $OUT/sustain-table.md (rate, achieved rate, webhook p50/p99/p99.9, credited p50/p99,
# failures, queue left, verdict, and "sustainable: N/s" per target).
# moonshot: per target, webhook p99 in a closed loop of $MOONSHOT_VUS (100) connections against
# 10 ms, and webhook p99.9 in an open loop at $MOONSHOT_RATE/s (5000, over
# $MOONSHOT_CONNECTIONS, 200) against 20 ms, each for $DURATION; each service run on a fresh
# process and database with $MOONSHOT_USERS users (100) that every deposit credits. Against
# the echo server too when the echo step runs, as the baseline. Table
# (scripts/moonshot-table.py): $OUT/moonshot-table.md, met / not met and the gap (figure ÷ moonshot).
# BUILD (release): `debug` uses debug builds, for a quick check that the runs work (figures
# then mean nothing); SERVICE_BUILD (BUILD) the same for `cricalgo` alone; SERVICE (the
# `cricalgo` binary to run, default .build/$SERVICE_BUILD/cricalgo: an earlier build for a before/after pair).
# Every command is echoed to $OUT/commands.log before it runs.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
steps=("$@")
((${#steps[@]})) || steps=(echo sqlite postgres)
OUT=${OUT:-$here/Benchmarks/results/$(date -u +%Y%m%dT%H%M%SZ)}
DURATION=${DURATION:-30s}
WARMUP=${WARMUP:-5s}
OPEN_RATE=${OPEN_RATE:-5000}
CREDIT_RATES=${CREDIT_RATES:-1000}
VUS=${VUS:-"10 50 100 400"}
THREADS=${THREADS:-1}
LOG_LEVEL=${LOG_LEVEL:-info}
MODE=${MODE:-serve}
PARTS=${PARTS:-"vus open credited"}
DRAIN_VUS=${DRAIN_VUS:-100}
DRAIN_USERS=${DRAIN_USERS:-100}
WRK_DURATION=${WRK_DURATION:-15s}
SUFFIX=${SUFFIX:-}
K6_SHORT_VUS=${K6_SHORT_VUS:-50}
K6_SHORT_DURATION=${K6_SHORT_DURATION:-30s}
K6_LONG_VUS=${K6_LONG_VUS:-100}
K6_LONG_DURATION=${K6_LONG_DURATION:-5m}
K6_USERS=${K6_USERS:-100}
SUSTAIN_RATES=${SUSTAIN_RATES:-"500 1000 1500 2000 3000 4000 5000"}
SUSTAIN_DURATION=${SUSTAIN_DURATION:-20s}
SUSTAIN_CONNECTIONS=${SUSTAIN_CONNECTIONS:-200}
SUSTAIN_POLL_RATE=${SUSTAIN_POLL_RATE:-${POLL_RATE:-500}}
export SUSTAIN_QUEUE_SECONDS=${SUSTAIN_QUEUE_SECONDS:-0.1}
MOONSHOT_VUS=${MOONSHOT_VUS:-100}
MOONSHOT_RATE=${MOONSHOT_RATE:-5000}
MOONSHOT_CONNECTIONS=${MOONSHOT_CONNECTIONS:-200}
MOONSHOT_USERS=${MOONSHOT_USERS:-100}
BUILD=${BUILD:-release}
SERVICE_BUILD=${SERVICE_BUILD:-$BUILD}
TOKEN=bench-admin-token
mkdir -p "$OUT"
bench=$here/Benchmarks/.build/$BUILD/webhook-bench
echo_server=$here/Benchmarks/.build/$BUILD/echo-server
service=${SERVICE:-$here/.build/$SERVICE_BUILD/cricalgo}
k6=""
pg_bin=/usr/lib/postgresql/15/bin
server_pid=""
sampler_pid=""
pg_dir=""
pg_port=""
scratch=$(mktemp -d /tmp/cricalgo-bench.XXXXXX)

log() { printf '[measure] %s\n' "$*" >&2; }
run() {
    { printf '%q ' "$@"; printf ' # load %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"; } >>"$OUT/commands.log"
    "$@"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop_server() {
    if [[ -n $server_pid ]]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
stop_postgres() {
    if [[ -n $pg_dir && -d $pg_dir ]]; then
        as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1 || true
        rm -rf "$pg_dir"
        pg_dir=""
pg_port=""
    fi
}
cleanup() {
    [[ -z $sampler_pid ]] || kill "$sampler_pid" 2>/dev/null || true
    stop_server
    stop_postgres
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_ready() {
    local url=$1
    for _ in $(seq 1 300); do
        curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
        sleep 0.1
    done
    log "server at $url did not become ready"
    return 1
}

start_postgres() {
    pg_dir=$(mktemp -d /tmp/cricalgo-bench-pg.XXXXXX)
    chmod 755 "$pg_dir"
    [[ $(id -u) -eq 0 ]] && chown postgres "$pg_dir"
    local port
    port=$(free_port)
    as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 >/dev/null
    # Durable commits (fsync and synchronous_commit on), as production runs.
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c max_connections=200 -c shared_buffers=256MB" \
        start >/dev/null
    pg_port=$port
}

# fresh_database BACKEND → prints a DATABASE_URL of a new, empty database
fresh_database() {
    case $1 in
    sqlite)
        local dir
        dir=$(mktemp -d "$scratch/sqlite.XXXXXX")
        echo "sqlite://$dir/cricalgo.sqlite"
        ;;
    postgres)
        local name=bench_$RANDOM$RANDOM
        as_postgres "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres "$name"
        echo "postgres://postgres@127.0.0.1:$pg_port/$name"
        ;;
    esac
}

# start_service NAME DATABASE_URL → sets server_pid and base_url
start_service() {
    local name=$1 database=$2 port
    port=$(free_port)
    log "starting cricalgo $MODE ($name) on port $port"
    printf 'DATABASE_URL=%s ADMIN_TOKEN=%s LOG_LEVEL=%s %s %s --host 127.0.0.1 --port %s\n' \
        "$database" "$TOKEN" "$LOG_LEVEL" "$service" "$MODE" "$port" >>"$OUT/commands.log"
    DATABASE_URL=$database ADMIN_TOKEN=$TOKEN LOG_LEVEL=$LOG_LEVEL \
        "$service" "$MODE" --host 127.0.0.1 --port "$port" >>"$OUT/$name-server.log" 2>&1 &
    server_pid=$!
    base_url=http://127.0.0.1:$port
    wait_ready "$base_url/readyz"
}

start_echo() {
    local port
    port=$(free_port)
    printf '%s --port %s\n' "$echo_server" "$port" >>"$OUT/commands.log"
    "$echo_server" --port "$port" >"$OUT/echo-server.log" 2>&1 &
    server_pid=$!
    base_url=http://127.0.0.1:$port
    wait_ready "$base_url/healthz"
}

create_users() {
    local file=$1 count=${2:-100}
    : >"$file"
    for i in $(seq 1 "$count"); do
        curl -fsS -X POST "$base_url/api/v1/admin/users" -H "Authorization: Bearer $TOKEN" \
            -H 'Content-Type: application/json' -d "{\"username\":\"bench-$i-$RANDOM\"}" |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' >>"$file"
    done
}

# bench_run NAME FILE [bench args]: one run against $base_url, report in $OUT/FILE.json.
bench_run() {
    local name=$1 file=$2
    shift 2
    run "$bench" --url "$base_url" --duration "$DURATION" --warmup "$WARMUP" --threads "$THREADS" \
        --server-pid "$server_pid" --json "$OUT/$file.json" --quiet "$@" | tee "$OUT/$file.txt" || true
}

# record_queue FILE: what the workers left behind, from the service's /metrics.
record_queue() {
    { echo "# $1"; curl -fsS "$base_url/metrics" | grep -E '^(deposit_queue_depth|deposits_total|deposits_in_state)' || true; } \
        >>"$OUT/$name-queue.txt"
}

# point NAME BACKEND FILE [bench args]: a fresh service on a fresh database, one run, stop.
# With POINT_USERS set, that many users are created first and the deposits credit them.
point() {
    local name=$1 backend=$2 file=$3
    shift 3
    if [[ $backend == echo ]]; then
        bench_run "$name" "$file" "$@"
        return
    fi
    start_service "$name" "$(fresh_database "$backend")"
    if [[ -n ${POINT_USERS:-} ]]; then
        create_users "$OUT/$name-users.txt" "$POINT_USERS"
        set -- --user-ids "$OUT/$name-users.txt" "$@"
    fi
    bench_run "$name" "$file" "$@"
    record_queue "$file"
    stop_server
}

# metric NAME: the value of one series of the running service's /metrics (0 if absent).
metric() {
    curl -fsS "$base_url/metrics" | awk -v name="$1" '$1 == name { value = $2 } END { print value + 0 }'
}

# drain NAME BACKEND: credits per second of `cricalgo worker` on a backlog ingested without workers.
drain() {
    local name=$1 backend=$2 database accepted started finished credited=0
    database=$(fresh_database "$backend")
    MODE=api start_service "$name" "$database"
    create_users "$OUT/$name-users.txt" "$DRAIN_USERS"
    log "$name: ingesting a backlog for $DURATION without workers"
    bench_run "$name" "$name-backlog" --vus "$DRAIN_VUS" --warmup 0s --user-ids "$OUT/$name-users.txt" --label "$name backlog"
    stop_server
    accepted=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["statusCodes"].get("202", 0))' "$OUT/$name-backlog.json")
    MODE=worker start_service "$name-drain" "$database"
    started=$(date +%s.%N)
    log "$name: crediting $accepted deposits with the workers alone"
    for _ in $(seq 1 6000); do
        credited=$(metric 'deposits_total{outcome="credited"}')
        ((${credited%.*} >= accepted)) && break
        sleep 0.1
    done
    finished=$(date +%s.%N)
    python3 - "$name" "$accepted" "$credited" "$started" "$finished" <<'PY' | tee "$OUT/$name-drain.txt"
import sys
name, accepted, credited, started, finished = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
seconds = finished - started
print(f"{name}: {int(credited)} of {accepted} deposits credited in {seconds:.1f} s by the workers alone: {credited / seconds:.0f} credits/s")
PY
    record_queue "$name-drain"
    stop_server
}

# wrk_ratio NAME BACKEND: wrk at 50 and 100 connections, webhooks then /healthz, one process.
wrk_ratio() {
    local name=$1 backend=$2 connections target
    start_service "$name" "$(fresh_database "$backend")"
    : >"$OUT/$name-wrk.txt"
    for target in webhook healthz; do
        for connections in 50 100; do
            log "$name: wrk $target, $connections connections"
            if [[ $target == webhook ]]; then
                run wrk -t1 -c"$connections" -d"$WRK_DURATION" --latency -s "$here/Benchmarks/scripts/wrk-webhook.lua" \
                    "$base_url/api/v1/webhooks/bep20" >"$scratch/wrk.out"
            else
                run wrk -t1 -c"$connections" -d"$WRK_DURATION" --latency -s "$here/Benchmarks/scripts/wrk-get.lua" \
                    "$base_url/healthz" >"$scratch/wrk.out"
            fi
            sed -n 's/^wrk-json //p' "$scratch/wrk.out" |
                python3 -c 'import json,sys; r=json.load(sys.stdin); print(sys.argv[1], sys.argv[2], round(r["requests"]/r["seconds"]), r["p50_ms"], r["p99_ms"], r["non2xx"], r["socket_errors"])' \
                    "$target" "$connections" >>"$OUT/$name-wrk.txt"
        done
    done
    stop_server
    python3 - "$name" "$OUT/$name-wrk.txt" <<'PY' | tee "$OUT/$name-wrk-table.md"
import sys
name, path = sys.argv[1], sys.argv[2]
rows = {}
for line in open(path):
    target, connections, rps, p50, p99, non2xx, errors = line.split()
    rows[(target, connections)] = (int(rps), float(p50), float(p99), int(non2xx), int(errors))
print(f"| {name} | connections | webhooks/s | p50 ms | p99 ms | /healthz req/s | webhooks ÷ /healthz | non-2xx / socket errors |")
print("|---|--:|--:|--:|--:|--:|--:|--:|")
for connections in ("50", "100"):
    hook, probe = rows[("webhook", connections)], rows[("healthz", connections)]
    print(f"| | {connections} | {hook[0]:,} | {hook[1]:.2f} | {hook[2]:.2f} | {probe[0]:,} | {hook[0] / probe[0]:.1%} | {hook[3] + probe[3]} / {hook[4] + probe[4]} |")
PY
}

# k6_profiles NAME BACKEND: webhook_test.js with k6 at the short and the long profile. For
# the service, each profile gets a fresh process and database whose users the deposits
# credit; the echo server (already running) is loaded as it is.
k6_profiles() {
    local name=$1 backend=$2 profile vus duration users="" status
    for profile in short long; do
        if [[ $profile == short ]]; then vus=$K6_SHORT_VUS duration=$K6_SHORT_DURATION; else vus=$K6_LONG_VUS duration=$K6_LONG_DURATION; fi
        log "$name: k6 $profile profile, $vus VUs for $duration"
        if [[ $backend != echo ]]; then
            start_service "$name" "$(fresh_database "$backend")"
            create_users "$OUT/$name-k6-users.txt" "$K6_USERS"
            users=$(paste -sd, "$OUT/$name-k6-users.txt")
        fi
        status=0
        K6_NO_USAGE_REPORT=true run "$k6" run --quiet --no-color --summary-export "$OUT/$name-k6-$profile.json" \
            -e BASE_URL="$base_url" -e VUS="$vus" -e DURATION="$duration" -e USER_IDS="$users" \
            -e RUN_ID="$name-$profile-$(date +%s)" "$here/ops/load/k6/webhook_test.js" >"$OUT/$name-k6-$profile.txt" 2>&1 || status=$?
        printf '%s %s %s %s\n' "$profile" "$vus" "$duration" "$status" >"$OUT/$name-k6-$profile.status"
        if [[ $backend != echo ]]; then
            record_queue "$name-k6-$profile"
            stop_server
        fi
    done
}

# k6_table: one row per k6 run of this campaign, from k6's --summary-export files.
k6_table() {
    python3 - "$OUT" <<'PY' | tee "$OUT/k6-table.md"
import glob, json, os, sys
out = sys.argv[1]
print("| target | profile | VUs × duration | webhooks | req/s | p50 ms | p95 ms | p99 ms | failures | k6 thresholds |")
print("|---|---|--:|--:|--:|--:|--:|--:|--:|---|")
order = {"echo": 0, "sqlite": 1, "postgres": 2}
paths = sorted(glob.glob(os.path.join(out, "*-k6-*.json")),
               key=lambda p: (order.get(os.path.basename(p).split("-k6-")[0].split("-")[0], 9), os.path.basename(p).endswith("long.json"), p))
for path in paths:
    name, profile = os.path.basename(path)[:-len(".json")].split("-k6-")
    _, vus, duration, status = open(path[:-len(".json")] + ".status").read().split()
    metrics = json.load(open(path))["metrics"]
    latency = metrics.get("http_req_duration{name:webhook}", {})
    failed = metrics.get("http_req_failed{name:webhook}", {})
    iterations = metrics.get("iterations", {})
    verdict = {"0": "held", "99": "crossed"}.get(status, f"k6 exit {status}")
    print(f"| {name} | {profile} | {vus} × {duration} | {iterations.get('count', 0):,} | {iterations.get('rate', 0):,.0f} | "
          f"{latency.get('med', 0):.2f} | {latency.get('p(95)', 0):.2f} | {latency.get('p(99)', 0):.2f} | "
          f"{failed.get('passes', 0):,} | {verdict} |")
PY
}

# seconds TEXT...: the sum of webhook-bench duration texts (20s, 1m, 500ms), in seconds.
seconds() {
    python3 -c 'import re, sys; print(sum(float(n) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[u or "s"]
        for n, u in (re.fullmatch(r"([0-9.]+)(ms|s|m|h)?", t).groups() for t in sys.argv[1:])))' "$@"
}

# moonshot_point NAME BACKEND FILE [bench args]: like point, with $MOONSHOT_USERS users that
# the deposits credit.
moonshot_point() {
    POINT_USERS=$MOONSHOT_USERS point "$@"
}

# moonshot NAME BACKEND: the closed loop at $MOONSHOT_VUS and the open loop at $MOONSHOT_RATE/s.
moonshot() {
    local name=$1 backend=$2
    log "$name: moonshot, closed loop at $MOONSHOT_VUS VUs"
    moonshot_point "$name" "$backend" "$name-moonshot-vus$MOONSHOT_VUS" --vus "$MOONSHOT_VUS" --label "$name moonshot $MOONSHOT_VUS VUs"
    log "$name: moonshot, open loop at $MOONSHOT_RATE/s"
    moonshot_point "$name" "$backend" "$name-moonshot-open$MOONSHOT_RATE" --rate "$MOONSHOT_RATE" --vus "$MOONSHOT_CONNECTIONS" \
        --label "$name moonshot $MOONSHOT_RATE/s"
}

# sustain NAME BACKEND: each of $SUSTAIN_RATES on a fresh service and database, until one fails.
sustain() {
    local name=$1 backend=$2 rate file timeout
    for rate in $SUSTAIN_RATES; do
        file=$name-sustain$rate
        log "$name: sustain at $rate/s"
        start_service "$name" "$(fresh_database "$backend")"
        create_users "$OUT/$name-users.txt" 100
        # Polling every deposit once takes rate × (warm-up + duration) ÷ poll rate, mostly after the load.
        timeout=$(python3 -c 'import sys; r, s, p = map(float, sys.argv[1:]); print(f"{int(r * s / p) + 60}s")' \
            "$rate" "$(seconds "$WARMUP" "$SUSTAIN_DURATION")" "$SUSTAIN_POLL_RATE")
        set -- python3 "$here/Benchmarks/scripts/queue-sampler.py" "$base_url/metrics" "$WARMUP" "$SUSTAIN_DURATION" "$OUT/$file-queue.tsv"
        printf '%q ' "$@" >>"$OUT/commands.log"
        printf '&\n' >>"$OUT/commands.log"
        "$@" &
        sampler_pid=$!
        DURATION=$SUSTAIN_DURATION bench_run "$name" "$file" --rate "$rate" --vus "$SUSTAIN_CONNECTIONS" \
            --user-ids "$OUT/$name-users.txt" --admin-token "$TOKEN" --verify --wait-credited --poll-rate "$SUSTAIN_POLL_RATE" \
            ${POLL_CONNECTIONS:+--poll-connections "$POLL_CONNECTIONS"} --credit-timeout "$timeout" --label "$name sustain $rate/s"
        wait "$sampler_pid" || true
        sampler_pid=""
        record_queue "$file"
        stop_server
        if ! python3 "$here/Benchmarks/scripts/sustain-table.py" check "$OUT/$file.json" "$OUT/$file-queue.tsv" | tee "$OUT/$file-verdict.txt"; then
            log "$name: $rate/s not sustained; no higher rate is tried"
            break
        fi
    done
}

# sweep NAME BACKEND: closed loop at each VU count, then the open loop (and, for the
# service, webhook -> credited).
sweep() {
    local name=$1 backend=$2 reports=()
    [[ $backend == echo ]] && start_echo
    if [[ " $PARTS " == *" vus "* ]]; then
        for vus in $VUS; do
            log "$name: $vus VUs"
            point "$name" "$backend" "$name-vus$vus" --vus "$vus" --label "$name $vus VUs"
            reports+=("$OUT/$name-vus$vus.json")
        done
        run "$bench" --compare "${reports[@]}" --svg "$OUT/$name-vus.svg" --title "$name: latency by percentile, 10 to 400 VUs" \
            | tee "$OUT/$name-vus-table.txt"
    fi
    if [[ " $PARTS " == *" open "* ]]; then
        log "$name: open loop $OPEN_RATE/s"
        point "$name" "$backend" "$name-open$OPEN_RATE" --rate "$OPEN_RATE" --vus 200 --label "$name open $OPEN_RATE/s"
    fi
    if [[ " $PARTS " == *" moonshot "* ]]; then moonshot "$name" "$backend"; fi
    if [[ " $PARTS " == *" k6 "* && $backend == echo ]]; then k6_profiles "$name" "$backend"; fi
    if [[ $backend == echo ]]; then
        stop_server
        return
    fi
    if [[ " $PARTS " == *" drain "* ]]; then drain "$name" "$backend"; fi
    if [[ " $PARTS " == *" wrk "* ]]; then wrk_ratio "$name" "$backend"; fi
    if [[ " $PARTS " == *" k6 "* ]]; then k6_profiles "$name" "$backend"; fi
    if [[ " $PARTS " == *" sustain "* ]]; then sustain "$name" "$backend"; fi
    [[ " $PARTS " == *" credited "* ]] || return 0
    for rate in $CREDIT_RATES; do
        log "$name: webhook -> credited at $rate/s"
        start_service "$name" "$(fresh_database "$backend")"
        create_users "$OUT/$name-users.txt" 100
        bench_run "$name" "$name-credited$rate" --rate "$rate" --vus 100 --user-ids "$OUT/$name-users.txt" \
            --admin-token "$TOKEN" --verify --wait-credited ${POLL_RATE:+--poll-rate "$POLL_RATE"} ${POLL_CONNECTIONS:+--poll-connections "$POLL_CONNECTIONS"} --label "$name credited $rate/s"
        record_queue "$name-credited$rate"
        stop_server
    done
}

log "building ($BUILD; cricalgo: $SERVICE_BUILD)"
run swift build -c "$SERVICE_BUILD" --product cricalgo
run swift build -c "$BUILD" --package-path Benchmarks --product webhook-bench
run swift build -c "$BUILD" --package-path Benchmarks --product echo-server
if [[ " $PARTS " == *" k6 "* ]]; then
    k6=$("$here/ops/load/k6/k6.sh" --path)
    "$k6" version >"$OUT/k6-version.txt"
fi
{ uname -a; nproc; cat /proc/loadavg; } >"$OUT/machine.txt"

for step in "${steps[@]}"; do
    case $step in
    echo) sweep "echo$SUFFIX" echo ;;
    sqlite) sweep "sqlite$SUFFIX" sqlite ;;
    postgres)
        start_postgres
        sweep "postgres$SUFFIX" postgres
        stop_postgres
        ;;
    *) log "unknown step $step"; exit 2 ;;
    esac
done

vus_reports=()
for vus in $VUS; do
    for name in echo$SUFFIX sqlite$SUFFIX postgres$SUFFIX; do
        [[ -f $OUT/$name-vus$vus.json ]] && vus_reports+=("$OUT/$name-vus$vus.json")
    done
done
if ((${#vus_reports[@]})); then
    run "$bench" --compare "${vus_reports[@]}" | tee "$OUT/all-table.txt"
fi
for vus in 100; do
    set -- "$OUT/echo$SUFFIX-vus$vus.json" "$OUT/sqlite$SUFFIX-vus$vus.json" "$OUT/postgres$SUFFIX-vus$vus.json"
    existing=()
    for file in "$@"; do [[ -f $file ]] && existing+=("$file"); done
    ((${#existing[@]})) && run "$bench" --compare "${existing[@]}" --svg "$OUT/targets-vus$vus.svg" \
        --title "Echo baseline vs the service at $vus VUs" | tee "$OUT/targets-vus$vus-table.txt"
done
if [[ " $PARTS " == *" k6 "* ]]; then k6_table; fi
if [[ " $PARTS " == *" sustain "* ]]; then
    python3 "$here/Benchmarks/scripts/sustain-table.py" table "$OUT" | tee "$OUT/sustain-table.md"
fi
if [[ " $PARTS " == *" moonshot "* ]]; then
    python3 "$here/Benchmarks/scripts/moonshot-table.py" "$OUT" | tee "$OUT/moonshot-table.md"
fi
log "results in $OUT"
