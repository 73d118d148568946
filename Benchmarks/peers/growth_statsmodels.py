#!/usr/bin/env python3
"""Times statsmodels MixedLM alone (data loaded before the clock) on a growth panel and prints
"statsmodels: <seconds> s; REML <criterion>" (the criterion as lme4 reports it, -2 llf).
Usage: growth_statsmodels.py FILE.csv   (model: score ~ wave + (wave | school))"""
import sys
import time
import warnings

import pandas as pd
import statsmodels.formula.api as smf

warnings.simplefilter("ignore")
d = pd.read_csv(sys.argv[1])
t0 = time.perf_counter()
fit = smf.mixedlm("score ~ wave", d, groups=d["school"], re_formula="~wave").fit(reml=True)
t = time.perf_counter() - t0
print(f"statsmodels: {t:.3f} s; REML {-2 * fit.llf:.10f}; converged {fit.converged}")
