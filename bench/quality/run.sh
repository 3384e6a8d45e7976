#!/usr/bin/env bash
# vigil's own recall benchmark: generates the labelled corpus (gen_corpus.py, fixed seed), scans it
# with vigil and, when installed (../shared/peers/setup.sh), with gitleaks and secretlint, and prints
# recall per family, precision and false alarms for each, from one run.
#   bench/quality/run.sh [BUILD_DIR]          SCALE=6 SEED=20261207 FP=1 (also run bench/fp_compare.sh)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
HERE="$SRC/bench/quality"
PEERS_PREFIX="${PEERS_PREFIX:-$HOME/.local/share/vigil-peers}"
BIN="$PEERS_PREFIX/node_modules/.bin"
[ -x "$BUILD/vigil" ] || { echo "vigil: error: no $BUILD/vigil — build first" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 "$HERE/gen_corpus.py" "$WORK/corpus" --seed "${SEED:-20261207}" --scale "${SCALE:-6}"
FILES="$WORK/corpus/files"
bytes=$(du -sb "$FILES" | cut -f1)

# vigil: built-in pack, from an empty directory so no repository's .vigil.toml applies.
export VIGIL_CACHE_DIR="$WORK/cache"
(cd "$FILES" && "$BUILD/vigil" scan --format json . >"$WORK/vigil.jsonl" 2>"$WORK/vigil.err") || true
python3 -c 'import json,sys
for l in open(sys.argv[1]):
    d=json.loads(l)
    if d["type"]=="finding":
        p=d["data"]["path"]
        print("%s\t%s" % (p[2:] if p.startswith("./") else p, d["data"]["line"]))' "$WORK/vigil.jsonl" >"$WORK/vigil.tsv"
echo "corpus: $(wc -l <"$WORK/corpus/labels.jsonl") labels, $bytes bytes"
python3 "$HERE/score.py" "$WORK/corpus/labels.jsonl" "$WORK/vigil.tsv" "vigil"

# gitleaks (the WASM build setup.sh installs runs `dir` mode).
GL=$(command -v gitleaks || true)
[ -n "$GL" ] || GL=$(ls "$PEERS_PREFIX"/bin/gitleaks* 2>/dev/null | head -1 || true)
if [ -n "$GL" ]; then
  "$GL" dir "$FILES" --report-format json --report-path "$WORK/gl.json" --no-banner --exit-code 0 >/dev/null 2>&1 || true
  python3 -c 'import json,sys,os
root=sys.argv[2]
for f in json.load(open(sys.argv[1])) or []:
    p=os.path.relpath(os.path.join(root, f["File"]) if not f["File"].startswith("/") else f["File"], root)
    print("%s\t%s" % (p, f["StartLine"]))' "$WORK/gl.json" "$FILES" >"$WORK/gl.tsv" 2>/dev/null || : >"$WORK/gl.tsv"
  python3 "$HERE/score.py" "$WORK/corpus/labels.jsonl" "$WORK/gl.tsv" "gitleaks"
else
  echo "gitleaks: not installed (bash ../shared/peers/setup.sh)"
fi

if [ -x "$BIN/secretlint" ]; then
  echo '{ "rules": [ { "id": "@secretlint/secretlint-rule-preset-recommend" } ] }' >"$WORK/.secretlintrc.json"
  (cd "$FILES" && NO_COLOR=1 "$BIN/secretlint" --secretlintrc "$WORK/.secretlintrc.json" --format unix \
     --secretlintignore /dev/null "**/*" "**/.*" >"$WORK/sl.out" 2>/dev/null) || true
  sed -nE "s#^$FILES/([^:]+):([0-9]+):[0-9]+: .*#\1\t\2#p" "$WORK/sl.out" >"$WORK/sl.tsv"
  python3 "$HERE/score.py" "$WORK/corpus/labels.jsonl" "$WORK/sl.tsv" "secretlint"
else
  echo "secretlint: not installed (bash ../shared/peers/setup.sh)"
fi

if [ "${FP:-1}" = 1 ]; then
  echo
  echo "false alarms on real text (bench/fp_compare.sh):"
  "$SRC/bench/fp_compare.sh" "$BUILD" | sed -n '/^tool/,/^$/p'
fi
