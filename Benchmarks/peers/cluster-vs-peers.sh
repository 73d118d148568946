#!/usr/bin/env bash
# Clustering against scikit-learn and R on the same 100,000 x 8 data (five Gaussian profiles):
#   k-means, k = 5, 10 starts: lae cluster (whole process: reading the CSV, fitting, the
#   silhouette on a 10,000-unit sample, JSON output) vs sklearn KMeans(n_init=10) and R
#   kmeans(nstart=10) (fit call alone).
#   Gaussian mixtures VVV, k = 3..6: lae cluster --method gmm (whole process, mclust's
#   initialisation) vs sklearn GaussianMixture(full) per k and mclustBIC (fit calls alone).
#   Benchmarks/peers/cluster-vs-peers.sh [N]
# Needs: pip install scikit-learn; R with mclust. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-100000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 Benchmarks/peers/cluster_peers.py data "$dir" "$n"
swift build -c release --product lae > /dev/null
lae=.build/release/lae
cols=x1,x2,x3,x4,x5,x6,x7,x8
now() { date +%s.%N; }

t0=$(now)
$lae cluster --data "$dir/data.csv" --columns $cols --k 5 --starts 10 --seed 1 --format json > "$dir/km.json"
t_lae_km=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
obj_lae_km=$(python3 -c "import json; print('%.10g' % json.load(open('$dir/km.json'))['totalWithinSS'])")
echo "lae cluster kmeans k=5 starts=10 (whole process): $t_lae_km s; inertia $obj_lae_km"
sk_km=$(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python3 Benchmarks/peers/cluster_peers.py kmeans "$dir")
echo "$sk_km (1 thread)"
sk_km2=$(python3 Benchmarks/peers/cluster_peers.py kmeans "$dir")
echo "$sk_km2 (default threads)"
r_km=$(Rscript Benchmarks/peers/cluster_peers.R kmeans "$dir")
echo "$r_km"

t0=$(now)
$lae cluster --data "$dir/data.csv" --columns $cols --method gmm --models VVV --k 3-6 --seed 1 --format json > "$dir/gmm.json"
t_lae_gmm=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
echo "lae cluster gmm VVV k=3..6 (whole process): $t_lae_gmm s"
python3 -c "
import json
for f in json.load(open('$dir/gmm.json'))['fits']:
    print('  lae VVV k=%d: loglik %.10g, %s iterations' % (f['k'], f['logLikelihood'], f['iterations']))"
sk_gmm=$(python3 Benchmarks/peers/cluster_peers.py gmm "$dir")
echo "$sk_gmm"
r_gmm=$(Rscript Benchmarks/peers/cluster_peers.R gmm "$dir")
echo "$r_gmm"

secs() { sed -E 's/.*: ([0-9.]+) s;?.*/\1/'; }
t_sk_km=$(echo "$sk_km2" | secs)
t_r_km=$(echo "$r_km" | secs)
t_sk_gmm=$(echo "$sk_gmm" | tail -1 | secs)
t_r_gmm=$(echo "$r_gmm" | tail -1 | secs)
echo
printf "%-34s %10s %10s %8s\n" "case" "lae (s)" "peer (s)" "peer/lae"
awk -v l="$t_lae_km" -v p="$t_sk_km" 'BEGIN { printf "%-34s %10.3f %10.3f %7.1fx\n", "kmeans k=5 vs sklearn KMeans", l, p, p / l }'
awk -v l="$t_lae_km" -v p="$t_r_km" 'BEGIN { printf "%-34s %10.3f %10.3f %7.1fx\n", "kmeans k=5 vs R kmeans", l, p, p / l }'
awk -v l="$t_lae_gmm" -v p="$t_sk_gmm" 'BEGIN { printf "%-34s %10.3f %10.3f %7.1fx\n", "GMM VVV k=3..6 vs sklearn", l, p, p / l }'
awk -v l="$t_lae_gmm" -v p="$t_r_gmm" 'BEGIN { printf "%-34s %10.3f %10.3f %7.1fx\n", "GMM VVV k=3..6 vs mclust", l, p, p / l }'
