#!/usr/bin/env bash
# Clustering against scikit-learn and R on the same 100,000 x 8 data (five Gaussian profiles):
#   k-means, k = 5, 10 starts: lae cluster (whole process: reading the CSV, fitting, the
#   silhouette on a 10,000-unit sample, JSON output) vs sklearn KMeans(n_init=10) and R
#   kmeans(nstart=10) (fit call alone).
#   Gaussian mixtures VVV, k = 3..6: lae cluster --method gmm (whole process, mclust's
#   initialisation) vs sklearn GaussianMixture(full) per k and mclustBIC (fit calls alone).
#   Benchmarks/peers/cluster-vs-peers.sh [N]        (LAE=other/lae to time another build;
#   REPEATS=5: lae's times are medians of that many runs)
# Needs: pip install scikit-learn; R with mclust. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-100000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 Benchmarks/peers/cluster_peers.py data "$dir" "$n"
# LAE=path/to/lae compares another build (say, the previous commit's) in the same conditions.
if [ -z "${LAE:-}" ]; then swift build -c release --product lae > /dev/null; fi
lae=${LAE:-.build/release/lae}
cols=x1,x2,x3,x4,x5,x6,x7,x8
now() { date +%s.%N; }
# The median wall time of REPEATS (default 5) runs of a lae command (output to the file in $out),
# with OPENBLAS_NUM_THREADS=1 as the README advises (lae's threads are its own --threads); the
# peers keep their default threads and their fit calls, which take seconds, are timed once.
repeats=${REPEATS:-5}
median_run() {
  local times=() t0
  for _ in $(seq "$repeats"); do
    t0=$(now)
    OPENBLAS_NUM_THREADS=1 "$@" > "$out"
    times+=("$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')")
  done
  printf "%s\n" "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# lae: the fit alone as the peers are timed (no silhouette, summary table), then the default
# output (silhouette on a 10,000-unit sample, JSON with all 100,000 assignments).
out="$dir/km.txt"
t_lae_km=$(median_run $lae cluster --data "$dir/data.csv" --columns $cols --k 5 --starts 10 --seed 1 --silhouette-sample 0)
obj_lae_km=$(sed -n 's/total within SS: //p' "$dir/km.txt")
echo "lae cluster kmeans k=5 starts=10 (whole process, no silhouette): $t_lae_km s; inertia $obj_lae_km"
out=/dev/null
t_lae_km2=$(median_run $lae cluster --data "$dir/data.csv" --columns $cols --k 5 --starts 10 --seed 1 --threads 2 --silhouette-sample 0)
echo "lae cluster kmeans k=5 starts=10 --threads 2 (whole process, no silhouette): $t_lae_km2 s"
out="$dir/km.json"
t_lae_kmj=$(median_run $lae cluster --data "$dir/data.csv" --columns $cols --k 5 --starts 10 --seed 1 --format json)
echo "lae cluster kmeans k=5 starts=10 (whole process, silhouette + JSON): $t_lae_kmj s"
# Peers: the fit call alone (printed by the scripts) and the whole process (interpreter start,
# imports, reading the CSV, fit), as lae is timed.
t0=$(now)
sk_km=$(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python3 Benchmarks/peers/cluster_peers.py kmeans "$dir")
w_sk_km1=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
echo "$sk_km (1 thread; whole process $w_sk_km1 s)"
t0=$(now)
sk_km2=$(python3 Benchmarks/peers/cluster_peers.py kmeans "$dir")
w_sk_km=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
echo "$sk_km2 (default threads; whole process $w_sk_km s)"
t0=$(now)
r_km=$(Rscript Benchmarks/peers/cluster_peers.R kmeans "$dir")
w_r_km=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
echo "$r_km (whole process $w_r_km s)"

out=/dev/null
t_lae_gmm2=$(median_run $lae cluster --data "$dir/data.csv" --columns $cols --method gmm --models VVV --k 3-6 --seed 1 --silhouette-sample 0 --threads 2)
echo "lae cluster gmm VVV k=3..6 --threads 2 (whole process, no silhouette): $t_lae_gmm2 s"
out="$dir/gmm.json"
t_lae_gmm=$(median_run $lae cluster --data "$dir/data.csv" --columns $cols --method gmm --models VVV --k 3-6 --seed 1 --silhouette-sample 0 --format json)
echo "lae cluster gmm VVV k=3..6 (whole process, no silhouette, JSON with posteriors): $t_lae_gmm s"
python3 -c "
import json
for f in json.load(open('$dir/gmm.json'))['fits']:
    print('  lae VVV k=%d: loglik %.10g, %s iterations' % (f['k'], f['logLikelihood'], f['iterations']))"
t0=$(now)
sk_gmm=$(python3 Benchmarks/peers/cluster_peers.py gmm "$dir")
w_sk_gmm=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
echo "$sk_gmm (whole process $w_sk_gmm s)"
t0=$(now)
r_gmm=$(Rscript Benchmarks/peers/cluster_peers.R gmm "$dir")
w_r_gmm=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
echo "$r_gmm (whole process $w_r_gmm s)"

secs() { sed -E 's/.*: ([0-9.]+) s;?.*/\1/'; }
t_sk_km=$(echo "$sk_km2" | secs)
t_r_km=$(echo "$r_km" | secs)
t_sk_gmm=$(echo "$sk_gmm" | tail -1 | secs)
t_r_gmm=$(echo "$r_gmm" | tail -1 | secs)
echo "lae: whole process, median of $repeats runs. peer (s): the peer's fit call alone, once;"
echo "peer/lae uses it. Whole-process"
echo "peer times (interpreter, imports, CSV, fit) are in the last rows."
printf "%-46s %9s %9s %8s\n" "case" "lae (s)" "peer (s)" "peer/lae"
t_sk_km1=$(echo "$sk_km" | secs)
row() { awk -v n="$1" -v l="$2" -v p="$3" 'BEGIN { printf "%-46s %9.3f %9.3f %7.1fx\n", n, l, p, p / l }'; }
row "kmeans, 1 thread vs sklearn (1 thread)" "$t_lae_km" "$t_sk_km1"
row "kmeans, 2 threads vs sklearn (default threads)" "$t_lae_km2" "$t_sk_km"
row "kmeans, 1 thread vs R kmeans" "$t_lae_km" "$t_r_km"
row "kmeans + silhouette + JSON vs sklearn (default)" "$t_lae_kmj" "$t_sk_km"
row "GMM VVV k=3..6, 1 thread vs sklearn" "$t_lae_gmm" "$t_sk_gmm"
row "GMM VVV k=3..6, 2 threads vs sklearn" "$t_lae_gmm2" "$t_sk_gmm"
row "GMM VVV k=3..6, 1 thread vs mclust" "$t_lae_gmm" "$t_r_gmm"
row "GMM VVV k=3..6, 2 threads vs mclust" "$t_lae_gmm2" "$t_r_gmm"
row "kmeans, 1 thread vs sklearn whole process (1 thr)" "$t_lae_km" "$w_sk_km1"
row "kmeans, 2 threads vs sklearn whole process" "$t_lae_km2" "$w_sk_km"
row "kmeans, 1 thread vs R whole process" "$t_lae_km" "$w_r_km"
row "GMM VVV k=3..6, 2 threads vs sklearn whole process" "$t_lae_gmm2" "$w_sk_gmm"
row "GMM VVV k=3..6, 2 threads vs mclust whole process" "$t_lae_gmm2" "$w_r_gmm"
