#!/usr/bin/env bash
# Signature verification benchmark: N commits signed with each of OpenPGP, SSH and X.509 keys
# made here, verified by vigil's TrustStore and by `git verify-commit` over the same commits.
# Usage: bench/signatures.sh [BUILD_DIR] [N]   (BUILD_DIR holds detectors/libvigil_core.a)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
N=${2:-1000}
[ -f "$BUILD/detectors/libvigil_core.a" ] || { echo "vigil: error: no $BUILD/detectors/libvigil_core.a — build first (cmake + ninja)" >&2; exit 2; }

W=$(mktemp -d /tmp/vigil-sigbench-XXXXXX)
cleanup() {
  for h in "$W"/gnupg-*; do [ -d "$h" ] && gpgconf --homedir "$h" --kill all 2>/dev/null || true; done
  rm -rf "$W"
}
trap cleanup EXIT
export HOME=$W GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@example.com \
       GIT_COMMITTER_NAME=Alice GIT_COMMITTER_EMAIL=alice@example.com
unset GNUPGHOME GIT_DIR GIT_WORK_TREE

echo "building the driver..." >&2
g++ -std=c++20 -O2 -I"$SRC" "$SRC/bench/signatures_bench.cc" "$BUILD/detectors/libvigil_core.a" \
    $(pkg-config --libs libgit2 gpgme libcrypto libhs libpcre2-8) -lfmt -ltomlplusplus -lpthread \
    $(pkg-config --exists libutf8proc && pkg-config --libs libutf8proc) -o "$W/bench"

cd "$W"
mkdir -p keys/.vigil/keys keys/.vigil/certs
# OpenPGP
mkdir -m 700 gnupg-pgp
GNUPGHOME=$W/gnupg-pgp gpg -q --batch --passphrase '' --quick-gen-key 'Alice <alice@example.com>' ed25519 sign never
GNUPGHOME=$W/gnupg-pgp gpg -q --armor --export alice@example.com > keys/.vigil/keys/alice.asc
# SSH
ssh-keygen -q -t ed25519 -N '' -C alice -f alice_ssh
echo "alice@example.com namespaces=\"git\" $(cut -d' ' -f1,2 alice_ssh.pub)" > keys/.vigil/allowed_signers
# X.509: a test CA (openssl) and Alice's certificate in a gpgsm home
mkdir -m 700 gnupg-x509
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -subj '/CN=Bench CA' \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout alice.key -out alice.csr -subj '/CN=Alice/emailAddress=alice@example.com' 2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=email:alice@example.com\n' > alice.ext
openssl x509 -req -in alice.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out alice.pem -days 3650 -extfile alice.ext 2>/dev/null
cp ca.pem keys/.vigil/certs/ca.pem
export GNUPGHOME=$W/gnupg-x509
echo disable-crl-checks > $GNUPGHOME/gpgsm.conf
echo "$(openssl x509 -in ca.pem -noout -fingerprint -sha1 | cut -d= -f2) S relax" > $GNUPGHOME/trustlist.txt
# gpgsm 2.2 reads only the old PKCS#12 ciphers and sometimes fails on an empty password: retry.
for try in 1 2 3 4 5 6; do
  openssl pkcs12 -export -certpbe NONE -keypbe PBE-SHA1-3DES -macalg sha1 -inkey alice.key -in alice.pem -out alice.p12 -passout pass:
  echo | gpgsm --batch --pinentry-mode loopback --passphrase-fd 0 --import alice.p12 2>/dev/null &&
    gpgsm --list-secret-keys alice@example.com >/dev/null 2>&1 && break
done
gpgsm --batch --import ca.pem 2>/dev/null
unset GNUPGHOME

git init -q repo
cd repo
tree=$(git write-tree)
make_commits() {  # kind, then git -c options for signing; prints ids
  local kind=$1; shift
  local parent="" id
  for i in $(seq 1 "$N"); do
    id=$(echo "$kind $i" | git "$@" commit-tree -S ${parent:+-p $parent} "$tree")
    parent=$id
    echo "$id"
  done
}
printf "%-12s %6s %12s %14s %12s %8s\n" kind commits sign_s vigil_c/s git_c/s ratio
for kind in openpgp ssh x509; do
  case $kind in
    openpgp) export GNUPGHOME=$W/gnupg-pgp; opts=(-c user.signingkey=alice@example.com) ;;
    ssh) unset GNUPGHOME; opts=(-c gpg.format=ssh -c user.signingkey=$W/alice_ssh -c gpg.ssh.allowedSignersFile=$W/keys/.vigil/allowed_signers) ;;
    x509) export GNUPGHOME=$W/gnupg-x509; opts=(-c gpg.format=x509 -c user.signingkey=alice@example.com) ;;
  esac
  s0=$(date +%s.%N)
  make_commits $kind "${opts[@]}" > ../$kind.ids
  s1=$(date +%s.%N)
  out=$("$W/bench" . "$W/keys" < ../$kind.ids) || { echo "$out"; echo "vigil: error: $kind commits did not all verify" >&2; exit 1; }
  vigil_rate=$(sed 's/.*commits_per_s=//' <<<"$out")
  g0=$(date +%s.%N)
  xargs git "${opts[@]}" verify-commit < ../$kind.ids 2>/dev/null || { echo "vigil: error: git verify-commit rejected some $kind commits" >&2; exit 1; }
  g1=$(date +%s.%N)
  awk -v k=$kind -v n=$N -v s0=$s0 -v s1=$s1 -v v=$vigil_rate -v g0=$g0 -v g1=$g1 'BEGIN {
    g = n / (g1 - g0); printf "%-12s %6d %12.1f %14.1f %12.1f %7.2fx\n", k, n, s1 - s0, v, g, v / g }'
  echo "  vigil: $out" >&2
  if [ $kind = ssh ]; then  # the same commits with every signature through ssh-keygen
    out=$("$W/bench" . "$W/keys" --ssh-keygen-only < ../$kind.ids)
    awk -v n=$N -v v=$(sed 's/.*commits_per_s=//' <<<"$out") -v g0=$g0 -v g1=$g1 'BEGIN {
      g = n / (g1 - g0); printf "%-12s %6d %12s %14.1f %12.1f %7.2fx\n", "ssh-keygen", n, "-", v, g, v / g }'
    echo "  vigil (ssh-keygen only): $out" >&2
  fi
done
