#!/usr/bin/env bash
# vigil's own recall benchmark, two labelled corpora from one run:
#   provider corpus  (gen_corpus.py): vendors' token formats in realistic files;
#   real-code corpus (gen_code_corpus.py): passwords, keys and tokens the way source and config files
#                    hold them (low-entropy passwords, project-specific names, HTTP fixtures, CLI
#                    flags, OTP seeds) beside hard negatives of the same shape.
# Each is scanned with vigil and, when installed (../shared/peers/setup.sh), with gitleaks and
# secretlint; prints recall per family (and per file kind for real code), precision and false alarms.
#   bench/quality/run.sh [BUILD_DIR]     SCALE=6 CODE_SCALE=10 SEED=20261207 FP=1 (also bench/fp_compare.sh)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
HERE="$SRC/bench/quality"
PEERS_PREFIX="${PEERS_PREFIX:-$HOME/.local/share/vigil-peers}"
BIN="$PEERS_PREFIX/node_modules/.bin"
[ -x "$BUILD/vigil" ] || { echo "vigil: error: no $BUILD/vigil — build first" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export VIGIL_CACHE_DIR="$WORK/cache"
GL=$(command -v gitleaks || true)
[ -n "$GL" ] || GL=$(ls "$BIN/gitleaks" "$PEERS_PREFIX"/bin/gitleaks* 2>/dev/null | head -1 || true)

score_corpus() {  # score_corpus NAME DIR [score.py flags]
  local name=$1 dir=$2; shift 2
  local files="$dir/files" out="$WORK/$name"
  mkdir -p "$out"
  echo "== $name corpus: $(wc -l <"$dir/labels.jsonl") labels, $(du -sb "$files" | cut -f1) bytes"
  # vigil: built-in pack, from the corpus directory so no other repository's .vigil.toml applies.
  (cd "$files" && "$BUILD/vigil" scan --format json . >"$out/vigil.jsonl" 2>"$out/vigil.err") || true
  python3 -c 'import json,sys
for l in open(sys.argv[1]):
    d=json.loads(l)
    if d["type"]=="finding":
        p=d["data"]["path"]
        print("%s\t%s" % (p[2:] if p.startswith("./") else p, d["data"]["line"]))' "$out/vigil.jsonl" >"$out/vigil.tsv"
  python3 "$HERE/score.py" "$dir/labels.jsonl" "$out/vigil.tsv" "vigil" "$@"
  # gitleaks (the WASM build setup.sh installs runs `dir` mode).
  if [ -n "$GL" ]; then
    "$GL" dir "$files" --report-format json --report-path "$out/gl.json" --no-banner --exit-code 0 >/dev/null 2>&1 || true
    python3 -c 'import json,sys,os
root=sys.argv[2]
for f in json.load(open(sys.argv[1])) or []:
    p=os.path.relpath(os.path.join(root, f["File"]) if not f["File"].startswith("/") else f["File"], root)
    print("%s\t%s" % (p, f["StartLine"]))' "$out/gl.json" "$files" >"$out/gl.tsv" 2>/dev/null || : >"$out/gl.tsv"
    python3 "$HERE/score.py" "$dir/labels.jsonl" "$out/gl.tsv" "gitleaks" "$@"
  else
    echo "gitleaks: not installed (bash ../shared/peers/setup.sh)"
  fi
  if [ -x "$BIN/secretlint" ]; then
    echo '{ "rules": [ { "id": "@secretlint/secretlint-rule-preset-recommend" } ] }' >"$out/.secretlintrc.json"
    (cd "$files" && NO_COLOR=1 "$BIN/secretlint" --secretlintrc "$out/.secretlintrc.json" --format unix \
       --secretlintignore /dev/null "**/*" "**/.*" >"$out/sl.out" 2>/dev/null) || true
    sed -nE "s#^$files/([^:]+):([0-9]+):[0-9]+: .*#\1\t\2#p" "$out/sl.out" >"$out/sl.tsv"
    python3 "$HERE/score.py" "$dir/labels.jsonl" "$out/sl.tsv" "secretlint" "$@"
  else
    echo "secretlint: not installed (bash ../shared/peers/setup.sh)"
  fi
}

python3 "$HERE/gen_corpus.py" "$WORK/corpus" --seed "${SEED:-20261207}" --scale "${SCALE:-6}" >/dev/null
score_corpus provider "$WORK/corpus"
echo
python3 "$HERE/gen_code_corpus.py" "$WORK/code" --seed "${SEED:-20261207}" --scale "${CODE_SCALE:-10}" >/dev/null
score_corpus real-code "$WORK/code" --kinds

if [ "${FP:-1}" = 1 ]; then
  echo
  echo "false alarms on real text (bench/fp_compare.sh):"
  "$SRC/bench/fp_compare.sh" "$BUILD" | sed -n '/^tool/,/^$/p'
fi
