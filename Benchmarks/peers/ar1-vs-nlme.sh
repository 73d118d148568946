#!/usr/bin/env bash
# AR(1) residuals, side by side on the same simulated panel (GrowthPanel, 5 waves):
# `score ~ wave * sector + (wave | school)` with corAR1 within school, fitted by REML by
# LinearMixedModel (growth-inference-timing, fit only, data in memory) and by nlme::lme
# (opt = "optim", as nlme's default nlminb often fails with random slopes; data loaded).
# Both print elapsed and CPU time (on a shared machine the elapsed time follows the load).
#   Benchmarks/peers/ar1-vs-nlme.sh [SCHOOLS]     (default 10000)
# Needs: R with nlme (Debian's r-recommended).
set -euo pipefail
cd "$(dirname "$0")/.."
schools=${1:-10000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
swift build -c release --product growth-inference-timing > /dev/null
OPENBLAS_NUM_THREADS=1 .build/release/growth-inference-timing "$schools" 1 ar1 "$dir/panel.csv" \
  | grep -E "^score|AR\(1\)"
Rscript peers/ar1_nlme.R "$dir/panel.csv"
