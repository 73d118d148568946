#!/usr/bin/env python3
"""Interleaved timing of whole processes: runs each command N times in turn (A, B, A, B, ...)
so that both see the same machine load, and prints the minimum and median wall time and the
median user and system CPU time (ms) of each. OPENBLAS_NUM_THREADS=1 unless AB_KEEP_ENV is set.

  Benchmarks/peers/ab-timing.py 40 old/lae growth --data p.csv --formula "y ~ t + (t | g)" \\
      ';;' new/lae growth --data p.csv --formula "y ~ t + (t | g)"
"""
import os
import statistics
import sys
import time

n = int(sys.argv[1])
commands, current = [], []
for a in sys.argv[2:]:
    if a == ";;":
        commands.append(current)
        current = []
    else:
        current.append(a)
commands.append(current)
env = dict(os.environ) if os.environ.get("AB_KEEP_ENV") else dict(os.environ, OPENBLAS_NUM_THREADS="1")
devnull = os.open(os.devnull, os.O_WRONLY)
results = [[] for _ in commands]
for _ in range(n):
    for k, c in enumerate(commands):
        t = time.perf_counter()
        pid = os.posix_spawn(c[0], c, env, file_actions=[
            (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - t
        if status != 0:
            sys.exit(f"{' '.join(c)}: exit status {status}")
        results[k].append((wall * 1000, usage.ru_utime * 1000, usage.ru_stime * 1000))
for k, c in enumerate(commands):
    wall = [r[0] for r in results[k]]
    print("%-48s wall min %7.2f median %7.2f | user median %7.2f sys median %7.2f" % (
        " ".join(c)[:48], min(wall), statistics.median(wall),
        statistics.median(r[1] for r in results[k]), statistics.median(r[2] for r in results[k])))
