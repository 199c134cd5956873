#!/usr/bin/env bash
# The compile-time goals of the performance issue, in one run: a release build of serde_json
# alone, and of `commerce-webhooks` alone with all features in release and in debug, each with
# its dependencies prebuilt (built first, untimed; then only the measured package is removed
# with `cargo clean -p` and rebuilt, timed). Prints the seconds and the ratios.
#
#   bash benches/scripts/compile-times.sh          # 3 timed builds each, medians
#   REPS=5 bash benches/scripts/compile-times.sh
#
# Builds in its own target dir (CARGO_TARGET_DIR, default /tmp/cw-compile-target), so it neither
# waits on nor invalidates the workspace's target/. Times are wall-clock on a shared machine:
# run it when the machine is quiet, and read the load average printed beside each build.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/cw-compile-target}"
reps=${REPS:-3}
serde_json_version=$(cargo metadata --format-version 1 --locked 2>/dev/null |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="serde_json"))')
echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?') (+ working tree); $(nproc) cores;" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(rustc --version)"
echo "serde_json $serde_json_version; generated lines: $(cat generated/src/platforms/*.rs | wc -l)"

# median of the numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# time_builds LABEL PACKAGE-SPEC CLEAN-SPEC CARGO-ARGS...: prints the median seconds
time_builds() {
  local label=$1 spec=$2 clean=$3
  shift 3
  cargo build -q -p "$spec" "$@" # dependencies (and the package) once, untimed
  local times=()
  for _ in $(seq 1 "$reps"); do
    # `cargo clean` takes the profile but no feature flags.
    if [[ " $* " == *" --release "* ]]; then cargo clean -q -p "$clean" --release; else cargo clean -q -p "$clean"; fi
    local start end
    start=$(date +%s.%N)
    cargo build -q -p "$spec" "$@"
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  local med
  med=$(printf '%s\n' "${times[@]}" | median)
  echo "$label: ${times[*]} s, median $med s (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  echo "$med"
}

# serde_json alone, its default features (`-p serde_json@<version>`: the version in Cargo.lock).
serde=$(time_builds "serde_json $serde_json_version, release" "serde_json@$serde_json_version" "serde_json" --release)
release=$(time_builds "commerce-webhooks, all features, release" commerce-webhooks commerce-webhooks --release --all-features)
debug=$(time_builds "commerce-webhooks, all features, debug" commerce-webhooks commerce-webhooks --all-features)
# The same debug build as an application's dependency gets it: cargo's default dev profile
# (full debug info, where this workspace asks for line tables only) and no incremental
# compilation (cargo builds only workspace members incrementally). A separate target dir, so
# that the two debug builds do not share artifacts.
as_dependency=$(CARGO_TARGET_DIR="$CARGO_TARGET_DIR/as-dependency" CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_DEBUG=true \
  time_builds "commerce-webhooks, all features, debug as a dependency" commerce-webhooks commerce-webhooks --all-features)
awk -v s="$serde" -v r="$release" -v d="$debug" -v a="$as_dependency" 'BEGIN {
  printf "release crate / release serde_json: %.2f (goal <= 3: %s)\n", r / s, (r / s <= 3 ? "met" : "NOT met");
  printf "debug crate / release serde_json:   %.2f (goal <= 1: %s)\n", d / s, (d / s <= 1 ? "met" : "NOT met");
  printf "debug crate as a dependency / release serde_json: %.2f (goal <= 1: %s)\n", a / s, (a / s <= 1 ? "met" : "NOT met");
}'
