"""Clustering peers for Benchmarks/peers/cluster-vs-peers.sh.

  python3 cluster_peers.py data DIR N      writes DIR/data.csv: N x 8, five Gaussian profiles
  python3 cluster_peers.py kmeans DIR      KMeans(n_clusters=5, n_init=10), fit timed alone
  python3 cluster_peers.py gmm DIR         GaussianMixture(k, "full") for k = 3..6, fits timed
Prints one line per result: name, seconds, objective.
"""

import sys
import time

import numpy as np


def make_data(directory, n):
    rng = np.random.default_rng(2026)
    d, k = 8, 5
    centres = rng.normal(0, 1.6, size=(k, d))
    weights = np.array([0.30, 0.25, 0.20, 0.15, 0.10])
    labels = rng.choice(k, size=n, p=weights)
    x = np.empty((n, d))
    for c in range(k):
        a = rng.normal(size=(d, d)) / np.sqrt(d)
        cov = a @ a.T * 0.6 + 0.2 * np.eye(d)
        idx = labels == c
        x[idx] = rng.multivariate_normal(centres[c], cov, size=idx.sum())
    header = ",".join(f"x{j + 1}" for j in range(d))
    np.savetxt(f"{directory}/data.csv", x, delimiter=",", header=header, comments="", fmt="%.6f")


def load(directory):
    return np.loadtxt(f"{directory}/data.csv", delimiter=",", skiprows=1)


def main():
    mode, directory = sys.argv[1], sys.argv[2]
    if mode == "data":
        make_data(directory, int(sys.argv[3]))
        return
    import sklearn
    from sklearn.cluster import KMeans
    from sklearn.mixture import GaussianMixture

    x = load(directory)
    if mode == "kmeans":
        t = time.perf_counter()
        fit = KMeans(n_clusters=5, n_init=10, random_state=0).fit(x)
        t = time.perf_counter() - t
        print(f"sklearn {sklearn.__version__} KMeans k=5 n_init=10: {t:.3f} s; inertia {fit.inertia_:.10g}")
    elif mode == "gmm":
        total = 0.0
        for k in range(3, 7):
            t = time.perf_counter()
            gm = GaussianMixture(k, covariance_type="full", random_state=0).fit(x)
            t = time.perf_counter() - t
            total += t
            print(f"sklearn GaussianMixture full k={k}: {t:.3f} s; loglik {gm.score(x) * len(x):.10g}")
        print(f"sklearn GaussianMixture full k=3..6 total: {total:.3f} s")


if __name__ == "__main__":
    main()
