#!/usr/bin/env python3
"""Times pandas.read_csv on a long responses CSV: the peer for `lae validate`'s ingest.

Usage: ingest_pandas.py FILE [REPEATS]. Prints the median seconds and MB/s. The dtypes match
what the engine builds (categorical ids, codes as strings), so both parse every field.
"""
import os
import statistics
import sys
import time

import pandas as pd

path = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
size = os.path.getsize(path)
times = []
for _ in range(repeats):
    t = time.perf_counter()
    df = pd.read_csv(path, dtype={"school": "category", "respondent": "category", "group": "category",
                                  "wave": "category", "hub": "category", "teacher": "category",
                                  "item": "category", "value": "category"},
                     keep_default_na=False, engine="c")
    times.append(time.perf_counter() - t)
    assert len(df) > 0
median = statistics.median(times)
print(f"pandas {pd.__version__} read_csv: {median:.3f} s, {size / median / 1e6:.1f} MB/s, {len(df)} rows")
