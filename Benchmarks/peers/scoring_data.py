#!/usr/bin/env python3
"""Writes the scoring benchmark data: N responses to the bundled school-self-reflection
instrument in the wide layout (school, respondent, group, wave, one column per item), 5%
leaders, 45% teachers, 50% students (students answer only their items), 1,000 schools,
4 waves, about 2% of answers missing and 1% "NA"; seeded.
Usage: scoring_data.py OUT_DIR [N]"""
import json
import os
import sys

import numpy as np
import pandas as pd

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
here = os.path.dirname(os.path.abspath(__file__))
inst = json.load(open(os.path.join(here, "../../Fixtures/instruments/school-self-reflection.json")))
items = inst["items"]
rng = np.random.default_rng(20261130)
group = rng.choice(np.array(["leader", "teacher", "student"]), size=n, p=[0.05, 0.45, 0.5])
school = rng.integers(1, 1001, size=n)
wave = rng.integers(1, 5, size=n)
frame = {
    "school": pd.Series(school).map(lambda s: f"S{s:04d}"),
    "respondent": pd.Series(np.arange(n)).map(lambda r: f"r{r:07d}"),
    "group": group,
    "wave": wave,
}
level = rng.standard_normal(n) * 0.8 + 3 + 0.1 * wave
for it in items:
    x = np.clip(np.rint(level + rng.standard_normal(n) * 0.9), 1, 5).astype(int)
    if it.get("reverse", False):
        x = 6 - x
    col = x.astype(str).astype(object)
    u = rng.random(n)
    col[u < 0.02] = ""
    col[(u >= 0.02) & (u < 0.03)] = "NA"
    col[~np.isin(group, it["groups"])] = ""
    frame[it["code"]] = col
os.makedirs(out, exist_ok=True)
pd.DataFrame(frame).to_csv(os.path.join(out, "responses.csv"), index=False)
