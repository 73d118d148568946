#!/usr/bin/env python3
"""Bare numpy coefficient alpha per area (covariance-only, pairwise-complete via masked
products), timed after loading. Usage: reliability_numpy.py DIR [REPEATS]"""
import statistics
import sys
import time

import numpy as np

d = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
keys = [line.strip().split(",") for line in open(f"{d}/keys.csv").readlines()[1:]]
x = np.genfromtxt(f"{d}/items.csv", delimiter=",", skip_header=1) if False else None
import pandas as pd
x = pd.read_csv(f"{d}/items.csv").to_numpy(dtype=float)
names = list(pd.read_csv(f"{d}/items.csv", nrows=0).columns)
scales = {}
for item, scale, key in keys:
    scales.setdefault(scale, []).append((names.index(item), int(key)))
lo, hi = np.nanmin(x), np.nanmax(x)


def alphas():
    out = []
    for scale, members in scales.items():
        cols = [c for c, _ in members]
        v = x[:, cols].copy()
        for j, (_, key) in enumerate(members):
            if key < 0:
                v[:, j] = lo + hi - v[:, j]
        m = ~np.isnan(v)
        z = np.where(m, v, 0.0)
        mf = m.astype(float)
        n = mf.T @ mf
        s = z.T @ mf
        p = z.T @ z
        c = (p - s * s.T / n) / (n - 1)
        k = len(cols)
        out.append(k / (k - 1) * (1 - np.trace(c) / c.sum()))
    return out


times = []
for _ in range(repeats):
    t = time.perf_counter()
    result = alphas()
    times.append(time.perf_counter() - t)
print(f"numpy {np.__version__} alpha (8 areas): {statistics.median(times):.3f} s; first alpha {result[0]:.6f}")
