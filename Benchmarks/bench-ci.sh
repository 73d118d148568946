#!/usr/bin/env bash
# Short benchmark run for CI: every benchmark a few iterations (LAE_BENCH_CI=1), then a check
# against the static thresholds in Thresholds/, which hold exact allocation counts only
# (malloc counts are repeatable here; wall-clock on a 2-vCPU VM is not, so it is printed in
# the tables of the first run but never gated).
#
# `swift package benchmark thresholds check` exits 1 both for regressions and for
# improvements, so the verdict is read from its output: EQUAL or BETTER passes, WORSE fails.
# Threshold file names keep the benchmark's name with spaces (package-benchmark 1.38.1 writes
# underscores on `thresholds update` but reads the name as is).
set -uo pipefail
cd "$(dirname "$0")"
export LAE_BENCH_CI=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# 1. The run, with its tables (wall-clock for information, allocation counts).
swift package --disable-sandbox benchmark --no-progress || exit $?

# 2. The gate: allocation counts against the committed thresholds.
swift package --disable-sandbox benchmark thresholds check --path Thresholds --no-progress 2>&1 | tee "$log"
if grep -q "is WORSE than" "$log"; then
  echo "bench-ci: FAIL: allocation counts regressed (see the table above)."
  exit 1
elif grep -q "is BETTER than" "$log"; then
  echo "bench-ci: ok: allocation counts improved; update Benchmarks/Thresholds to lock it in."
elif grep -q "is EQUAL to" "$log"; then
  echo "bench-ci: ok: allocation counts equal the committed thresholds."
else
  echo "bench-ci: FAIL: the threshold check did not run (no verdict in its output)."
  exit 1
fi
