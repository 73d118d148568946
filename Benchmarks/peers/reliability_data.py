#!/usr/bin/env python3
"""Writes the reliability benchmark data: N respondents x 40 Likert items (8 areas of 5, one
reverse-keyed item per area, 2% missing), from 8 correlated factors; seeded.
Usage: reliability_data.py OUT_DIR [N]"""
import os
import sys

import numpy as np

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
rng = np.random.default_rng(20261129)
areas, per = 8, 5
general = rng.standard_normal(n)
cols, names, keys = [], [], []
for a in range(areas):
    factor = 0.6 * general + 0.8 * rng.standard_normal(n)
    for j in range(per):
        load = 0.55 + 0.08 * j
        latent = load * factor + np.sqrt(1 - load**2) * rng.standard_normal(n)
        x = np.digitize(latent, [-1.2, -0.4, 0.4, 1.2]) + 1.0
        key = -1 if j == per - 1 else 1
        if key < 0:
            x = 6 - x
        x[rng.random(n) < 0.02] = np.nan
        cols.append(x)
        names.append(f"{'ABCDEFGH'[a]}{j + 1}")
        keys.append((names[-1], "ABCDEFGH"[a], key))
data = np.column_stack(cols)
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "keys.csv"), "w") as f:
    f.write("item,scale,key\n")
    for item, scale, key in keys:
        f.write(f"{item},{scale},{key}\n")
import pandas as pd

pd.DataFrame(data, columns=names).astype("Int64").to_csv(os.path.join(out, "items.csv"), index=False)
