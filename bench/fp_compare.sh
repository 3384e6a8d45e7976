#!/usr/bin/env bash
# False alarms on real text that holds no secrets: vigil beside git-secrets and secretlint (when
# installed; ../shared/peers/setup.sh installs them) on the same corpus, by default the machine's
# /usr/include and /usr/share/doc. Prints one table (tool, findings, findings per 100 MiB, wall time),
# then vigil's remaining findings, redacted, so each can be explained.
#   bench/fp_compare.sh [BUILD_DIR]            (default: build)
#   CORPUS="/usr/include /usr/share/doc" JOBS=1 bench/fp_compare.sh ../build-x
# Every finding on this corpus is a false alarm: it is system headers and package documentation.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
CORPUS=${CORPUS:-"/usr/include /usr/share/doc"}
JOBS=${JOBS:-1}
PEERS_PREFIX="${PEERS_PREFIX:-$HOME/.local/share/vigil-peers}"
BIN="$PEERS_PREFIX/node_modules/.bin"
[ -x "$BUILD/vigil" ] || { echo "vigil: error: no $BUILD/vigil — build first (ninja -C $BUILD vigil)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
read -r -a DIRS <<<"$CORPUS"

bytes=$(du -sbc "${DIRS[@]}" | tail -1 | cut -f1)
files=$(find "${DIRS[@]}" -type f | wc -l)
echo "corpus: ${DIRS[*]}: $files files, $bytes bytes ($(( bytes / 1048576 )) MiB, du -sb)"

now() { date +%s.%N; }
rows=()
row() {  # row TOOL FINDINGS SECONDS NOTE
  rows+=("$(awk -v t="$1" -v f="$2" -v s="$3" -v b="$bytes" -v n="$4" \
    'BEGIN { printf "%-34s %9d %14.2f %9.2f  %s", t, f, f * 100 * 1048576 / b, s, n }')")
}

# vigil: every rule of the built-in pack, generic detectors and decoding on; a fresh cache dir so the
# database compile is part of the time, as on a first run.
export VIGIL_CACHE_DIR="$WORK/cache"
t0=$(now)
set +e
# From an empty directory: no repository's .vigil.toml (allows, disabled rules) applies.
(cd "$WORK" && "$BUILD/vigil" scan --format json -j "$JOBS" "${DIRS[@]}" >"$WORK/vigil.jsonl" 2>"$WORK/vigil.err")
rc=$?
set -e
t1=$(now)
[ "$rc" -le 1 ] || { echo "vigil: error: vigil scan exited $rc: $(head -1 "$WORK/vigil.err")" >&2; exit 2; }
scanned=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    d=json.loads(l)
    if d["type"]=="summary": s=d["data"]; print(s["findings"], s["bytes_scanned"], s["items_scanned"], s["skipped"])' "$WORK/vigil.jsonl")
read -r vigil_n vbytes vitems vskips <<<"$scanned"
row "vigil $("$BUILD/vigil" --version 2>/dev/null | head -1 | awk '{print $NF}') (-j $JOBS)" "$vigil_n" \
  "$(echo "$t1 - $t0" | bc)" "$vitems files, $vbytes bytes read, $vskips skipped (binary/size)"

# git-secrets: only the AWS patterns that --register-aws installs; -r on plain files runs
# `git grep --no-index`, so no repository is needed.
if command -v git-secrets >/dev/null; then
  export GIT_CONFIG_GLOBAL="$WORK/gitconfig" GIT_CONFIG_NOSYSTEM=1
  git secrets --register-aws --global >/dev/null
  t0=$(now)
  (cd / && git secrets --scan -r "${DIRS[@]#/}" >"$WORK/gs.out" 2>&1) || true
  t1=$(now)
  gs_n=$(grep -Eac '^[^[:space:]][^:]*:[0-9]+:|^Binary file .* matches' "$WORK/gs.out" || true)
  row "git-secrets $(dpkg-query -W -f='${Version}' git-secrets 2>/dev/null) (--register-aws)" "$gs_n" \
    "$(echo "$t1 - $t0" | bc)" "$(git config --global --get-all secrets.patterns | wc -l) patterns"
else
  rows+=("git-secrets: not installed (bash ../shared/peers/setup.sh)")
fi

# secretlint with its recommended preset (the config setup.sh writes).
if [ -x "$BIN/secretlint" ]; then
  echo '{ "rules": [ { "id": "@secretlint/secretlint-rule-preset-recommend" } ] }' >"$WORK/.secretlintrc.json"
  globs=()
  for d in "${DIRS[@]}"; do globs+=("${d#/}/**/*"); done
  t0=$(now)
  # unix format: one line per finding (JSON would carry every file's whole content).
  (cd / && NO_COLOR=1 "$BIN/secretlint" --secretlintrc "$WORK/.secretlintrc.json" --format unix \
     --secretlintignore /dev/null "${globs[@]}" >"$WORK/sl.out" 2>"$WORK/sl.err") || true
  t1=$(now)
  sl_n=$(grep -Eac '^/[^:]+:[0-9]+:[0-9]+: ' "$WORK/sl.out" || true)
  row "secretlint $("$BIN/secretlint" --version) (preset-recommend)" "$sl_n" "$(echo "$t1 - $t0" | bc)" ""
else
  rows+=("secretlint: not installed (bash ../shared/peers/setup.sh)")
fi

echo
printf '%-34s %9s %14s %9s  %s\n' tool findings "per 100 MiB" "time (s)" note
for r in "${rows[@]}"; do echo "$r"; done

echo
echo "vigil findings (redacted):"
python3 -c 'import json,sys
for l in open(sys.argv[1]):
    d=json.loads(l)
    if d["type"]!="finding": continue
    f=d["data"]
    enc=(" in "+f["encoding"]) if f.get("encoding") else ""
    print("  %-24s %s:%s  %s%s" % (f["rule"], f["path"], f["line"], f["secret"], enc))' "$WORK/vigil.jsonl"
[ "$vigil_n" -gt 0 ] || echo "  (none)"
if [ -s "$WORK/sl.out" ]; then
  echo
  echo "secretlint findings by rule:"
  grep -Eao '^/[^:]+:[0-9]+:[0-9]+: \[[A-Za-z0-9_-]+\]' "$WORK/sl.out" | sed -E 's/.*\[(.*)\]/\1/' | sort | uniq -c | sort -rn | sed 's/^/  /'
fi
