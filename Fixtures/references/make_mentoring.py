#!/usr/bin/env python3
"""Reference optima for Mentoring's OptimalAssignment, from scipy.optimize.linear_sum_assignment.
Run from the repository root:  python3 Fixtures/references/make_mentoring.py
Writes Fixtures/references/mentoring/assignments.csv: case,rows,columns,costs (row-major,
';'-separated, %.17g),optimum (%.17g). Seeded (numpy default_rng(20261130))."""
import numpy as np
import scipy
from scipy.optimize import linear_sum_assignment

rng = np.random.default_rng(20261130)
lines = ["case,rows,columns,costs,optimum"]
shapes = [(1, 1), (2, 3), (5, 5), (8, 12), (20, 20), (30, 45), (60, 80)]
for case, (n, m) in enumerate(shapes):
    cost = rng.uniform(-5, 5, size=(n, m)).round(3)
    if case % 2 == 1:
        cost[rng.random((n, m)) < 0.2] = 50.0  # "infeasible" entries, as the matching uses
    r, c = linear_sum_assignment(cost)
    total = cost[r, c].sum()
    lines.append(f"{case},{n},{m},{';'.join('%.17g' % v for v in cost.ravel())},{total:.17g}")
open("Fixtures/references/mentoring/assignments.csv", "w").write("\n".join(lines) + "\n")
print("scipy", scipy.__version__)
