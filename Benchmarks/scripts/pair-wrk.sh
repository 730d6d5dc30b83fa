#!/usr/bin/env bash
# Before/after pairs with wrk on one fresh PostgreSQL cluster (durable commits):
#
#   Benchmarks/scripts/pair-wrk.sh BINARY... [path/to/echo-server]
#
# For each of $ROUNDS rounds (2) and each binary in turn, on a fresh process and a fresh
# database: one user is created, then wrk -c$C (1) for $D (10s) after a 2 s warm-up posts
# new transfers — $KINDS ("ready pending"): ready ones (12 confirmations) all crediting that
# one user (a hot wallet), pending ones (1 confirmation) that only ingest. An echo-server
# binary is run the same way, once per round, as the baseline of the same run. Prints per
# run: webhooks/s, p50, p99, CPU per webhook of the service and of PostgreSQL (postmaster and
# backends, from /proc), what was credited and the load average. MODE (serve), LOG_LEVEL (info).
set -euo pipefail
BINS=("$@")
ROUNDS=${ROUNDS:-2}; C=${C:-1}; D=${D:-10s}
pg_bin=/usr/lib/postgresql/15/bin
pgd=$(mktemp -d /tmp/ab-pg.XXXXXX); chmod 755 $pgd; chown postgres $pgd
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
runuser -u postgres -- $pg_bin/initdb -D $pgd/data -U postgres -A trust -E UTF8 >/dev/null
runuser -u postgres -- $pg_bin/pg_ctl -D $pgd/data -l $pgd/server.log -w -o "-c listen_addresses=127.0.0.1 -p $port -k $pgd -c max_connections=200 -c shared_buffers=256MB" start >/dev/null
trap 'runuser -u postgres -- $pg_bin/pg_ctl -D $pgd/data -m fast stop >/dev/null; rm -rf $pgd' EXIT
pgpid=$(head -1 $pgd/data/postmaster.pid)
tree_cpu() { local t=0; for p in $1 $(pgrep -P $1); do t=$((t + $(awk '{print $14+$15}' /proc/$p/stat 2>/dev/null || echo 0))); done; echo $t; }
for r in $(seq 1 $ROUNDS); do
  for bin in "${BINS[@]}"; do
    kinds="${KINDS:-ready pending}"; [[ $bin == *echo-server ]] && kinds=echo
    for kind in $kinds; do
      db=ab_$RANDOM$RANDOM; runuser -u postgres -- $pg_bin/createdb -h 127.0.0.1 -p $port $db
      sp=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
      if [[ $kind == echo ]]; then
        $bin --port $sp >"$pgd/server-out.log" 2>&1 &
        spid=$!
        for _ in $(seq 1 300); do curl -fsS -o /dev/null http://127.0.0.1:$sp/healthz 2>/dev/null && break; sleep 0.1; done
        user=""
      else
        DATABASE_URL=postgres://postgres@127.0.0.1:$port/$db ADMIN_TOKEN=t LOG_LEVEL=${LOG_LEVEL:-info} $bin ${MODE:-serve} --host 127.0.0.1 --port $sp >"$pgd/server-out.log" 2>&1 &
        spid=$!
        for _ in $(seq 1 300); do curl -fsS -o /dev/null http://127.0.0.1:$sp/readyz 2>/dev/null && break; sleep 0.1; done
        user=$(curl -fsS -X POST http://127.0.0.1:$sp/api/v1/admin/users -H "Authorization: Bearer t" -H 'Content-Type: application/json' -d "{\"username\":\"ab-$RANDOM\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
      fi
      conf=12; [[ $kind == pending ]] && conf=1
      # warm up 2 s
      CONF=$conf USER_ID=$user wrk -t1 -c$C -d2s -s $(dirname "$0")/wrk-credit.lua http://127.0.0.1:$sp/api/v1/webhooks/bep20 >/dev/null
      s0=$(awk '{print $14+$15}' /proc/$spid/stat); p0=$(tree_cpu $pgpid)
      out=$(CONF=$conf USER_ID=$user wrk -t1 -c$C -d$D --latency -s $(dirname "$0")/wrk-credit.lua http://127.0.0.1:$sp/api/v1/webhooks/bep20 | sed -n 's/^wrk-json //p')
      s1=$(awk '{print $14+$15}' /proc/$spid/stat); p1=$(tree_cpu $pgpid)
      queue=$(curl -fsS http://127.0.0.1:$sp/metrics 2>/dev/null | awk '/^deposit_queue_depth/ {print $2}' | head -1 || true)
      credited=$(curl -fsS http://127.0.0.1:$sp/metrics 2>/dev/null | awk '/^deposits_total\{outcome="credited"\}/ {print $2}' | head -1 || true)
      kill -TERM $spid; wait $spid 2>/dev/null || true
      read n secs non2xx p50 p99 <<<"$out"
      python3 -c "
import sys
n,secs=int('$n'),float('$secs'); t=100
svc=($s1-$s0)/t/n*1e6; pg=($p1-$p0)/t/n*1e6
print(f'round $r  $(basename $(dirname $(dirname $bin)))/$(basename $bin) $kind c$C: {n/secs:8.0f}/s p50 {float(\"$p50\"):6.2f} ms p99 {float(\"$p99\"):7.2f} ms  cpu/webhook service {svc:6.0f} us + pg {pg:6.0f} us = {svc+pg:6.0f} us  non2xx $non2xx queue $queue credited $credited load $(cut -d' ' -f1 /proc/loadavg)')
"
      runuser -u postgres -- $pg_bin/dropdb -h 127.0.0.1 -p $port $db || true
    done
  done
done
