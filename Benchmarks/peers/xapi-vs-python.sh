#!/usr/bin/env bash
# xAPI JSON Lines ingest, side by side on the same file: lae's reader (simdjson parse, every
# xAPI rule checked, pseudonymised into the columnar event table; release build, one core)
# against Python's json.loads per line. Then sessions and indicators for 10 million events
# (the file's table replicated with fresh actors; the events are sorted by time over 2 threads,
# --threads 2, which gives the same result as 1; reading is one core).
#   Benchmarks/peers/xapi-vs-python.sh [STATEMENTS] [REPEATS]
# 1,000,000 statements is about 380 MB.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000000}
repeats=${2:-3}
swift build -c release --product lae > /dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 Benchmarks/peers/xapi_data.py "$n" "$dir/statements.jsonl" 1
file="$dir/statements.jsonl"
bytes=$(stat -c %s "$file")
replicate=$(( (10000000 + n - 1) / n ))
echo "file: $bytes bytes, $n statements"
for _ in $(seq "$repeats"); do
  .build/release/lae activity --logs "$file" --unkeyed --period week --timing --threads 2 \
    --bench-replicate "$replicate" --format csv 2>&1 > /dev/null | grep '^timing'
done
python3 Benchmarks/peers/xapi_python.py "$file" "$repeats"
