#!/usr/bin/env bash
# Push-gate benchmark (issue 6): how long vigil-pre-receive takes to judge a push of 1,000 new
# commits carrying ~50 MB of new blobs made from real text, against the physical floor of
# listing those objects (`git rev-list --objects <new> --not --all | git cat-file --batch-check`).
#
#   bench/push.sh [BUILD_DIR]        (default: build)
#   RUNS=30 E2E_RUNS=3 VB=~/.cache/vigil-bench bench/push.sh /work/build-me
#
# The workload is built once under $VB/push (kept until its format version changes):
#   client.git   refs/heads/base   the history the server already has (kernel text import + 50 commits)
#                refs/heads/clean  base + 1,000 commits (new files, edits, a rename every 25 commits)
#                refs/heads/secret the same commits with 2 fake secrets planted (a new .env file at
#                                  commit 250, lines appended to an existing file at commit 750)
#   srv.git      bare server at base, hook and policy installed by `vigil install --server`
#   q-clean/ q-secret/  quarantine object dirs holding the pushed pack, as receive-pack leaves them
#
# Why a quarantine: git runs pre-receive after the pack is received but before any ref moves, with
# GIT_OBJECT_DIRECTORY=<quarantine> and the repository's objects as an alternate, so `--not --all`
# still means "what the server had before this push". The hook is run exactly that way here,
# repeatedly, on the same objects. One real `git push` per run into a fresh copy of the server
# measures the whole path end to end (pack transfer, index-pack, connectivity check, hook).
#
# Every "secret" is random, generated here, and valid nowhere.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
VB="${VB:-${XDG_CACHE_HOME:-$HOME/.cache}/vigil-bench}"
W="$VB/push"
RUNS=${RUNS:-30}
E2E_RUNS=${E2E_RUNS:-3}
FORMAT=3  # bump when the workload recipe changes
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
HOOK="$BUILD/vigil-pre-receive"
[ -x "$HOOK" ] && [ -x "$BUILD/vigil" ] || { echo "vigil: error: no vigil-pre-receive in $BUILD — build first (ninja -C $BUILD)" >&2; exit 2; }

export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

# ------------------------------------------------------------------ text source
# The kernel tree the peers' workloads.sh unpacks; else the tarball; else /usr/include + /usr/share/doc.
TEXT="$VB/src/linux-source-6.1"
if [ ! -d "$TEXT" ] && [ -f /usr/src/linux-source-6.1.tar.xz ]; then
  mkdir -p "$VB/src" && tar -C "$VB/src" -xJf /usr/src/linux-source-6.1.tar.xz
fi
if [ -d "$TEXT" ]; then
  BASE_DIRS="kernel mm lib block"; POOL_DIRS="fs net crypto security sound/core"
else
  TEXT=/usr; BASE_DIRS="include"; POOL_DIRS="share/doc"
fi

# ------------------------------------------------------------------ workload
build_workload() {
  echo "== building the workload in $W (once)" >&2
  rm -rf "$W"; mkdir -p "$W"
  git init -q --bare "$W/client.git"
  ( cd "$TEXT" && find $BASE_DIRS -type f -size -256k | LC_ALL=C sort ) > "$W/base.txt"
  ( cd "$TEXT" && find $POOL_DIRS -type f -size -256k | LC_ALL=C sort ) > "$W/pool.txt"
  "$PY" - "$TEXT" "$W/base.txt" "$W/pool.txt" <<'PYEOF' | git -C "$W/client.git" fast-import --quiet
import sys, os, random, string, hashlib
text, basef, poolf = sys.argv[1:4]
out = sys.stdout.buffer
ALNUM = string.ascii_letters + string.digits
def rd(p):
    with open(os.path.join(text, p), "rb") as f: return f.read()
def printable(b): return b"\0" not in b[:8192]
base = [p for p in open(basef).read().split("\n") if p and " " not in p]
pool = [p for p in open(poolf).read().split("\n") if p and " " not in p]
marks, nmark = {}, [0]
def blob(data):
    h = hashlib.sha1(data).digest()
    if h in marks: return marks[h]
    nmark[0] += 1; m = nmark[0]; marks[h] = m
    out.write(b"blob\nmark :%d\ndata %d\n" % (m, len(data))); out.write(data); out.write(b"\n")
    return m
def commit(ref, ts, msg, changes, frm=None):
    nmark[0] += 1; m = nmark[0]
    out.write(b"commit %s\nmark :%d\n" % (ref.encode(), m))
    out.write(b"author bench <bench@example.invalid> %d +0000\n" % ts)
    out.write(b"committer bench <bench@example.invalid> %d +0000\n" % ts)
    mb = msg.encode(); out.write(b"data %d\n%s\n" % (len(mb), mb))
    if frm: out.write(b"from :%d\n" % frm)
    for ch in changes:
        if ch[0] == "M": out.write(b"M 100644 :%d %s\n" % (ch[2], ch[1].encode()))
        elif ch[0] == "D": out.write(b"D %s\n" % ch[1].encode())
        else: out.write(b"R %s %s\n" % (ch[1].encode(), ch[2].encode()))
    out.write(b"\n")
    return m
r = random.Random(20250601)
def mutate(rr, data, donors):
    lines = data.split(b"\n")
    donor = rd(rr.choice(donors)).split(b"\n")
    for _ in range(rr.randint(1, 3)):
        pos = rr.randint(0, len(lines)); dele = rr.randint(0, 12)
        s = rr.randint(0, max(0, len(donor) - 1)); n = rr.randint(1, 15)
        lines[pos:pos + dele] = donor[s:s + n]
    return b"\n".join(lines)
# -- base: an import and 50 small commits, so the server has some history to exclude
files = {}
for p in base:
    d = rd(p)
    if printable(d): files[p] = d
t0 = 1600000000
tip = commit("refs/heads/base", t0, "import", [("M", p, blob(files[p])) for p in sorted(files)])
for c in range(1, 51):
    ch = []
    for p in r.sample(sorted(files), 2):
        files[p] = mutate(r, files[p], base); ch.append(("M", p, blob(files[p])))
    tip = commit("refs/heads/base", t0 + c * 60, "base change %d" % c, ch, tip if c == 1 else None)
base_tip, base_files = tip, dict(files)
r.shuffle(pool)
# -- 1,000 new commits, ~50 MB of new blob bytes (edits count their whole new blob), twice
N, BUDGET = 1000, 50_000_000
for variant in ("clean", "secret"):
    rr = random.Random(777)              # same commits in both variants
    sr = random.Random(4242)             # the secrets
    files = dict(base_files); keys = sorted(files); pq = list(pool)
    ref = "refs/heads/" + variant; tip = base_tip; total = 0
    for c in range(N):
        ch = []
        for p in rr.sample(keys, 1):     # an edit of an existing file
            files[p] = mutate(rr, files[p], base); ch.append(("M", p, blob(files[p])))
            total += len(files[p])
        while pq and total < (c + 1) * BUDGET // N:   # new files from the pool
            p = pq.pop(); d = rd(p)
            if not printable(d) or p in files: continue
            files[p] = d; keys.append(p); ch.append(("M", p, blob(d))); total += len(d)
        if c % 25 == 24:                 # a rename (rename detection is on at the server)
            p = rr.choice(keys); q = "renamed/%d/%s" % (c, os.path.basename(p))
            files[q] = files.pop(p); keys.remove(p); keys.append(q); ch.append(("R", p, q))
        if variant == "secret" and c == 250:
            d = ('# ci\nGITHUB_TOKEN="gh' + 'p_' + "".join(sr.choice(ALNUM) for _ in range(36)) + '"\n').encode()
            files["deploy/bench_ci.env"] = d; keys.append("deploy/bench_ci.env")
            ch.append(("M", "deploy/bench_ci.env", blob(d)))
        if variant == "secret" and c == 750:
            p = sorted(k for k in keys if k.endswith(".c"))[0]
            key = "AK" + "IA" + "".join(sr.choice(string.ascii_uppercase + "234567") for _ in range(16))
            sec = "".join(sr.choice(ALNUM + "/+") for _ in range(40))
            files[p] += ('\n/* aws_access_key_id = "%s"\n   aws_secret_access_key = "%s" */\n' % (key, sec)).encode()
            ch.append(("M", p, blob(files[p])))
        tip = commit(ref, t0 + 100000 + c * 60, "%s change %d" % ("bench", c), ch, base_tip if c == 0 else None)
PYEOF
  git -C "$W/client.git" repack -q -a -d
  # The server: base only, hook and policy from the installer. A long deadline so the benchmark
  # measures the judgement instead of being cut off at 4 s.
  git init -q --bare "$W/srv.git"
  git -C "$W/client.git" push -q "$W/srv.git" base:refs/heads/main
  git -C "$W/srv.git" symbolic-ref HEAD refs/heads/main
  "$BUILD/vigil" install --server "$W/srv.git" >&2
  sed -i 's/^deadline_ms = .*/deadline_ms = 120000/' "$W/srv.git/vigil-policy.toml"
  # Quarantines: the pushed objects in one pack, as index-pack leaves them.
  for v in clean secret; do
    mkdir -p "$W/q-$v/pack"
    printf '%s\n^%s\n' "$v" base | git -C "$W/client.git" pack-objects -q --revs "$W/q-$v/pack/pack" >/dev/null
  done
  echo "$FORMAT $BUILD" > "$W/.done"
}
[ "$(cut -d' ' -f1 "$W/.done" 2>/dev/null)" = "$FORMAT" ] || build_workload
# The hook path in srv.git follows BUILD (the installer wrote it); keep it pointing at this build.
sed -i "s|^vigil_bin='.*'|vigil_bin='$HOOK'|" "$W/srv.git/hooks/pre-receive"

BASE=$(git -C "$W/client.git" rev-parse base)
# ------------------------------------------------------------------ timing helpers
# Wall time is what the pusher waits for; CPU time (user+sys) is printed too because this machine
# is shared and its wall times swing with the load of others.
stats() { # stats < ms-per-line → "p50 p99 min max"
  sort -n | awk '{v[NR]=$1} END{n=NR; i50=int((n+1)/2); i99=int(0.99*n+0.999); if(i99<1)i99=1; if(i99>n)i99=n; printf "%.1f %.1f %.1f %.1f\n", v[i50], v[i99], v[1], v[n]}'
}
qenv() { # qenv VARIANT → the env(1) prefix receive-pack gives its hooks (cwd = the git dir)
  local q="$W/q-$1"
  QENV=(env -C "$W/srv.git" GIT_DIR=. GIT_QUARANTINE_PATH="$q" GIT_OBJECT_DIRECTORY="$q"
        GIT_ALTERNATE_OBJECT_DIRECTORIES="$W/srv.git/objects")
}
in_quarantine() { qenv "$1"; shift; "${QENV[@]}" "$@"; }
timed() { # timed OUTFILE VARIANT CMD... : runs CMD in the quarantine, appends "wall_ms cpu_ms"
  local out=$1; qenv "$2"; shift 2
  /usr/bin/time -f "%e %U %S" -o "$W/.time" "${QENV[@]}" "$@" >/dev/null 2>&1 || true
  # (time(1) writes "Command exited with non-zero status N" first when the hook blocks)
  awk 'NF == 3 && $1 ~ /^[0-9.]+$/ {printf "%.1f %.1f\n", $1 * 1000, ($2 + $3) * 1000}' "$W/.time" >> "$out"
}
# The floor, as the issue states it. cat-file needs %(rest) in its format to split the
# "<oid> <path>" lines of rev-list --objects; without it every tree and blob is looked up by the
# whole line and reported "missing" without reading anything.
FLOOR='git rev-list --objects "$NEW" --not --all | git cat-file --batch-check="%(objectname) %(objecttype) %(objectsize) %(rest)" >/dev/null'
# A second floor that also reads every new object's bytes (what a scanner cannot avoid).
READ_FLOOR='git rev-list --objects "$NEW" --not --all | git cat-file --batch="%(objectname) %(objecttype) %(objectsize) %(rest)" >/dev/null'

rm -f "$W/srv.git/vigil-audit.jsonl"
echo "== vigil-pre-receive judging a push ($RUNS runs each; cwd and environment as git receive-pack sets them)"
echo "   server before the push: $(git -C "$W/srv.git" rev-list --count main) commits, $(git -C "$W/srv.git" ls-tree -r main | wc -l) files; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for v in clean secret; do
  NEW=$(git -C "$W/client.git" rev-parse "$v")
  export NEW
  ncommits=$(in_quarantine "$v" git rev-list --count "$NEW" --not --all)
  read -r nblobs mb < <(in_quarantine "$v" sh -c 'git rev-list --objects "$NEW" --not --all | git cat-file --batch-check="%(objecttype) %(objectsize) %(rest)"' |
                        awk '$1=="blob"{n++; s+=$2} END{printf "%d %.1f\n", n, s/1e6}')
  nfiles=$(git -C "$W/client.git" diff --name-only base "$NEW" | wc -l)
  expect=0; [ "$v" = secret ] && expect=1
  # warm-up (rules database cache, page cache), checked for the expected verdict
  set +e; in_quarantine "$v" "$HOOK" <<<"$BASE $NEW refs/heads/main" >"$W/last-$v.out" 2>&1; rc=$?; set -e
  if [ "$rc" != "$expect" ]; then
    echo "vigil: error: the $v push got exit $rc, expected $expect — see $W/last-$v.out" >&2; tail -5 "$W/last-$v.out" >&2; exit 2
  fi
  rm -f "$W/hook.t" "$W/floor.t" "$W/read.t" "$W/e2e.t"
  for ((i = 0; i < RUNS; i++)); do
    timed "$W/hook.t" "$v" "$HOOK" <<<"$BASE $NEW refs/heads/main"
    timed "$W/floor.t" "$v" sh -c "$FLOOR"
    timed "$W/read.t" "$v" sh -c "$READ_FLOOR"
  done
  read -r h50 h99 hmin hmax < <(cut -d' ' -f1 "$W/hook.t" | stats)
  read -r hc50 hc99 _ _ < <(cut -d' ' -f2 "$W/hook.t" | stats)
  read -r f50 f99 _ _ < <(cut -d' ' -f1 "$W/floor.t" | stats)
  read -r fc50 fc99 _ _ < <(cut -d' ' -f2 "$W/floor.t" | stats)
  read -r r50 r99 _ _ < <(cut -d' ' -f1 "$W/read.t" | stats)
  # end to end: a real `git push` into a fresh copy of the server
  for ((i = 0; i < E2E_RUNS; i++)); do
    rm -rf "$W/e2e.git"; cp -a "$W/srv.git" "$W/e2e.git"
    prc=0; /usr/bin/time -f "%e %U %S" -o "$W/.time" git -C "$W/client.git" push -q "$W/e2e.git" "$v:refs/heads/main" >"$W/e2e-$v.out" 2>&1 || prc=$?
    awk 'NF == 3 && $1 ~ /^[0-9.]+$/ {printf "%.1f\n", $1 * 1000}' "$W/.time" >> "$W/e2e.t"
    [ $((prc != 0)) = "$expect" ] || { echo "vigil: error: git push of $v exited $prc — see $W/e2e-$v.out" >&2; exit 2; }
  done
  rm -rf "$W/e2e.git"
  read -r e50 _ _ emax < <(stats < "$W/e2e.t")
  verdict=$(grep -m1 -o 'push blocked: .*' "$W/last-$v.out" || echo "accepted")
  echo "-- $v: $ncommits new commits, $nblobs new blobs ($mb MB), $nfiles paths changed; hook exit $rc ($verdict)"
  awk -v h50="$h50" -v h99="$h99" -v hmin="$hmin" -v hmax="$hmax" -v hc50="$hc50" -v hc99="$hc99" \
      -v f50="$f50" -v f99="$f99" -v fc50="$fc50" -v fc99="$fc99" -v r50="$r50" -v r99="$r99" \
      -v e50="$e50" -v emax="$emax" -v n="$E2E_RUNS" 'BEGIN{
    printf "   hook        wall p50 %7.1f ms  p99 %7.1f ms  (min %.1f, max %.1f)  cpu p50 %.1f ms  p99 %.1f ms  %s\n", h50, h99, hmin, hmax, hc50, hc99, (h99 <= 1000 ? "[p99 within 1 s]" : "[p99 OVER 1 s]");
    printf "   floor       wall p50 %7.1f ms  p99 %7.1f ms  cpu p50 %.1f ms  (rev-list --objects | cat-file --batch-check)\n", f50, f99, fc50;
    printf "   read floor  wall p50 %7.1f ms  p99 %7.1f ms  (rev-list --objects | cat-file --batch: every byte read)\n", r50, r99;
    printf "   ratio       hook/floor wall p50 %.2fx  p99 %.2fx  cpu p50 %.2fx | hook/read floor wall p50 %.2fx\n", h50 / f50, h99 / f99, hc50 / fc50, h50 / r50;
    printf "   git push end to end (%d runs, fresh server copy each): p50 %.1f ms  max %.1f ms\n", n, e50, emax }'
done
