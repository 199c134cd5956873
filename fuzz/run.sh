#!/usr/bin/env bash
# Runs one fuzz target for a while (default 600 s) at the lowest priority, one job, one worker:
#   fuzz/run.sh <topics|patterns|verify|decode|catalog> [seconds]
# The corpus it grows is fuzz/corpus/<target>/ (seeded from fuzz/seeds/<target>/, which
# make_seeds.py writes when it is missing), findings go
# to fuzz/artifacts/<target>/, libFuzzer's output to fuzz/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh <target> [seconds]}
seconds=${2:-600}
if [ ! -d "seeds/$target" ]; then python3 make_seeds.py; fi
mkdir -p "corpus/$target" "artifacts/$target" logs
rm -f fuzz-0.log
status=0
RUSTC_BOOTSTRAP=1 nice -n 19 cargo fuzz run -s none "$target" "corpus/$target" "seeds/$target" -- \
  -max_total_time="$seconds" -jobs=1 -workers=1 -timeout=25 -print_final_stats=1 || status=$?
# With -jobs, libFuzzer writes the job's output to fuzz-0.log.
if [ -f fuzz-0.log ]; then mv fuzz-0.log "logs/$target.log"; fi
# The catalog target's scratch copies (one per fuzzing process) of processes that have ended.
for dir in /dev/shm/commerce-webhooks-fuzz-catalog-* "${TMPDIR:-/tmp}"/commerce-webhooks-fuzz-catalog-*; do
  if [ -d "$dir" ] && ! kill -0 "${dir##*-}" 2>/dev/null; then rm -rf "$dir"; fi
done
grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)|^Done|^stat::|panicked|^SUMMARY|^==[0-9]+== ERROR|Test unit written' "logs/$target.log" || true
exit "$status"
