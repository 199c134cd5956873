#!/usr/bin/env bash
# Clean build time of the `commerce-webhooks` crate alone (its dependencies prebuilt), for each
# single-platform feature and for all features, in the dev and release profiles.
#
#   bash benches/compile-time.sh            # 2 timed builds per configuration
#   REPS=3 bash benches/compile-time.sh
#
# Builds in its own target dir (CARGO_TARGET_DIR, default /tmp/cw-bench-target) so it does not
# wait on, or invalidate, the workspace's target/. Before each timed build,
# `cargo clean -p commerce-webhooks` removes only that crate's artifacts.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/cw-bench-target}"
reps=${REPS:-2}
echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) cores"
wc -l generated/src/platforms/*.rs
echo "profile feature seconds... (load average after)"
for profile in dev release; do
  flag=""
  [ "$profile" = release ] && flag="--release"
  for feature in shopify bigcommerce shopware ecwid all; do
    if [ "$feature" = all ]; then features=""; else features="--no-default-features --features $feature"; fi
    # Dependencies (and the crate) once, untimed.
    cargo build -q -p commerce-webhooks $flag $features || exit 1
    times=""
    for _ in $(seq 1 "$reps"); do
      cargo clean -q -p commerce-webhooks $flag
      start=$(date +%s.%N)
      cargo build -q -p commerce-webhooks $flag $features || exit 1
      end=$(date +%s.%N)
      times="$times $(echo "$end - $start" | bc)"
    done
    echo "$profile $feature$times ($(cut -d' ' -f1 /proc/loadavg))"
  done
done
