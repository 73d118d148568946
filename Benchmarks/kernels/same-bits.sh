#!/usr/bin/env bash
# The clustering kernels give the same bits in every build: same_bits.c is compiled against
# Sources/_CKernels/kernels.c as the loader would pick it on this machine (the x86-64-v3 clone
# on a processor with AVX2 and FMA), as the portable SSE2 baseline alone (fused multiply-adds
# through the C library's fma), and unoptimised; the outputs must be identical byte for byte.
#   Benchmarks/kernels/same-bits.sh      (needs clang, as shipped with the Swift toolchain)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# The Swift toolchain's clang (the one that builds the package's C targets), else any clang.
clang=$(dirname "$(command -v swift 2>/dev/null || echo /nonexistent/swift)")/clang
[ -x "$clang" ] || clang=$(command -v clang || true)
if [ -z "$clang" ]; then
  echo "same-bits: no clang found; the check did not run" >&2
  exit 0
fi
src=(Benchmarks/kernels/same_bits.c Sources/_CKernels/kernels.c)
inc=-ISources/_CKernels/include
"$clang" -O3 -Wno-pass-failed "$inc" "${src[@]}" -lm -o "$dir/clones"
"$clang" -O3 -Wno-pass-failed -DLA_CLONES= "$inc" "${src[@]}" -lm -o "$dir/baseline"
"$clang" -O0 -DLA_CLONES= "$inc" "${src[@]}" -lm -o "$dir/unoptimised"
for b in clones baseline unoptimised; do "$dir/$b" "$dir/$b.bin"; done
cmp "$dir/clones.bin" "$dir/baseline.bin"
cmp "$dir/clones.bin" "$dir/unoptimised.bin"
echo "same bits: clones, SSE2 baseline and unoptimised builds agree on $(stat -c %s "$dir/clones.bin") bytes of kernel output"
