#!/usr/bin/env bash
# Pathological-input cost curves (issue 19): the pipeline workloads of vigil-bench-pathological
# (many findings in one file, on one line, in added lines; long lines; decoys; many small files;
# deep and long encodings), then whole pushes through vigil-pre-receive at doubling sizes: many
# commits, many small files in one commit. Each size is printed with its ratio to the size before:
# 2.0 is linear, 4.0 quadratic. Nothing here asserts a time; the curve is the result.
#
#   bench/pathological.sh [BUILD_DIR] [STEPS]     (default: build, 5)
#   the build needs -DVIGIL_BUILD_BENCH=ON (vigil-bench-pathological)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
STEPS=${2:-5}
[ -x "$BUILD/vigil-bench-pathological" ] || { echo "vigil: error: no vigil-bench-pathological in $BUILD — configure with -DVIGIL_BUILD_BENCH=ON and build" >&2; exit 2; }
"$BUILD/vigil-bench-pathological" "$STEPS"

export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
printf '[server]\ndeadline_ms = 3600000\n' > "$T/policy.toml"

# A fast-import stream: $1 commits, each adding $2 small files (one line of ordinary text each).
stream() {
  python3 - "$1" "$2" <<'PY'
import sys
commits, files = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout
for c in range(commits):
    msg = f"commit {c}\n"
    out.write(f"commit refs/heads/main\ncommitter bench <b@example.invalid> {1700000000 + c} +0000\ndata {len(msg)}\n{msg}")
    for f in range(files):
        body = f"value {c} {f}: nothing secret here, just text\n"
        out.write(f"M 100644 inline d{c % 64}/c{c}_f{f}.txt\ndata {len(body)}\n{body}")
PY
}

# Times vigil-pre-receive judging a push of the whole history of a fresh repository (best of 3).
time_push() {
  rm -rf "$T/r.git"
  git init -q --bare "$T/r.git"
  stream "$1" "$2" | git -C "$T/r.git" fast-import --quiet
  git -C "$T/r.git" config vigil.policy "$T/policy.toml"
  local new best=999999 ms
  new=$(git -C "$T/r.git" rev-parse refs/heads/main)
  git -C "$T/r.git" update-ref -d refs/heads/main  # the server had nothing: every commit is new
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s%N)
    echo "0000000000000000000000000000000000000000 $new refs/heads/main" | (cd "$T/r.git" && GIT_DIR=. "$BUILD/vigil-pre-receive" >/dev/null 2>&1) || true
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    [ "$ms" -lt "$best" ] && best=$ms
  done
  echo "$best"
}

curve() {  # $1 label, $2 unit, $3 first, $4 "commits" or "files"
  echo "$1"
  printf '  %10s %10s %7s\n' "$2" "ms" "ratio"
  local n=$3 prev=0 ms
  for _ in $(seq 1 "$STEPS"); do
    if [ "$4" = commits ]; then ms=$(time_push "$n" 1); else ms=$(time_push 1 "$n"); fi
    if [ "$prev" -gt 0 ]; then
      printf '  %10s %10s %7s\n' "$n" "$ms" "$(python3 -c "print(f'{$ms/$prev:.2f}')")"
    else
      printf '  %10s %10s %7s\n' "$n" "$ms" "-"
    fi
    prev=$ms
    n=$((n * 2))
  done
  echo
}

echo "vigil-pre-receive, whole push judged (wall time, best of 3)"
curve "many commits, one small file each" commits 250 commits
curve "many small files in one commit" files 2500 files
