# Shared by the ops scripts that install their own tools (sourced, not run):
#
#   apt_install_missing TAG PACKAGE...     as root, installs the Debian packages named (the
#                                          caller lists only the missing ones); otherwise says
#                                          what is missing and exits 1
#   pinned_venv TAG VENV REQUIREMENTS EXE  makes VENV a virtual environment holding exactly the
#                                          pins of REQUIREMENTS (hashed into VENV's stamp), reused
#                                          while the pins and VENV/bin/EXE are unchanged
#
# TAG prefixes every message (`[check.sh] …`). Both exit 1, showing the installer's last 30
# lines, when an install fails.

apt_install_missing() {
    local tag=$1
    shift
    (($#)) || return 0
    if [[ $(id -u) -ne 0 ]]; then
        printf '[%s] missing: %s; run as root to install them, or install them yourself\n' "$tag" "$*" >&2
        exit 1
    fi
    printf '[%s] installing %s\n' "$tag" "$*" >&2
    local log
    log=$(mktemp /tmp/cricalgo-apt.XXXXXX)
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; } >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
}

pinned_venv() {
    local tag=$1 venv=$2 requirements=$3 exe=$4 want stamp log
    want=$(sha256sum "$requirements" | cut -d' ' -f1)
    stamp="$venv/.requirements.sha256"
    if [[ -x $venv/bin/$exe && -f $stamp && $(cat "$stamp") == "$want" ]]; then
        return 0
    fi
    printf '[%s] installing pinned Python tools into %s\n' "$tag" "$venv" >&2
    log=$(mktemp /tmp/cricalgo-pip.XXXXXX)
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    if ! { python3 -m venv "$venv" \
        && "$venv/bin/pip" install -q --disable-pip-version-check --no-input -r "$requirements"; } >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        rm -rf "$venv" "$log"
        exit 1
    fi
    rm -f "$log"
    echo "$want" >"$stamp"
}
