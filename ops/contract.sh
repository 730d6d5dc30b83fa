#!/usr/bin/env bash
# Checks the running binary against its contract, docs/openapi.yaml, with Schemathesis.
#
#   ops/contract.sh <path-to-cricalgo>
#
# 1. Validates docs/openapi.yaml (openapi-spec-validator).
# 2. For each store, SQLite (a file in a temporary directory) and PostgreSQL (a fresh database
#    created on the server of $CRICALGO_TEST_DATABASE_URL and dropped afterwards): starts
#    `cricalgo serve` on 127.0.0.1 and a free port with ADMIN_TOKEN set and no WEBHOOK_SECRET
#    (unsigned webhooks, loopback only), runs `schemathesis run --checks all` with the admin
#    bearer header, then stops the binary with SIGTERM, which must exit 0.
# 3. Once more on SQLite with WEBHOOK_SECRET set: the hooks in ops/contract/sign_webhooks.py
#    sign every webhook (X-Signature over the exact body bytes) and fail any that gets 401.
#
# Every check must pass: each response conforms to the document (status, headers, content
# type, body), schema-valid requests are accepted and schema-invalid ones refused, an
# undeclared method is answered 405 with Allow, no 5xx. Strings are generated as ASCII, where
# the document's character counts and the service's byte limits agree.
#
# Without CRICALGO_TEST_DATABASE_URL only SQLite is checked (said loudly), unless CI=true,
# where that is a failure. Environment: CONTRACT_MAX_EXAMPLES (30) examples per operation and
# phase, CONTRACT_SEED to replay a run (each run prints its seed).
#
# As root it installs what is missing (Debian: python3-venv; postgresql-client for psql when
# PostgreSQL is checked); Python tools are pinned in ops/contract/requirements.txt and installed
# into a private virtual environment ($OPS_CONTRACT_VENV, default
# ~/.cache/cricalgo-ops-contract/venv), reused while the requirements are unchanged.
# Exit status: 0 when every check passed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=ops/lib/tools.sh
source "$root/ops/lib/tools.sh"
contract_dir="$root/ops/contract"
schema="$root/docs/openapi.yaml"
max_examples=${CONTRACT_MAX_EXAMPLES:-30}

say() { printf '[contract.sh] %s\n' "$*"; }

(($# == 1)) && [[ $1 != -* ]] || { echo "usage: ops/contract.sh <path-to-cricalgo-binary>" >&2; exit 2; }
binary=$(realpath -m "$1")
[[ -x $binary ]] || { say "no executable at $binary"; exit 2; }

workdir=$(mktemp -d /tmp/cricalgo-contract.XXXXXX)
server_pid=""
pg_database=""
cleanup() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ -n $pg_database ]]; then
        psql "$CRICALGO_TEST_DATABASE_URL" -qAt -v ON_ERROR_STOP=1 \
            -c "DROP DATABASE IF EXISTS \"$pg_database\" WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT

passed=0
failed=0
pass() { printf '  PASS  %s\n' "$1"; passed=$((passed + 1)); }
fail() { printf '  FAIL  %s\n' "$1"; failed=$((failed + 1)); }

# --- tools ---------------------------------------------------------------------------------

postgres_url=${CRICALGO_TEST_DATABASE_URL:-}
if [[ -z $postgres_url ]]; then
    if [[ ${CI:-} == true ]]; then
        say "CRICALGO_TEST_DATABASE_URL is not set and CI=true: the PostgreSQL half of the contract cannot run"
        say "(ops/test.sh starts a throwaway PostgreSQL and exports it)"
        exit 1
    fi
    say "WARNING: CRICALGO_TEST_DATABASE_URL is not set: checking SQLite only, NOT PostgreSQL"
fi

install_missing() {
    local missing=()
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then missing+=(python3-venv); fi
    if [[ -n $postgres_url ]] && ! command -v psql >/dev/null 2>&1; then missing+=(postgresql-client); fi
    apt_install_missing contract.sh "${missing[@]}"
}

setup_venv() {
    venv=${OPS_CONTRACT_VENV:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/cricalgo-ops-contract/venv}
    pinned_venv contract.sh "$venv" "$contract_dir/requirements.txt" schemathesis
}

install_missing
setup_venv
export PYTHONDONTWRITEBYTECODE=1

# --- helpers -------------------------------------------------------------------------------

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until GET /readyz answers 200 (90 s at most) while the server runs.
wait_ready() {
    local base=$1
    python3 - "$base" "$server_pid" <<'EOF'
import os, sys, time, urllib.request
base, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 90
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("the binary exited before it was ready")
    try:
        with urllib.request.urlopen(base + "/readyz", timeout=1) as response:
            if response.status == 200:
                sys.exit(0)
    except Exception:
        pass
    time.sleep(0.2)
sys.exit("/readyz did not answer 200 within 90 s")
EOF
}

# $CRICALGO_TEST_DATABASE_URL with its database replaced by $1.
database_url() {
    python3 - "$postgres_url" "$1" <<'EOF'
import sys, urllib.parse
parts = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(parts._replace(path="/" + sys.argv[2])))
EOF
}

# The variables the binary reads (its `ServiceConfiguration.variables` list), so none leaks in
# from the caller's environment; the ones that change what the routes answer are named too.
variables_file=$(grep -rl 'static let variables = \[' "$root/Sources" | head -n1 || true)
variables="WEBHOOK_SECRET ALLOW_UNSIGNED_WEBHOOKS DATABASE_URL CHAOS_ENABLED HOST PORT ADMIN_TOKEN MAX_BODY_BYTES"
if [[ -n $variables_file ]]; then
    variables+=" $(sed -n '/static let variables = \[/,/\]/p' "$variables_file" | grep -o '"[A-Z][A-Z0-9_]*"' | tr -d '"' | tr '\n' ' ')"
else
    say "WARNING: the binary's variable list was not found; only the main variables are cleared"
fi

# Runs the binary on one store and Schemathesis against it; $1 names the run, $2 is the
# DATABASE_URL (empty: the default SQLite file in the run's directory), $3 is `signed` for a
# run with WEBHOOK_SECRET whose webhooks are signed by ops/contract/sign_webhooks.py.
run_contract() {
    local store=$1 database=$2 signed=${3:-}
    local rundir="$workdir/$store"
    mkdir -p "$rundir"
    local port token
    port=$(free_port)
    token="contract-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
    local base="http://127.0.0.1:$port"
    local secret=""
    [[ $signed == signed ]] && secret="contract-secret-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
    say "$store: cricalgo serve on $base"
    (
        cd "$rundir"
        for name in $variables; do unset "$name"; done
        export HOST=127.0.0.1 PORT=$port ADMIN_TOKEN=$token WORKER_CONCURRENCY=2 \
            LOG_FORMAT=json LOG_LEVEL=warning SHUTDOWN_TIMEOUT_SECONDS=10
        [[ -n $database ]] && export DATABASE_URL=$database
        [[ -n $secret ]] && export WEBHOOK_SECRET=$secret
        exec "$binary" serve
    ) >"$rundir/server.log" 2>&1 &
    server_pid=$!
    if ! wait_ready "$base"; then
        fail "$store: the binary did not become ready"
        tail -n 30 "$rundir/server.log" | sed 's/^/          /'
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
        return 0
    fi

    local seed_args=()
    [[ -n ${CONTRACT_SEED:-} ]] && seed_args=(--seed "$CONTRACT_SEED")
    local started=$SECONDS
    if (cd "$rundir" \
        && if [[ -n $secret ]]; then
            export PYTHONPATH=$contract_dir SCHEMATHESIS_HOOKS=sign_webhooks CONTRACT_WEBHOOK_SECRET=$secret
        fi \
        && "$venv/bin/schemathesis" run "$schema" \
        --url "$base" \
        --checks all \
        --max-examples "$max_examples" \
        --header "Authorization: Bearer $token" \
        --generation-codec ascii \
        --generation-database none \
        --request-timeout 15 \
        --no-color \
        "${seed_args[@]}") >"$rundir/schemathesis.txt" 2>&1; then
        pass "$store: schemathesis --checks all ($(grep -Eo '[0-9]+ generated, [0-9]+ passed' "$rundir/schemathesis.txt" | tail -n1), $((SECONDS - started)) s)"
    else
        fail "$store: schemathesis --checks all"
        sed 's/^/          /' "$rundir/schemathesis.txt"
    fi
    grep -E '^Seed:' "$rundir/schemathesis.txt" | sed "s/^/          $store /" || true

    kill -TERM "$server_pid"
    local code=0
    wait "$server_pid" || code=$?
    server_pid=""
    if ((code == 0)); then
        pass "$store: SIGTERM after the run, exit 0"
    else
        fail "$store: exit status $code after SIGTERM"
        tail -n 30 "$rundir/server.log" | sed 's/^/          /'
    fi
}

# --- checks --------------------------------------------------------------------------------

say "openapi-spec-validator docs/openapi.yaml"
if "$venv/bin/openapi-spec-validator" "$schema" >"$workdir/validator.txt" 2>&1; then
    pass "docs/openapi.yaml is valid OpenAPI 3.1"
else
    fail "docs/openapi.yaml is not valid OpenAPI"
    sed 's/^/          /' "$workdir/validator.txt"
fi

run_contract sqlite ""
run_contract sqlite-signed "" signed

if [[ -n $postgres_url ]]; then
    pg_database="cricalgo_contract_$(date +%s)_$$"
    if psql "$postgres_url" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$pg_database\"" >"$workdir/psql.log" 2>&1; then
        run_contract postgres "$(database_url "$pg_database")"
    else
        fail "postgres: could not create database $pg_database"
        sed 's/^/          /' "$workdir/psql.log"
        pg_database=""
    fi
fi

echo "contract: $passed passed, $failed failed"
((failed == 0))
