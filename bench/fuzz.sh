#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan+UBSan) if needed and runs each one for a fixed
# time, starting from its committed seeds (fuzz/corpus/<target>/). Prints, per target, the
# executions, executions per second, coverage (libFuzzer's cov: edges and ft: features at the end)
# and the crashes found; exits 1 when any target crashed, leaked, timed out or ran out of memory.
#   bench/fuzz.sh [SECONDS_PER_TARGET]        (default 60)
# Environment: BUILD (default build-fuzz next to the sources), TARGETS (space-separated subset),
# JOBS (ninja -j, default 2). Inputs a run discovers go to $BUILD/fuzz-corpus/<target>/ and are
# reused by the next run; crash inputs go to $BUILD/fuzz-artifacts/<target>/, and each one can be
# replayed with: $BUILD/<target>_fuzz <file>
set -euo pipefail
SECS=${1:-60}
case $SECS in '' | *[!0-9]*) echo "vigil: error: SECONDS_PER_TARGET must be a number — bench/fuzz.sh [SECONDS]" >&2; exit 2 ;; esac
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build-fuzz}
JOBS=${JOBS:-2}

if [ ! -f "$BUILD/build.ninja" ] || ! grep -q '^VIGIL_FUZZ:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
  CC=clang CXX=clang++ cmake -S "$SRC" -B "$BUILD" -G Ninja -DVIGIL_FUZZ=ON -DVIGIL_BUILD_BENCH=OFF \
    -DVIGIL_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
t0=$(date +%s)
if ! ninja -C "$BUILD" -j"$JOBS" fuzz_targets >"$BUILD/fuzz-build.log" 2>&1; then
  grep -v '^\[' "$BUILD/fuzz-build.log" | tail -40 >&2
  echo "vigil: error: building the fuzz targets failed — see $BUILD/fuzz-build.log" >&2
  exit 2
fi
echo "build: $(( $(date +%s) - t0 )) s"

# Longest input per target: enough for a realistic file of that kind, small enough to stay fast.
max_len() {
  case $1 in
    scan) echo 16384 ;;
    hook_input) echo 4096 ;;
    *) echo 8192 ;;
  esac
}

if [ -z "${TARGETS:-}" ]; then
  TARGETS=""
  for f in "$SRC"/fuzz/*_fuzz.cc; do
    t=$(basename "$f" _fuzz.cc)
    [ -x "$BUILD/${t}_fuzz" ] && TARGETS="$TARGETS $t"
  done
fi

# Compiled rule databases persist between runs (the scan target loads instead of compiling).
export VIGIL_CACHE_DIR="$BUILD/fuzz-cache"
mkdir -p "$VIGIL_CACHE_DIR"
# Leaks inside uninstrumented system libraries (same list as the sanitizer test run).
export LSAN_OPTIONS="suppressions=$SRC/.ci/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

failed=0
rows=()
for t in $TARGETS; do
  corpus="$BUILD/fuzz-corpus/$t" artifacts="$BUILD/fuzz-artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  log="$BUILD/fuzz-$t.log"
  before=$(find "$artifacts" -type f | wc -l)
  rc=0
  "$BUILD/${t}_fuzz" -max_total_time="$SECS" -max_len="$(max_len "$t")" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$SRC/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  after=$(find "$artifacts" -type f | wc -l)
  crashes=$((after - before))
  [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1  # died without writing an input (e.g. in init)
  # (A target that dies while loading its seeds prints no stats: the fields stay "?".)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$({ grep -o 'cov: [0-9]*' "$log" || true; } | tail -1 | cut -d' ' -f2)
  ft=$({ grep -o 'ft: [0-9]*' "$log" || true; } | tail -1 | cut -d' ' -f2)
  rows+=("$(printf '%-16s %10s %8s %7s %7s %8s %7s' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" \
    "$(find "$corpus" -type f | wc -l)" "$crashes")")
  if [ "$crashes" -ne 0 ]; then
    failed=1
    echo "== $t: crashed (exit $rc); log $log; inputs:" >&2
    ls -t "$artifacts" | head -n "$crashes" | sed "s|^|  $artifacts/|" >&2
    grep -m1 -A25 -E '^==[0-9]+==ERROR|runtime error|^SUMMARY|deadly signal|Timeout|out-of-memory' "$log" >&2 || tail -30 "$log" >&2
  fi
done

echo
printf '%-16s %10s %8s %7s %7s %8s %7s\n' target execs exec/s cov ft corpus crashes
printf '%s\n' "${rows[@]}"
echo "(${SECS} s per target; cov = edges covered, ft = features, corpus = inputs kept in $BUILD/fuzz-corpus)"
exit "$failed"
