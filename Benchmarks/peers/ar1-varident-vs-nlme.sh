#!/usr/bin/env bash
# AR(1) residuals with per-wave variances (varIdent), side by side on the same simulated panel:
# `score ~ wave + (wave | school)` with corAR1 and varIdent(~ 1 | wave), REML. The whole
# `lae growth` process (reading the CSV, fitting, the φ and SD-ratio intervals, Satterthwaite
# inference, writing the JSON) against the `lme` call alone (data loaded).
#   Benchmarks/peers/ar1-varident-vs-nlme.sh [SCHOOLS]     (default 10000)
# Needs: python3; R with nlme (Debian's r-recommended).
set -euo pipefail
cd "$(dirname "$0")/../.."
schools=${1:-10000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
swift build -c release --product lae > /dev/null
python3 Benchmarks/peers/ar1_varident_data.py "$dir/panel.csv" "$schools"
start=$(date +%s.%N)
OPENBLAS_NUM_THREADS=1 .build/release/lae growth --data "$dir/panel.csv" \
  --formula "score ~ wave + (wave | school)" --residual ar1 --time wave \
  --weights varident --by wave --format json > "$dir/fit.json"
end=$(date +%s.%N)
python3 - "$dir/fit.json" "$start" "$end" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); r = d["residualStructure"]["parameters"]
print("lae growth (AR(1) + varIdent): %.2f s elapsed phi %s ratios %s logLik %.4f" % (
    float(sys.argv[3]) - float(sys.argv[2]), r["phi"],
    [round(r[k], 6) for k in sorted(k for k in r if k != "phi")], d["logLikelihood"]))
PY
Rscript Benchmarks/peers/ar1_varident_nlme.R "$dir/panel.csv"
