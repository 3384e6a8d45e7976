#!/usr/bin/env bash
# Peak RSS of vigil on pathological input (the cases of tests/e2e/pathological_test.cc) and on
# history scans of two sizes, to show memory does not grow with the number of commits. Every hook
# runs through real git, wrapped in GNU time ("Maximum resident set size"); the budget is in
# docs/limits.md.
#   bench/rss.sh [BUILD_DIR]
#   BIG_MB=1024 STAGED_MB=256 FILES=100000 REFS=10000 DEPTH=2000 MSG_MB=50 bench/rss.sh build
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "vigil: error: $TIME not found — install GNU time (apt-get install time)" >&2; exit 2; }
BIG_MB=${BIG_MB:-1024} STAGED_MB=${STAGED_MB:-256} FILES=${FILES:-100000} REFS=${REFS:-10000}
DEPTH=${DEPTH:-2000} MSG_MB=${MSG_MB:-50} BUDGET_MB=${BUDGET_MB:-256}
VB="${VB:-${XDG_CACHE_HOME:-$HOME/.cache}/vigil-bench}"

# Big files in RAM when there is room (tmpfs): the disk is not what we measure.
base=${TMPDIR:-/tmp}
if [ -d /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR==2{print $4}')" -gt $(( (BIG_MB + 2048) * 1024 )) ]; then base=/dev/shm; fi
W=$(mktemp -d "$base/vigil-rss.XXXXXX")
trap 'rm -rf "$W"' EXIT
export HOME="$W/home" GIT_CONFIG_NOSYSTEM=1 XDG_CACHE_HOME="$W/cache"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
mkdir -p "$HOME"
printf '[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n[protocol "file"]\n\tallow = always\n' >"$HOME/.gitconfig"
RSS="$W/rss.log"   # one "<case>\t<exit>\t<KiB>\t<seconds>" line per measured process
V="$BUILD/vigil"
"$V" scan -q - </dev/null >/dev/null 2>&1 || true  # compile the rules database once, outside any measurement

# Hooks that run vigil under GNU time, appending "<label> <exit> <KiB> <s>" to $RSS.
install_hooks() { # install_hooks HOOKS_DIR LABEL_PREFIX
  local dir=$1 label=$2 h
  mkdir -p "$dir"
  for h in pre-commit commit-msg pre-push pre-receive; do
    cat >"$dir/$h" <<EOF
#!/bin/sh
$TIME -f "$label $h\t%x\t%M\t%e" -a -o "$RSS" "$BUILD/vigil-$h" "\$@"
EOF
    chmod +x "$dir/$h"
  done
}
measure() { # measure LABEL CMD... — vigil itself under GNU time
  local label=$1; shift
  "$TIME" -f "$label\t%x\t%M\t%e" -a -o "$RSS" "$@" >/dev/null 2>&1 || true
}
newrepo() { git init -q "$1" && install_hooks "$1/.git/hooks" "$2" && echo hello >"$1/README.md" &&
            git -C "$1" add README.md && git -C "$1" commit -q --no-verify -m initial; }
newserver() { git init -q --bare "$1" && install_hooks "$1/hooks" "$2" &&
              printf '[server]\ndeadline_ms = 600000\n' >"$1.policy.toml" && git -C "$1" config vigil.policy "$1.policy.toml"; }
oneline() { python3 -c "
import sys
b = (b'the quick brown fox jumps over the lazy dog ' * 30000)[:1 << 20]
with open(sys.argv[1], 'wb') as f:
    for _ in range(int(sys.argv[2])): f.write(b)" "$1" "$2"; }
token() { python3 -c "
import random, zlib, sys
a = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'; r = random.Random(int(sys.argv[1]))
body = ''.join(r.choice(a) for _ in range(30)); c = zlib.crc32(body.encode()); s = ''
for _ in range(6): s = a[c % 62] + s; c //= 62
print('GITHUB_TOKEN=ghp_' + body + s)" "$1"; }

echo "== building the cases under $W" >&2
# 1 GB single-line file: vigil scan.
oneline "$W/huge.txt" "$BIG_MB"
(cd "$W" && measure "scan ${BIG_MB} MB one-line file" "$V" scan huge.txt)
rm -f "$W/huge.txt"
# A staged one-line file: pre-commit.
newrepo "$W/staged" "staged ${STAGED_MB} MB file:"
oneline "$W/staged/huge.txt" "$STAGED_MB"
git -C "$W/staged" -c core.bigFileThreshold=1m add huge.txt
git -C "$W/staged" commit -q -m huge >/dev/null 2>&1 || true
rm -rf "$W/staged"
# 100,000 files in one commit: pre-commit, then pre-receive on a push of that commit.
newrepo "$W/many" "${FILES} files:"
python3 - "$FILES" >"$W/many.fi" <<'PY'
import sys
n = int(sys.argv[1]); out = sys.stdout
out.write("commit refs/heads/many\ncommitter T <t@example.com> 1700000000 +0000\ndata 4\nmany\nfrom refs/heads/main\n")
for i in range(n):
    c = "value %d\n" % i
    out.write("M 100644 inline d%d/f%d.txt\ndata %d\n%s\n" % (i % 100, i, len(c), c))
PY
git -C "$W/many" fast-import --quiet <"$W/many.fi"
git -C "$W/many" read-tree many
git -C "$W/many" commit -q -m many >/dev/null 2>&1 || true
newserver "$W/many-srv.git" "${FILES} files:"
git -C "$W/many" push -q --no-verify "$W/many-srv.git" many:refs/heads/many >/dev/null 2>&1 || true
rm -rf "$W/many" "$W/many-srv.git" "$W/many.fi"
# 10,000 refs in one push: pre-push and pre-receive.
newrepo "$W/refs" "${REFS} refs:"
head=$(git -C "$W/refs" rev-parse HEAD)
seq 10000 $((10000 + REFS - 1)) | sed "s|^|create refs/heads/r/|; s|\$| $head|" | git -C "$W/refs" update-ref --stdin
newserver "$W/refs-srv.git" "${REFS} refs:"
git -C "$W/refs" push -q "$W/refs-srv.git" 'refs/heads/*:refs/heads/*' >/dev/null 2>&1 || true
rm -rf "$W/refs" "$W/refs-srv.git"
# A tree nested DEPTH levels: pre-commit and history.
newrepo "$W/deep" "depth ${DEPTH}:"
p=$(printf 'd/%.0s' $(seq "$DEPTH"))
{ printf 'commit refs/heads/deep\ncommitter T <t@example.com> 1700000000 +0000\ndata 4\ndeep\nfrom refs/heads/main\n'
  printf 'M 100644 inline %sdeep.txt\ndata 6\nhello\n\n' "$p"; } | git -C "$W/deep" fast-import --quiet
git -C "$W/deep" read-tree deep
git -C "$W/deep" commit -q -m deep >/dev/null 2>&1 || true
(cd "$W/deep" && measure "depth ${DEPTH}: scan --history" "$V" scan --history)
rm -rf "$W/deep"
# A 50 MB commit message: commit-msg, then history.
newrepo "$W/msg" "${MSG_MB} MB message:"
oneline "$W/msg.txt" "$MSG_MB"
echo x >"$W/msg/x.txt" && git -C "$W/msg" add x.txt
git -C "$W/msg" commit -q -F "$W/msg.txt" >/dev/null 2>&1 || true
(cd "$W/msg" && measure "${MSG_MB} MB message: scan --history" "$V" scan --history)
rm -rf "$W/msg" "$W/msg.txt"
# Shallow, partial (blobless), corrupt, detached.
newrepo "$W/src" "src:"
for i in 1 2 3 4 5; do echo "version $i" >"$W/src/app.txt"; git -C "$W/src" add app.txt; git -C "$W/src" commit -q --no-verify -m "v$i"; done
git -C "$W/src" config uploadpack.allowFilter true
git clone -q --depth 1 "file://$W/src" "$W/shallow"
install_hooks "$W/shallow/.git/hooks" "shallow clone:"
(cd "$W/shallow" && measure "shallow clone: scan --history" "$V" scan --history)
echo v6 >"$W/shallow/app.txt" && git -C "$W/shallow" commit -q --no-verify -am v6
git -C "$W/shallow" push -q origin HEAD:refs/heads/topic >/dev/null 2>&1 || true
git clone -q --filter=blob:none "file://$W/src" "$W/partial"
(cd "$W/partial" && measure "partial clone: scan --history (missing blobs)" "$V" scan --history)
git clone -q "file://$W/src" "$W/corrupt"
mv "$(ls "$W"/corrupt/.git/objects/pack/*.pack | head -1)" "$W/corrupt.pack" && rm -f "$W"/corrupt/.git/objects/pack/*
git -C "$W/corrupt" unpack-objects -q <"$W/corrupt.pack"  # loose objects, so one can be overwritten
b=$(git -C "$W/corrupt" rev-parse HEAD~2:app.txt)
chmod u+w "$W/corrupt/.git/objects/${b:0:2}/${b:2}" && printf 'garbage' >"$W/corrupt/.git/objects/${b:0:2}/${b:2}"
(cd "$W/corrupt" && measure "corrupt object: scan --history" "$V" scan --history)
git -C "$W/src" checkout -q --detach && echo detached >"$W/src/d.txt" && git -C "$W/src" add d.txt && git -C "$W/src" commit -q -m detached >/dev/null 2>&1
(cd "$W/src" && measure "detached HEAD: scan --history" "$V" scan --history)
rm -rf "$W/src" "$W/shallow" "$W/partial" "$W/corrupt"
# History scans of two sizes: RSS must not follow the number of commits.
if [ -d "$VB/history5k/.git" ] && [ -d "$VB/history1250/.git" ]; then  # bench/history_workload.sh
  for H in "$VB/history1250" "$VB/history5k"; do
    n=$(git -C "$H" rev-list --count HEAD)
    measure "history: $n commits, $(basename "$H") (scan --history -j2)" "$V" scan --history -j2 "$H"
  done
elif [ -d "$VB/history/.git" ]; then
  H="$VB/history"
  n=$(git -C "$H" rev-list --count HEAD)
  for k in 500 $n; do
    (cd "$H" && measure "history: $k of $n commits (scan --history -j2)" "$V" scan --history -j2 --branch "HEAD~$((n - k))")
  done
else
  git init -q "$W/hist"
  for i in $(seq 2000); do printf 'line %d of file %d\n' "$i" "$((i % 50))" >>"$W/hist/f$((i % 50)).txt"; git -C "$W/hist" add -A; git -C "$W/hist" commit -q -m "c$i"; done
  for k in 500 2000; do (cd "$W/hist" && measure "history: $k commits (scan --history -j2)" "$V" scan --history -j2 --branch "HEAD~$((2000 - k))"); done
fi

echo
printf '%-60s %5s %10s %8s\n' "case (process)" "exit" "peak RSS" "wall"
over=0
while IFS=$'\t' read -r label code kib secs; do
  [ -n "$kib" ] || continue
  mb=$((kib / 1024))
  flag=""; [ "$mb" -le "$BUDGET_MB" ] || { flag="  OVER BUDGET"; over=1; }
  printf '%-60s %5s %7s MB %7ss%s\n' "$label" "$code" "$mb" "$secs" "$flag"
done <"$RSS"
echo "budget: ${BUDGET_MB} MB per process"
exit "$over"
