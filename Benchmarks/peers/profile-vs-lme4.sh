#!/usr/bin/env bash
# Profile confidence intervals, side by side: the whole `lae growth --ci profile` process
# (reading the CSV, fitting, profiling, writing the JSON) against lme4's
# confint(fit, method = "profile") alone in R (data loaded and model fitted before the clock
# starts), on sleepstudy and on simulated panels of S schools x 5 waves
# (score ~ wave + (wave | school), growth_data.py). Prints both times and the largest
# difference between the bounds relative to the interval's half-width.
#   Benchmarks/peers/profile-vs-lme4.sh [SIZES...]     (default: 1000)
# Env: LAE (binary to time; default: build .build/release/lae); THREADS (lae --threads, default
#      2: the searches, two per parameter, are independent).
# Needs: python3 with numpy; R with lme4 (apt-get install r-cran-lme4).
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000)
if [ -n "${LAE:-}" ]; then
  lae=$LAE
else
  swift build -c release --product lae > /dev/null
  lae=.build/release/lae
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export OPENBLAS_NUM_THREADS=1
now() { date +%s.%N; }
printf "%-28s %8s %8s %8s %12s\n" data "lae s" "lme4 s" speedup "max diff/hw"
run() {  # label csv formula
  local label=$1 csv=$2 formula=$3 t0 t1
  t0=$(now)
  "$lae" growth --data "$csv" --formula "$formula" --ci profile --threads "${THREADS:-2}" \
    --format csv > "$dir/ours.csv"
  t1=$(now)
  local t_lae r t_r
  t_lae=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  r=$(Rscript Benchmarks/peers/profile_lme4.R "$csv" "$formula")
  t_r=$(echo "$r" | sed -n 's/^lme4: \([0-9.]*\) s$/\1/p')
  echo "$r" | tail -n +2 > "$dir/theirs.csv"
  local diff
  diff=$(python3 - "$dir/ours.csv" "$dir/theirs.csv" <<'PY'
import csv, sys
ours = {}
for row in csv.DictReader(open(sys.argv[1])):
    ours[(row["component"], row["group"], row["term"], row["statistic"])] = float(row["value"])
lows = [v for k, v in ours.items() if k[3].endswith("iLower")]
ups = [v for k, v in ours.items() if k[3].endswith("iUpper")]
# The CSV lists random-effect intervals, then the residual SD; fixed effects first: reorder
# as lme4 (.sig.., .sigma, fixed).
fixed = [(k, v) for k, v in ours.items() if k[0] == "fixed" and k[3] in ("ciLower", "ciUpper")]
rand = [(k, v) for k, v in ours.items() if k[0] == "random" and "ci" in k[3]]
resid = [(k, v) for k, v in ours.items() if k[0] == "residual" and "ci" in k[3]]
seq = [v for _, v in rand + resid + fixed]
pairs = list(zip(seq[0::2], seq[1::2]))
theirs = [tuple(map(float, l.split(",")[1:])) for l in open(sys.argv[2]) if l.strip()]
worst = 0.0
for (a, b), (c, d) in zip(pairs, theirs):
    hw = max((d - c) / 2, 1e-12)
    worst = max(worst, abs(a - c) / hw, abs(b - d) / hw)
print("%.1e" % worst)
PY
)
  printf "%-28s %8s %8s %8s %12s\n" "$label" "$t_lae" "$t_r" \
    "$(awk -v a="$t_lae" -v b="$t_r" 'BEGIN { printf "%.1fx", b / a }')" "$diff"
}
run sleepstudy Fixtures/references/growth/sleepstudy.csv "Reaction ~ Days + (Days | Subject)"
for S in "${sizes[@]}"; do
  python3 Benchmarks/peers/growth_data.py "$dir/panel-$S.csv" "$S" 1 5
  run "panel S=$S (5 waves)" "$dir/panel-$S.csv" "score ~ wave + (wave | school)"
done
