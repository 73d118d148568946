#!/usr/bin/env python3
"""pandas: the same aggregation as lae score, timed after loading the wide responses:
respondent area scores (mean of valid items after reverse keying, at least half of the area's
items for the group), then per school x group x wave x area: n, mean, SD, SE and the mean of
all answers. Usage: scoring_pandas.py DIR [REPEATS]"""
import json
import os
import statistics
import sys
import time

import numpy as np
import pandas as pd

d = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
here = os.path.dirname(os.path.abspath(__file__))
inst = json.load(open(os.path.join(here, "../../Fixtures/instruments/school-self-reflection.json")))
t0 = time.perf_counter()
df = pd.read_csv(f"{d}/responses.csv", dtype={"school": str, "respondent": str, "group": str, "wave": int},
                 na_values=["NA", "PNS", ""], keep_default_na=False)
load = time.perf_counter() - t0
areas = sorted(inst["areas"], key=lambda a: a["order"])
groups = ["leader", "teacher", "student"]


def aggregate():
    scores = {}
    answers = {}
    sums = {}
    for area in areas:
        its = [i for i in inst["items"] if i["area"] == area["id"]]
        x = df[[i["code"] for i in its]].to_numpy(float)  # a copy: columns are float
        for j, i in enumerate(its):
            if i.get("reverse", False):
                x[:, j] = 6 - x[:, j]
        valid = ~np.isnan(x)
        count = valid.sum(axis=1)
        total = np.nansum(x, axis=1)
        asked = np.zeros(len(df))
        for g in groups:
            k = sum(1 for i in its if g in i["groups"])
            asked[(df["group"] == g).to_numpy()] = k
        need = np.maximum(1, np.ceil(asked / 2))
        scores[area["id"]] = np.where((asked > 0) & (count >= need), total / np.maximum(count, 1), np.nan)
        answers[area["id"]] = count
        sums[area["id"]] = total
    frame = pd.DataFrame({"school": df["school"], "group": df["group"], "wave": df["wave"]})
    for a in scores:
        frame[a] = scores[a]
        frame["n_" + a] = answers[a]
        frame["s_" + a] = sums[a]
    g = frame.groupby(["school", "group", "wave"], sort=True)
    stats = g[list(scores)].agg(["count", "mean", "std"])
    totals = g[[c for c in frame.columns if c.startswith(("n_", "s_"))]].sum()
    for a in scores:
        stats[(a, "se")] = stats[(a, "std")] / np.sqrt(stats[(a, "count")])
        stats[(a, "meanOfAllAnswers")] = totals["s_" + a] / totals["n_" + a]
    return stats


times = []
for _ in range(repeats):
    t = time.perf_counter()
    result = aggregate()
    times.append(time.perf_counter() - t)
print(f"pandas aggregation (areas + groupby school x group x wave): {statistics.median(times):.3f} s; "
      f"cells {len(result)}; first mean {result.iloc[0, 1]:.6f}; load {load:.2f} s")
