#!/usr/bin/env bash
# Reliability of 40 items (8 areas of 5) over N respondents, side by side on the same data:
# the library (full psych::alpha output per area), a bare numpy covariance-only alpha, and
# psych::alpha. Each is timed after loading the data.
#   Benchmarks/peers/reliability-vs-peers.sh [N] [--no-psych]
# Needs: pip install numpy pandas; apt-get install r-cran-psych (unless --no-psych).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 peers/reliability_data.py "$dir" "$n"
swift build -c release --product reliability-timing > /dev/null
lae=$(.build/release/reliability-timing "$dir" 3)
numpy=$(OPENBLAS_NUM_THREADS=1 python3 peers/reliability_numpy.py "$dir" 3)
echo "$lae"
echo "$numpy"
if [ "${2:-}" != "--no-psych" ]; then
  psych=$(Rscript peers/reliability_psych.R "$dir")
  echo "$psych"
fi
t_lae=$(echo "$lae" | sed -E 's/.*: ([0-9.]+) s;.*/\1/')
t_numpy=$(echo "$numpy" | sed -E 's/.*: ([0-9.]+) s;.*/\1/')
awk -v l="$t_lae" -v p="$t_numpy" 'BEGIN { printf "lae / numpy time: %.2f\n", l / p }'
if [ -n "${psych:-}" ]; then
  t_psych=$(echo "$psych" | sed -E 's/.*: ([0-9.]+) s;.*/\1/')
  awk -v l="$t_lae" -v p="$t_psych" 'BEGIN { printf "psych / lae time: %.1fx faster\n", p / l }'
fi
