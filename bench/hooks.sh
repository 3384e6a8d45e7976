#!/usr/bin/env bash
# Hook and history benchmarks on the standard workloads (../shared/peers/workloads.sh builds them
# under $VB). Prints ratios against physical floors from the same run; absolute times on shared
# machines are noisy.
#   bench/hooks.sh [BUILD_DIR]      (default: build)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
VB="${VB:-${XDG_CACHE_HOME:-$HOME/.cache}/vigil-bench}"
[ -d "$VB/staged" ] && [ -d "$VB/history" ] || { echo "vigil: error: no workloads in $VB — run ../shared/peers/workloads.sh" >&2; exit 2; }
export GIT_CONFIG_GLOBAL="$VB/gitconfig" GIT_CONFIG_NOSYSTEM=1
# Both commands read the repository's own index. (An empty GIT_INDEX_FILE is not "unset" to git:
# it reads an empty index, sees every file deleted and stops at the first, in half the time.)
unset GIT_INDEX_FILE
RUNS=${RUNS:-40}

# p50 and p95 wall time in ms of two commands over RUNS runs each, alternating A, B, A, B, ...
# so that a drift in the shared machine's speed affects both alike.
pct2() { # pct2 DIR "CMD A" "CMD B" -> "a50 a95 b50 b95"
  python3 - "$1" "$RUNS" "$2" "$3" <<'PY'
import shlex, subprocess, sys, time
d, n, a, b = sys.argv[1], int(sys.argv[2]), shlex.split(sys.argv[3]), shlex.split(sys.argv[4])
ts = {0: [], 1: []}
for i in range(n + 3):
    for k, cmd in ((0, a), (1, b)):
        t0 = time.perf_counter(); subprocess.run(cmd, cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); t = (time.perf_counter() - t0) * 1000
        if i >= 3: ts[k].append(t)
out = []
for k in (0, 1):
    v = sorted(ts[k]); out += [v[len(v)//2], v[min(len(v)-1, int(len(v)*0.95))]]
print(" ".join(f"{x:.2f}" for x in out))
PY
}

echo "== pre-commit: 5 staged files in a $(git -C "$VB/staged" ls-files | wc -l)-file repo, $RUNS runs each, alternating"
read -r v50 v95 g50 g95 < <(pct2 "$VB/staged" "$BUILD/vigil-pre-commit" "git diff --cached --quiet")
python3 -c "print(f'vigil-pre-commit p50 {$v50:.1f} ms  p95 {$v95:.1f} ms | git diff --cached --quiet p50 {$g50:.1f} ms  p95 {$g95:.1f} ms | ratio p50 {$v50/$g50:.2f}x')"

# Instruction counts do not depend on the machine's load: a steadier ratio than wall time.
# Children are counted too (vigil-pre-commit starts git diff-index only when its own index reader declines).
if command -v valgrind >/dev/null; then
  irefs() { # irefs DIR CMD... -> total instructions of CMD and every process it starts
    local d; d=$(mktemp -d)
    (cd "$1" && shift && valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$d/cg.%p" "$@" >/dev/null 2>&1) || true
    cat "$d"/cg.* | awk '/^summary:/{s+=$2} END{print s}'
    rm -rf "$d"
  }
  # valgrind reports a different CPU, so its first run compiles a database of its own: warm it.
  vc=$(mktemp -d)
  VIGIL_CACHE_DIR=$vc irefs "$VB/staged" "$BUILD/vigil-pre-commit" >/dev/null
  vi=$(VIGIL_CACHE_DIR=$vc irefs "$VB/staged" "$BUILD/vigil-pre-commit")
  gi=$(irefs "$VB/staged" git diff --cached --quiet)
  rm -rf "$vc"
  python3 -c "print(f'instructions: vigil-pre-commit {$vi/1e6:.1f}M (and any child process) | git diff --cached --quiet {$gi/1e6:.1f}M | ratio {$vi/$gi:.2f}x')"
fi

echo "== rules database: compile vs cached load"
"$BUILD/vigil" rules check | tail -1

# History: -j1/-j2 against the cat-file floor and peak RSS at two sizes (bench/history.sh).
RUNS=1 "$SRC/bench/history.sh" "$BUILD"
