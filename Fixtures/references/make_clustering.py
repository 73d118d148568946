"""Reference values for the Clustering module from scikit-learn.

Run from the repository root after make_clustering.R (it reads the data sets that script
writes):  python3 Fixtures/references/make_clustering.py
Writes Fixtures/references/clustering/sklearn.csv with columns
dataset,quantity,k,value (%.17g):
  kmeans_inertia     KMeans(n_clusters=k, n_init=50, random_state=0).inertia_
  gmm_full_loglik    GaussianMixture(k, covariance_type="full", reg_covar=0, n_init=10,
                     tol=1e-10, max_iter=10000, random_state=0): n * score(X), the total
                     log-likelihood at the best of 10 k-means-initialised starts
"""

import csv
import os

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

OUT = "Fixtures/references/clustering"
rows = []
for name in ["blobs", "iris", "faithful"]:
    X = np.loadtxt(os.path.join(OUT, name + ".csv"), delimiter=",", skiprows=1)
    for k in range(2, 7):
        km = KMeans(n_clusters=k, n_init=50, random_state=0).fit(X)
        rows.append((name, "kmeans_inertia", k, km.inertia_))
    for k in range(2, 5):
        gm = GaussianMixture(k, covariance_type="full", reg_covar=0.0, n_init=10, tol=1e-10,
                             max_iter=10000, random_state=0).fit(X)
        rows.append((name, "gmm_full_loglik", k, gm.score(X) * X.shape[0]))
with open(os.path.join(OUT, "sklearn.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["dataset", "quantity", "k", "value"])
    for r in rows:
        w.writerow([r[0], r[1], r[2], "%.17g" % r[3]])
print("scikit-learn", sklearn.__version__, "numpy", np.__version__)
