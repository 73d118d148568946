#!/usr/bin/env bash
# Growth models, side by side on the same simulated panels: the whole `lae growth` process
# (reading the CSV, fitting, writing the JSON) against the `lmer` call alone in R (data
# already loaded). Both fit by REML; the REML criteria show they reach the same optimum.
#   Benchmarks/peers/growth-vs-lme4.sh [SIZES...]     (default: 1000 10000 100000)
# Env: LAE (binary to time; default: build .build/release/lae); REPEATS (runs per side, the
#      median is printed; each run a fresh process on both sides, as lmer's first call in a
#      session is the one a researcher waits for; default 1); NESTED_MAX (largest S for the nested teacher-in-school model; default 10000);
#      STATSMODELS_MAX (largest S for statsmodels MixedLM on the random-slope model; default
#      0 = skip; needs pip install statsmodels); THREADS (lae growth --threads: the
#      finite-difference derivatives of the checks and of Satterthwaite's df, and hashing the
#      input beside the fit; default 1, as lmer; on a loaded 2-core machine 2 gains nothing).
# Needs: python3 with numpy; R with lme4 (apt-get install r-cran-lme4).
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000 100000)
nested_max=${NESTED_MAX:-10000}
statsmodels_max=${STATSMODELS_MAX:-0}
repeats=${REPEATS:-1}
threads=${THREADS:-1}
# LAE: a lae binary to time instead of building one (e.g. the static-stdlib build of
# `make bench-growth`, whose start-up is about 30 ms shorter).
if [ -n "${LAE:-}" ]; then
  lae=$LAE
else
  swift build -c release --product lae > /dev/null
  lae=.build/release/lae
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export OPENBLAS_NUM_THREADS=1

printf "%-7s %-8s %-36s %7s %7s %8s %8s %18s %18s %8s\n" S rows model "lae s" "lme4 s" \
  "speedup" "lae MB" "lae REML" "lme4 REML" "rel.diff"
run() {  # S T formula label
  local S=$1 T=$2 formula=$3 label=$4
  local csv="$dir/panel-$S-$T.csv"
  [ -f "$csv" ] || python3 Benchmarks/peers/growth_data.py "$csv" "$S" "$T" 5
  local rows=$(( $(wc -l < "$csv") - 1 ))
  local t0 t1 times=()
  for _ in $(seq "$repeats"); do
    t0=$EPOCHREALTIME  # bash's own clock: no `date` process inside the timed interval
    "$lae" growth --data "$csv" --formula "$formula" --format json --threads "$threads" \
      > "$dir/out.json"
    t1=$EPOCHREALTIME
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
  done
  # Peak memory from one more run, outside the timed ones (/usr/bin/time adds a process).
  /usr/bin/time -f "%M" -o "$dir/rss" \
    "$lae" growth --data "$csv" --formula "$formula" --format json --threads "$threads" > /dev/null
  local t_lae ours r
  t_lae=$(printf "%s\n" "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] }')
  ours=$(python3 -c "import json,sys; print('%.10f' % json.load(open(sys.argv[1]))['remlCriterion'])" "$dir/out.json")
  local t_r theirs r_times=()
  for _ in $(seq "$repeats"); do
    r=$(Rscript Benchmarks/peers/growth_lme4.R "$csv" "$formula")
    r_times+=("$(echo "$r" | sed -E 's/lme4: ([0-9.]+) s.*/\1/')")
  done
  t_r=$(printf "%s\n" "${r_times[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] }')
  theirs=$(echo "$r" | sed -E 's/.*REML ([-0-9.]+)/\1/')
  awk -v S="$S" -v n="$rows" -v m="$label" -v a="$t_lae" -v b="$t_r" -v x="$ours" -v y="$theirs" \
    -v kb="$(tail -1 "$dir/rss")" \
    'BEGIN { d = (x - y) / (y < 0 ? -y : y); printf "%-7s %-8s %-36s %7.3f %7.3f %7.1fx %8.0f %18.6f %18.6f %8.1e\n", S, n, m, a, b, b / a, kb / 1024, x, y, d }'
}
for S in "${sizes[@]}"; do
  run "$S" 1 "score ~ wave + (wave | school)" "score ~ wave + (wave | school)"
done
for S in "${sizes[@]}"; do
  [ "$S" -le "$nested_max" ] || continue
  run "$S" 4 "score ~ wave + (1 | school/teacher)" "score ~ wave + (1 | school/teacher)"
done
for S in "${sizes[@]}"; do
  [ "$S" -le "$statsmodels_max" ] || continue
  csv="$dir/panel-$S-1.csv"
  sm=$(python3 Benchmarks/peers/growth_statsmodels.py "$csv")
  echo "S=$S statsmodels MixedLM (fit alone), score ~ wave + (wave | school): $sm"
done
