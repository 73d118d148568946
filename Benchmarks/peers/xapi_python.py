#!/usr/bin/env python3
"""Times Python's json.loads over an xAPI JSON Lines file: the peer for `lae`'s xAPI reader.

Usage: xapi_python.py FILE [REPEATS]. Each line is decoded with json.loads and its verb id and
timestamp are read (no validation). The file is read into memory first, not timed, as lae does.
Prints the median seconds and MB/s.
"""
import json
import os
import statistics
import sys
import time

path = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
size = os.path.getsize(path)
with open(path, "rb") as f:
    lines = f.read().split(b"\n")
times = []
for _ in range(repeats):
    t = time.perf_counter()
    n = 0
    for line in lines:
        if line:
            s = json.loads(line)
            n += len(s["verb"]["id"]) > 0 and len(s["timestamp"]) > 0
    times.append(time.perf_counter() - t)
median = statistics.median(times)
print(f"python {sys.version.split()[0]} json.loads: {median:.3f} s, {size / median / 1e6:.1f} MB/s, {n} statements")
