#!/usr/bin/env python3
"""Writes a panel with AR(1) residuals (phi 0.4) and per-wave residual SDs
(0.6, 0.5, 0.55, 0.7, 0.8): S schools x 5 waves, random intercept (sd 0.5) and slope (sd 0.15,
corr 0.3) per school; seeded (Python's random, seed 7).
Usage: ar1_varident_data.py OUT.csv S"""
import math
import random
import sys

out, S = sys.argv[1], int(sys.argv[2])
random.seed(7)
phi, sds = 0.4, [0.6, 0.5, 0.55, 0.7, 0.8]
with open(out, "w") as f:
    f.write("school,wave,score\n")
    for s in range(S):
        z0, z1 = random.gauss(0, 1), random.gauss(0, 1)
        u0, u1 = 0.5 * z0, 0.15 * (0.3 * z0 + math.sqrt(1 - 0.09) * z1)
        e = 0.0
        for w in range(5):
            z = random.gauss(0, 1)
            e = z if w == 0 else phi * e + math.sqrt(1 - phi * phi) * z
            f.write("s%05d,%d,%.6f\n" % (s, w, 3 + 0.2 * w + u0 + u1 * w + sds[w] * e))
