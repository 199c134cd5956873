#!/usr/bin/env bash
# Two receiver replicas sharing one Redis for de-duplication, under a bounded burst of signed
# Shopify orders/create deliveries (10% sent again to the other replica, 1% with a tampered
# copy), all on loopback. Checks that every authentic delivery was handled exactly once and no
# tampered one was, and prints deliveries/s, p50/p99 latency and each replica's peak memory.
# Everything it starts stops when it ends.
#
#   benches/load/run.sh [COUNT] [CONCURRENCY]      # default 20000 deliveries, 32 in flight
#
# Needs redis-server (apt-get install redis-server). Release builds; figures in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
count="${1:-20000}"
concurrency="${2:-32}"
secret="load-test secret"

cargo build --release -q -p commerce-webhooks --example receiver --features axum,redis
cargo build --release -q -p commerce-webhooks-cli
target="${CARGO_TARGET_DIR:-target}/release"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for_port() {
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "nothing listens on port $1" >&2; return 1
}

redis_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
pids+=($!)
wait_for_port "$redis_port"

urls=()
replica_pids=()
for replica in a b; do
  port="$(free_port)"
  SHOPIFY_SECRET="$secret" HOST=127.0.0.1 PORT="$port" REDIS_URL="redis://127.0.0.1:$redis_port/0" \
    HANDLED_LOG="$work/handled-$replica" "$target/examples/receiver" >"$work/log-$replica" 2>&1 &
  pids+=($!)
  replica_pids+=($!)
  wait_for_port "$port"
  urls+=(--url "http://127.0.0.1:$port/webhooks/shopify")
done

"$target/commerce-webhooks" load shopify "${urls[@]}" --secret "$secret" --topic orders/create \
  --count "$count" --duplicates 10 --tampered 1 --concurrency "$concurrency" --ids-out "$work/sent"

for i in 0 1; do
  echo "replica $i: peak memory $(awk '/VmHWM/ {print $2, $3}' "/proc/${replica_pids[$i]}/status"), handled $(wc -l <"$work/handled-$([ $i = 0 ] && echo a || echo b)")"
done
sort "$work"/handled-* >"$work/handled"
twice="$(uniq -d "$work/handled" | wc -l)"
lost="$(sort "$work/sent" | comm -23 - "$work/handled" | wc -l)"
forged="$(grep -c '^forged-' "$work/handled" || true)"
echo "handled twice: $twice, authentic lost: $lost, tampered accepted: $forged"
[ "$twice" -eq 0 ] && [ "$lost" -eq 0 ] && [ "$forged" -eq 0 ]
