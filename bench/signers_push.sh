#!/usr/bin/env bash
# Signer-group benchmark (issue 21): a real `git push` of N commits (default 1,000), each changing a
# path that [[files]] signers = "maintainers" protects and each signed by a member, into a bare
# repository running vigil-pre-receive; SSH and OpenPGP keys. Reports the hook's own time (the
# audit record's duration_ms) and its ratio to the push deadline ([server] deadline_ms, 4,000 ms by
# default), with the signer rule alone and with [signatures] require on the same ref as well.
#
#   bench/signers_push.sh [BUILD_DIR] [N]      RUNS=3 by default (median reported); KINDS="ssh openpgp"
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
N=${2:-1000}
RUNS=${RUNS:-3}
DEADLINE_MS=4000
[ -x "$BUILD/vigil-pre-receive" ] || { echo "vigil: error: no vigil-pre-receive in $BUILD — build first" >&2; exit 2; }

W=$(mktemp -d /tmp/vigil-signers-bench-XXXXXX)
cleanup() { [ -d "$W/gnupg" ] && gpgconf --homedir "$W/gnupg" --kill all 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
export HOME=$W GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@example.com GIT_COMMITTER_NAME=Alice GIT_COMMITTER_EMAIL=alice@example.com
unset GNUPGHOME GIT_DIR GIT_WORK_TREE
cd "$W"
ssh-keygen -q -t ed25519 -N '' -C alice -f alice_ssh
mkdir -m 700 gnupg
GNUPGHOME=$W/gnupg gpg -q --batch --passphrase '' --quick-gen-key 'Alice <alice@example.com>' ed25519 sign never

policy() {  # $1 = extra TOML
  cat <<TOML
version = 1
[signers.maintainers]
members = ["alice@example.com"]
[[files]]
glob = "src/auth/**"
signers = "maintainers"
reason = "benchmark"
$1
TOML
}

# One client history per key kind: a base commit (policy, keys) and N signed commits on top.
make_history() {  # kind
  local kind=$1 opts
  rm -rf "client-$kind" && git init -q -b main "client-$kind" && cd "client-$kind"
  mkdir -p src/auth .vigil/keys
  echo "alice@example.com $(cut -d' ' -f1,2 ../alice_ssh.pub)" > .vigil/allowed_signers
  GNUPGHOME=$W/gnupg gpg -q --armor --export alice@example.com > .vigil/keys/alice.asc
  echo 0 > src/auth/login.c
  git add -A && git commit -q -m base
  if [ "$kind" = ssh ]; then opts=(-c gpg.format=ssh -c user.signingkey=$W/alice_ssh); else opts=(-c user.signingkey=alice@example.com); fi
  local parent tree blob
  parent=$(git rev-parse HEAD)
  for i in $(seq 1 "$N"); do
    blob=$(echo "$i" | git hash-object -w --stdin)
    git update-index --cacheinfo 100644 "$blob" src/auth/login.c
    tree=$(git write-tree)
    parent=$(echo "change $i" | GNUPGHOME=$W/gnupg git "${opts[@]}" commit-tree -S -p "$parent" "$tree")
  done
  git update-ref refs/heads/main "$parent"
  git reset -q --hard
  cd "$W"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf "%-8s %-22s %7s %12s %10s\n" keys policy commits hook_ms ratio
for kind in ${KINDS:-ssh openpgp}; do
  s0=$(date +%s.%N); make_history $kind; s1=$(date +%s.%N)
  echo "  made $N $kind-signed commits in $(awk -v a=$s0 -v b=$s1 'BEGIN {printf "%.1f", b-a}') s" >&2
  for variant in signers signers+require; do
    rm -rf srv.git && git init -q --bare -b main srv.git
    ln -s "$BUILD/vigil-pre-receive" srv.git/hooks/pre-receive
    # The rules sit in the server's floor; the keys come from the old tip (.vigil/ of the base).
    extra=""; [ $variant = signers+require ] && extra=$'[signatures]\nrequire = ["refs/heads/main"]'
    { policy "$extra"; printf '[server]\ndeadline_ms = 600000\n'; } > floor.toml
    git -C srv.git config vigil.policy "$W/floor.toml"
    base=$(git -C "client-$kind" rev-list --max-parents=0 HEAD)
    mv srv.git/hooks/pre-receive srv.git/hooks/off
    git -C "client-$kind" push -q "$W/srv.git" "$base:refs/heads/main"
    mv srv.git/hooks/off srv.git/hooks/pre-receive
    times=()
    for r in $(seq 1 "$RUNS"); do
      git -C srv.git update-ref refs/heads/main "$base"
      rm -f srv.git/vigil-audit.jsonl
      git -C "client-$kind" push -q "$W/srv.git" main:refs/heads/main 2>"$W/push.err" || {
        cat "$W/push.err" >&2; echo "vigil: error: the push was refused" >&2; exit 1; }
      times+=("$(tail -1 srv.git/vigil-audit.jsonl | sed 's/.*"duration_ms":\([0-9.]*\).*/\1/')")
    done
    ms=$(printf '%s\n' "${times[@]}" | median)
    printf "%-8s %-22s %7d %12.0f %9.2fx\n" $kind $variant "$N" "$ms" "$(awk -v m=$ms -v d=$DEADLINE_MS 'BEGIN {print m/d}')"
  done
done
