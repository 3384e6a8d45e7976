#!/usr/bin/env bash
# History-scan benchmark (issue 5): `vigil scan --history` at -j1 and -j2 against the read floor
# `git cat-file --batch-all-objects --batch >/dev/null` on the same repository, and peak RSS at two
# history sizes. Ratios come from one run of this script; absolute times on a shared machine are
# noisy (check `uptime`).
#   bench/history.sh [BUILD_DIR] [REPO...]
# Default repositories: $VB/history1250, $VB/history5k and $VB/history20000 (bench/history_workload.sh
# builds them),
# else $VB/history (../shared/peers/workloads.sh). RUNS (default 3): the best of RUNS per number.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
shift || true
VB="${VB:-${XDG_CACHE_HOME:-$HOME/.cache}/vigil-bench}"
RUNS=${RUNS:-3}
repos=("$@")
if [ ${#repos[@]} -eq 0 ]; then
  for r in history1250 history5k history20000; do [ -d "$VB/$r/.git" ] && repos+=("$VB/$r"); done
  [ ${#repos[@]} -gt 0 ] || { [ -d "$VB/history/.git" ] && repos+=("$VB/history"); }
fi
[ ${#repos[@]} -gt 0 ] || { echo "vigil: error: no history workload in $VB — run bench/history_workload.sh" >&2; exit 2; }
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "vigil: error: $TIME not found — install GNU time (apt-get install time)" >&2; exit 2; }
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
"$BUILD/vigil" scan -q - </dev/null >/dev/null 2>&1 || true  # the rules database, compiled outside any measurement

# best "<seconds> <peak KiB>" of RUNS runs of a command (stdout discarded)
best() {
  local b="" i tf
  tf=$(mktemp)
  for i in $(seq "$RUNS"); do
    "$TIME" -o "$tf" -f "%e %M" "$@" >/dev/null 2>&1 || true
    b=$(printf '%s\n%s\n' "$b" "$(tail -1 "$tf")" | awk 'NF==2' | sort -n | head -1)
  done
  rm -f "$tf"
  echo "$b"
}

# peak RssAnon and RssFile (MB) of one run, sampled every 5 ms: the heap apart from file-backed
# pages (the pack and its index, mapped by libgit2, and the libraries), which GNU time adds up
rss_split() {
  "$@" >/dev/null 2>&1 &
  local pid=$! a f ma=0 mf=0
  while kill -0 "$pid" 2>/dev/null; do
    read -r a f < <(awk '/^RssAnon/{a=$2} /^RssFile/{f=$2} END{print a+0, f+0}' "/proc/$pid/status" 2>/dev/null || echo "0 0")
    [ "${a:-0}" -gt "$ma" ] && ma=$a
    [ "${f:-0}" -gt "$mf" ] && mf=$f
    sleep 0.005
  done
  wait "$pid" || true
  echo "$((ma / 1024)) $((mf / 1024))"
}

echo "== history scan (load average $(cut -d' ' -f1-3 /proc/loadavg), best of $RUNS)"
rss_line=""
for R in "${repos[@]}"; do
  commits=$(git -C "$R" rev-list --count --all)
  read -r nblobs bytes < <(git -C "$R" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
                           awk '$1=="blob"{n++; s+=$2} END{print n, s}')
  read -r fs fk < <(best git -C "$R" cat-file --batch-all-objects --batch)
  read -r fu fuk < <(best git -C "$R" cat-file --batch-all-objects --unordered --batch)
  read -r s1 k1 < <(best "$BUILD/vigil" scan --history -q -j1 --format json "$R")
  read -r s2 k2 < <(best "$BUILD/vigil" scan --history -q -j2 --format json "$R")
  python3 - "$(basename "$R")" "$commits" "$nblobs" "$bytes" "$fs" "$s1" "$k1" "$s2" "$k2" "$fk" "$fu" "$fuk" <<'PY'
import sys
name, commits, nblobs, b, fs, s1, k1, s2, k2, fk, fu, fuk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), *map(float, sys.argv[5:])
mb = b / 1e6
print(f"{name}: {commits} commits, {nblobs} unique blobs, {mb:.0f} MB")
print(f"  cat-file floor {fs:.2f} s ({mb/fs:.0f} MB/s), peak RSS {fk/1024:.0f} MB; in pack order (--unordered) {fu:.2f} s, "
      f"peak RSS {fuk/1024:.0f} MB: vigil -j1 at {100*fu/s1:.0f}% of that")
print(f"  vigil -j1 {s1:.2f} s ({mb/s1:.0f} MB/s of unique blob bytes) = {100*fs/s1:.0f}% of the floor (target >= 60%), peak RSS {k1/1024:.0f} MB")
print(f"  vigil -j2 {s2:.2f} s ({mb/s2:.0f} MB/s) = {s1/s2:.2f}x speed-up over -j1 (target >= 1.8x), peak RSS {k2/1024:.0f} MB")
PY
  read -r anon file < <(rss_split "$BUILD/vigil" scan --history -q -j1 --format json "$R")
  echo "  -j1 peak RSS split: heap and other anonymous memory ${anon} MB, file-backed ${file} MB (pack $(( $(du -k "$R"/.git/objects/pack/*.pack | awk '{s+=$1} END{print s}') / 1024 )) MB: at most 32 MB of it per thread through the pack reader, 16 MB through libgit2 for commits; the pack index, mapped by both; libraries)"
  rss_line+="$(basename "$R") ($commits commits) -j1 $((k1 / 1024)) MB (anon $anon) -j2 $((k2 / 1024)) MB | "
done
echo "peak RSS by history size: ${rss_line% | }"
