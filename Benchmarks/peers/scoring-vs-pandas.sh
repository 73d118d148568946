#!/usr/bin/env bash
# Scoring N wide responses into school x group x wave aggregates, side by side on the same
# data: the library (AreaScorer + ScoreSummary + ScoreAggregation) and a pandas groupby doing
# the same aggregation. Both are timed after loading the data.
#   Benchmarks/peers/scoring-vs-pandas.sh [N]
# Needs: pip install numpy pandas.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 peers/scoring_data.py "$dir" "$n"
swift build -c release --product scoring-timing > /dev/null
lae=$(.build/release/scoring-timing "$dir" 3)
pandas=$(python3 peers/scoring_pandas.py "$dir" 3)
echo "$lae"
echo "$pandas"
t_lae=$(echo "$lae" | sed -E 's/^[^:]*: ([0-9.]+) s;.*/\1/')
t_pandas=$(echo "$pandas" | sed -E 's/^[^:]*: ([0-9.]+) s;.*/\1/')
awk -v l="$t_lae" -v p="$t_pandas" 'BEGIN { printf "pandas / lae time: %.1fx faster\n", p / l }'
