#!/usr/bin/env python3
"""Writes a growth-model benchmark panel: S schools x T teachers x W waves, seeded.
score = 3 + 0.2 wave + school intercept (sd 0.5) + school slope (sd 0.15, corr 0.3)
        + teacher intercept (sd 0.4) + noise (sd 0.6).
Usage: growth_data.py OUT.csv S [T] [W]"""
import sys

import numpy as np

out = sys.argv[1]
S = int(sys.argv[2])
T = int(sys.argv[3]) if len(sys.argv) > 3 else 1
W = int(sys.argv[4]) if len(sys.argv) > 4 else 5
rng = np.random.default_rng(20261130 + S * 10 + T)
cov = np.array([[0.25, 0.3 * 0.5 * 0.15], [0.3 * 0.5 * 0.15, 0.0225]])
u = rng.multivariate_normal([0, 0], cov, size=S)
v = rng.normal(0, 0.4, size=S * T)
school = np.repeat(np.arange(S), T * W)
teacher = np.tile(np.repeat(np.arange(T), W), S)
wave = np.tile(np.arange(W), S * T)
score = (3 + 0.2 * wave + u[school, 0] + u[school, 1] * wave + v[school * T + teacher]
         + rng.normal(0, 0.6, size=S * T * W))
with open(out, "w") as f:
    f.write("school,teacher,wave,score\n")
    lines = [f"s{s},t{t},{w},{y:.4f}" for s, t, w, y in zip(school, teacher, wave, score)]
    f.write("\n".join(lines))
    f.write("\n")
