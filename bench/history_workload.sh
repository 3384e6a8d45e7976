#!/usr/bin/env bash
# History-scan workloads of three sizes, for bench/history.sh: the same synthetic history of real
# text at N commits, so that throughput and peak RSS can be compared as history grows.
#
#   bench/history_workload.sh            builds $VB/history5k (5,000 commits), $VB/history1250 and
#                                        $VB/history20000
#   SIZES="5000 1250" bench/history_workload.sh
#
# The text is Debian's linux-source-6.1 (apt-get install linux-source-6.1; the tarball under
# /usr/src is extracted once into $VB/src, as ../shared/peers/workloads.sh does). Each history
# starts from the kernel/ mm/ lib/ block/ trees and grows towards fs/ net/ crypto/ security/ — new
# files arrive in every commit, and every commit edits 3 existing files by splicing in lines of
# other kernel files — so each commit is a successive snapshot of a growing source tree. A few
# fake secrets (random, valid nowhere) are added and later deleted, so the scan has findings that
# must be attributed to the commit that introduced them. Deterministic: fixed seeds, fixed dates.
# The result is fully repacked (git repack -a -d -f), as a served repository would be.
set -euo pipefail
VB="${VB:-${XDG_CACHE_HOME:-$HOME/.cache}/vigil-bench}"
SIZES=${SIZES:-"5000 1250 20000"}
KSRC_TAR="${KSRC_TAR:-$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || true)}"
KDIR="$VB/src/linux-source-6.1"
if [ ! -d "$KDIR" ]; then
  [ -n "$KSRC_TAR" ] || { echo "vigil: error: no kernel source text — apt-get install linux-source-6.1" >&2; exit 2; }
  mkdir -p "$VB/src" && tar -C "$VB/src" -xJf "$KSRC_TAR"
fi
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

for N in $SIZES; do
  case $N in 5000) name=history5k ;; *) name=history$N ;; esac
  R="$VB/$name"
  [ -f "$R/.git/bench.done" ] && { echo "== $R exists ($N commits)"; continue; }
  echo "== building $R ($N commits)" >&2
  rm -rf "$R" && git init -q -b main "$R"
  python3 - "$KDIR" "$N" <<'PY' | git -C "$R" fast-import --quiet
import base64, os, random, string, sys
kdir, N = sys.argv[1], int(sys.argv[2])
out = sys.stdout.buffer
def listing(dirs):
    ps = []
    for d in dirs:
        for root, _, fs in os.walk(os.path.join(kdir, d)):
            ps += [os.path.relpath(os.path.join(root, f), kdir) for f in fs]
    return sorted(p for p in ps if os.path.isfile(os.path.join(kdir, p)) and not os.path.islink(os.path.join(kdir, p)))
def rd(p):
    with open(os.path.join(kdir, p), "rb") as f: return f.read()
r = random.Random(5000)
base = listing(["kernel", "mm", "lib", "block"])
pool = listing(["fs", "net", "crypto", "security"])
r.shuffle(pool)
A = string.ascii_letters + string.digits
def rnd(n, alpha=A): return "".join(r.choice(alpha) for _ in range(n))
def secret(kind):  # split literals: this file itself must not look like it holds keys
    if kind == "aws": return 'aws_access_key_id = "%s"\naws_secret_access_key = "%s"\n' % ("AK" + "IA" + rnd(16, string.ascii_uppercase + "234567"), rnd(40, A + "/+"))
    if kind == "github": return 'GITHUB_TOKEN="%s"\n' % ("gh" + "p_" + rnd(36))
    if kind == "slack": return 'SLACK_BOT_TOKEN="%s"\n' % ("xo" + "xb-" + rnd(11, string.digits) + "-" + rnd(12, string.digits) + "-" + rnd(24))
    body = base64.b64encode(bytes(r.getrandbits(8) for _ in range(1190))).decode()
    k = "RSA " + "PRIVATE KEY"
    return "\n".join(["-----BEGIN " + k + "-----"] + [body[i:i + 64] for i in range(0, len(body), 64)] + ["-----END " + k + "-----"]) + "\n"
# Secrets at fixed fractions of the history: (kind, path, commit that deletes it or None).
plant = {N // 5: ("aws", "drivers/bench/deploy.env", N // 5 + 1), N // 2: ("github", "scripts/bench_release.sh", None),
         3 * N // 4: ("pkey", "certs/bench_dev.key", 3 * N // 4 + 1), 9 * N // 10: ("slack", "tools/bench_notify.cfg", None)}
removals = {v[2]: v[1] for v in plant.values() if v[2]}
files = {p: rd(p) for p in base}
keys = sorted(files)
mark = 0
def blob(data):
    global mark
    mark += 1
    out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data))); out.write(data); out.write(b"\n")
    return mark
def mutate(data):
    lines = data.split(b"\n")
    donor = rd(r.choice(base)).split(b"\n")
    for _ in range(r.randint(1, 3)):
        pos = r.randint(0, len(lines)); dele = r.randint(0, 12)
        s = r.randint(0, max(0, len(donor) - 1)); n = r.randint(1, 15)
        lines[pos:pos + dele] = donor[s:s + n]
    return b"\n".join(lines)
per_commit_add, added = len(pool) / (N - 1), 0.0
for c in range(N):
    changes = []
    if c == 0:
        changes = [("M", p, blob(files[p])) for p in keys]
        msg = "initial import"
    else:
        added += per_commit_add
        while pool and added >= 1:
            p = pool.pop(); added -= 1
            files[p] = rd(p); keys.append(p)
            changes.append(("M", p, blob(files[p])))
        for p in r.sample(keys, 3):
            files[p] = mutate(files[p])
            changes.append(("M", p, blob(files[p])))
        msg = "change %d" % c
        if c in plant:
            kind, path, _ = plant[c]
            files[path] = secret(kind).encode(); keys.append(path)
            changes.append(("M", path, blob(files[path])))
            msg += " (add config)"
        if c in removals:
            path = removals[c]
            del files[path]; keys.remove(path)
            changes.append(("D", path, None))
            msg += " (remove config)"
    ts = 1500000000 + c * 3600
    m = msg.encode()
    out.write(b"commit refs/heads/main\nauthor bench <bench@example.invalid> %d +0000\ncommitter bench <bench@example.invalid> %d +0000\ndata %d\n%s\n" % (ts, ts, len(m), m))
    for op, p, mk in changes:
        out.write(b"M 100644 :%d %s\n" % (mk, p.encode()) if op == "M" else b"D %s\n" % p.encode())
    out.write(b"\n")
PY
  git -C "$R" reset -q --hard main
  git -C "$R" repack -q -a -d -f && git -C "$R" prune-packed
  touch "$R/.git/bench.done"
done
for N in $SIZES; do
  case $N in 5000) name=history5k ;; *) name=history$N ;; esac
  R="$VB/$name"
  printf '%-12s %5s commits, %6s unique blobs, %4s MB of blob text, pack %s\n' "$name" \
    "$(git -C "$R" rev-list --count --all)" \
    "$(git -C "$R" cat-file --batch-all-objects --batch-check='%(objecttype)' | grep -c '^blob')" \
    "$(git -C "$R" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' | awk '$1=="blob"{s+=$2} END{printf "%.0f", s/1e6}')" \
    "$(du -sh "$R/.git/objects/pack" | cut -f1)"
done
