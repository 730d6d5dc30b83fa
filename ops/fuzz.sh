#!/usr/bin/env bash
# Builds the fuzz package (Tests/Fuzz) with libFuzzer and AddressSanitizer and runs every
# fuzz target for a while. Usage: ./ops/fuzz.sh [seconds-per-target] [target...]
#
# - Default: 60 seconds for each of FuzzWebhook, FuzzAmount, FuzzSignature, FuzzAdmin.
# - Each target first replays its saved fail cases (Tests/Fuzz/FailCases/<target>/), then
#   fuzzes from a scratch copy of its seed corpus (Tests/Fuzz/Corpus/<target>/), so the
#   committed corpus never changes. The scratch corpus is kept between runs, with what
#   earlier runs found, in Tests/Fuzz/.build/fuzz-runs/<target>/corpus (git ignores it);
#   FUZZ_FRESH=1 starts it anew from the seeds.
# - Prints per target: executions, executions per second, corpus size, new inputs, crashes.
# - Exits 1 on any crash, trap, sanitizer report, leak, timeout or failed check (a
#   disagreement is a failed check), naming the saved input. Turn one into a regression
#   test by copying it to Tests/Fuzz/FailCases/<target>/<what-it-is> (docs/FUZZING.md).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
log() { printf '[fuzz.sh] %s\n' "$*" >&2; }

seconds=${1:-60}
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || { log "usage: $0 [seconds-per-target] [target...]"; exit 2; }
shift || true
targets=("$@")
((${#targets[@]})) || targets=(FuzzWebhook FuzzAmount FuzzSignature FuzzAdmin)

package=Tests/Fuzz
runs="$here/$package/.build/fuzz-runs"
# The flags go to swiftc as one option: SwiftPM's `--sanitize=fuzzer --sanitize=address`
# passes two, in an order that varies, and swiftc keeps only the last one's coverage (no
# coverage, no guided fuzzing). The build plan is made anew each time, or a file added to
# the root package would go unseen (a dependency's list of sources is cached).
build_flags=(-c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --disable-build-manifest-caching)

# Longest input each target makes: webhook bodies of a few KB (the limit is 64 KB, but
# nothing in the parser depends on more); amount literals long enough for 10,000-digit
# numbers (the runs in FuzzAmount.dict reach further); header sets; admin bodies.
max_len() {
    case $1 in
        FuzzWebhook) echo 4096 ;;
        FuzzAmount) echo 12288 ;;
        FuzzSignature) echo 2048 ;;
        FuzzAdmin) echo 1024 ;;
        *) echo 4096 ;;
    esac
}

log "building $package with -sanitize=fuzzer,address"
start=$(date +%s)
swift build --package-path "$package" "${build_flags[@]}"
bin=$(swift build --package-path "$package" "${build_flags[@]}" --show-bin-path)
log "built in $(($(date +%s) - start)) s"

# LeakSanitizer needs ptrace, which some sandboxes refuse; then leaks cannot be checked
# and the run says so instead of failing on the sanitizer's own error.
detect_leaks=1
probe=$(mktemp -d)
printf '{}' >"$probe/input"
if ! "$bin/FuzzAdmin" -runs=1 -detect_leaks=1 "$probe/input" >"$probe/log" 2>&1 \
    && grep -q 'LeakSanitizer has encountered a fatal error' "$probe/log"; then
    log "LeakSanitizer cannot run here (ptrace refused): leaks are not checked"
    detect_leaks=0
fi
rm -rf "$probe"

# A trap goes straight to libFuzzer's report: Swift's own backtracer, run inside an ASan
# process, reports a false stack-buffer-underflow of its own instead.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}

failed=0
summary=()
for target in "${targets[@]}"; do
    [[ -x $bin/$target ]] || { log "no such fuzz target: $target"; exit 2; }
    dir="$runs/$target"
    [[ ${FUZZ_FRESH:-} == 1 ]] && rm -rf "$dir"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    rm -f "$dir/artifacts/"*
    cp -p "$package/Corpus/$target/"* "$dir/corpus/"
    common=(-detect_leaks=$detect_leaks -timeout=10 -rss_limit_mb=2048 "-artifact_prefix=$dir/artifacts/")

    fail_cases=("$package/FailCases/$target/"*)
    if [[ -e ${fail_cases[0]} ]]; then
        log "$target: replaying ${#fail_cases[@]} fail cases"
        if ! "$bin/$target" "${common[@]}" "${fail_cases[@]}" >"$dir/fail-cases.log" 2>&1; then
            log "$target: a fail case fails again; see $dir/fail-cases.log"
            grep -E 'Running:|fuzz check failed|ERROR:|Fatal error' "$dir/fail-cases.log" | tail -5 >&2 || true
            failed=1
            summary+=("$target: FAIL CASE FAILS (log $dir/fail-cases.log)")
            continue
        fi
    fi

    log "$target: fuzzing for $seconds s (max_len $(max_len "$target"))"
    status=0
    "$bin/$target" "${common[@]}" -max_total_time="$seconds" -max_len="$(max_len "$target")" \
        -dict="$package/$target.dict" -print_final_stats=1 "$dir/corpus" >"$dir/fuzz.log" 2>&1 || status=$?
    stat() { grep -m1 "^stat::$1:" "$dir/fuzz.log" | awk '{print $2}'; }
    executions=$(stat number_of_executed_units)
    per_second=$(stat average_exec_per_sec)
    new_units=$(stat new_units_added)
    corpus_size=$(find "$dir/corpus" -type f | wc -l)
    artifacts=$(find "$dir/artifacts" -type f | wc -l)
    line="$target: ${executions:-?} executions (${per_second:-?}/s), corpus $corpus_size (+${new_units:-?}), crashes $artifacts"
    if ((status != 0 || artifacts > 0)); then
        failed=1
        line+=" — FAILED (exit $status)"
        log "$target failed; log $dir/fuzz.log"
        grep -E 'fuzz check failed|ERROR: |Fatal error|SUMMARY' "$dir/fuzz.log" | head -5 >&2 || true
        for artifact in "$dir/artifacts/"*; do
            [[ -e $artifact ]] && log "saved input: $artifact"
        done
    fi
    summary+=("$line")
done

printf '[fuzz.sh] %s\n' "${summary[@]}"
if ((failed)); then
    log "FAILED: copy each saved input to $package/FailCases/<target>/<what-it-is> and fix the bug"
    exit 1
fi
log "no crash, leak or disagreement"
