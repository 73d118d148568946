#!/usr/bin/env bash
# Long-CSV ingest, side by side on the same file: `lae validate` (parse + validate into the
# columnar table, release build, one core) against pandas.read_csv (C engine).
#   Benchmarks/peers/ingest-vs-pandas.sh [SCHOOLS] [REPEATS]
# 1500 schools x 4 waves is about 4 M rows, 230 MB. Needs: pip install pandas.
set -euo pipefail
cd "$(dirname "$0")/../.."
schools=${1:-1500}
repeats=${2:-3}
swift build -c release --product lae > /dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
.build/release/lae simulate --schools "$schools" --waves 4 --seed 1 --out "$dir" > /dev/null
file="$dir/responses.csv"
bytes=$(stat -c %s "$file")
rows=$(($(wc -l < "$file") - 1))
lae_times=()
for _ in $(seq "$repeats"); do
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$dir/rss" .build/release/lae validate --instrument school-self-reflection \
    --responses "$file" > /dev/null
  end=$(date +%s.%N)
  lae_times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")
done
lae_median=$(printf '%s\n' "${lae_times[@]}" | sort -g | sed -n "$(( (repeats + 1) / 2 ))p")
rss_kb=$(cat "$dir/rss")
pandas_line=$(OPENBLAS_NUM_THREADS=1 python3 Benchmarks/peers/ingest_pandas.py "$file" "$repeats")
pandas_median=$(echo "$pandas_line" | sed -E 's/.*: ([0-9.]+) s.*/\1/')
columnar=$((rows * 33))
echo "file: $bytes bytes, $rows rows"
awk -v t="$lae_median" -v b="$bytes" -v rss="$rss_kb" -v col="$columnar" 'BEGIN {
  printf "lae validate: %.3f s, %.1f MB/s, peak RSS %d MB (columnar table %d MB, ratio %.2f)\n",
    t, b / t / 1e6, rss / 1024, col / 1048576, rss * 1024 / col }'
echo "$pandas_line"
awk -v p="$pandas_median" -v l="$lae_median" 'BEGIN { printf "speed ratio lae / pandas: %.2f\n", p / l }'
