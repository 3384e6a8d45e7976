// End-to-end: commits and tags signed by real gpg, gpgsm and ssh-keygen with keys made here, then
// verified by vigil's TrustStore against the trusted key material given as text.
#include <doctest/doctest.h>

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "detectors/git/repo.h"
#include "detectors/git/signature_extract.h"
#include "detectors/signatures/verifier.h"
#include "tests/support/temp_repo.h"

using vigil::SignaturePolicy;
using vigil::SignatureStatus;
using vigil::TrustedKeys;
using vigil::TrustStore;
using vigil::test::CmdResult;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

std::string trim_nl(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

/// True when some process has `needle` on its command line (a gpg-agent for a home).
bool process_mentions(const std::string& needle) {
  DIR* d = opendir("/proc");
  if (!d) return false;
  bool found = false;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/cmdline", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().find(needle) != std::string::npos) found = true;
  }
  closedir(d);
  return found;
}

/// One test's world: a repository, and a directory for keys and the signers' GnuPG homes.
class Lab {
 public:
  Lab() {
    REQUIRE(r("git init -q && git config user.name Alice && git config user.email alice@example.com").status == 0);
  }
  ~Lab() {
    // Signing starts gpg-agents in the signers' homes; none may outlive the test.
    for (const auto& h : homes_) sh(keys_.path(), "gpgconf --homedir '" + h + "' --kill all");
  }
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  CmdResult r(const std::string& cmd, const std::string& in = {}) const { return sh(repo_.path(), cmd, in); }
  CmdResult k(const std::string& cmd) const { return sh(keys_.path(), cmd); }
  const std::string& keys() const { return keys_.path(); }
  const std::string& repo_path() const { return repo_.path(); }

  /// A GnuPG home for signing, created on first use.
  std::string home(const std::string& name) {
    const std::string h = keys_.path() + "/" + name;
    if (std::find(homes_.begin(), homes_.end(), h) == homes_.end()) {
      REQUIRE(k("mkdir -m 700 " + name).status == 0);
      homes_.push_back(h);
    }
    return h;
  }

  /// Makes an ed25519 OpenPGP signing key without passphrase; returns its armored public key.
  std::string pgp_key(const std::string& uid, const std::string& email, const std::string& extra = "",
                      const std::string& expire = "never") {
    const auto h = home("pgp");
    auto g = k("GNUPGHOME=" + h + " gpg --batch --passphrase '' " + extra + " --quick-gen-key '" + uid + " <" + email +
               ">' ed25519 sign " + expire);
    REQUIRE_MESSAGE(g.status == 0, g.err);
    return pgp_export(email);
  }
  std::string pgp_export(const std::string& email) {
    auto e = k("GNUPGHOME=" + home("pgp") + " gpg --armor --export '" + email + "'");
    REQUIRE(e.status == 0);
    REQUIRE(e.out.find("BEGIN PGP PUBLIC KEY BLOCK") != std::string::npos);
    return e.out;
  }

  /// An ed25519 SSH key; returns "ssh-ed25519 AAAA…" (the public key line without comment).
  std::string ssh_key(const std::string& name) {
    REQUIRE(k("ssh-keygen -q -t ed25519 -N '' -C " + name + " -f " + name).status == 0);
    std::istringstream pub(k("cat " + name + ".pub").out);
    std::string type, blob;
    pub >> type >> blob;
    return type + " " + blob;
  }

  /// A test CA (openssl) and a user certificate for `email`, imported with its key into the
  /// signing gpgsm home `home_name`. Returns the CA certificate (PEM).
  std::string x509_user(const std::string& ca, const std::string& user, const std::string& email,
                        const std::string& home_name) {
    const auto h = home(home_name);
    const std::string script =
        "set -e\n"
        "[ -f " +
        ca + ".pem ] || openssl req -x509 -newkey rsa:2048 -nodes -keyout " + ca + ".key -out " + ca +
        ".pem -days 3650 -subj '/CN=" + ca + " Test CA' -addext basicConstraints=critical,CA:TRUE "
                                             "-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null\n"
                                             "openssl req -newkey rsa:2048 -nodes -keyout " +
        user + ".key -out " + user + ".csr -subj '/CN=" + user +
        "/emailAddress=" + email + "' 2>/dev/null\n"
                                   "printf 'basicConstraints=CA:FALSE\\nkeyUsage=critical,digitalSignature\\nsubjectAltName=email:" +
        email +
        "\\nextendedKeyUsage=emailProtection\\n' > " + user + ".ext\n"
                                                              "openssl x509 -req -in " +
        user + ".csr -CA " + ca + ".pem -CAkey " + ca + ".key -CAcreateserial -out " + user +
        ".pem -days 3650 -extfile " + user + ".ext 2>/dev/null\n"
                                             "export GNUPGHOME=" +
        h + "\n"
            "echo disable-crl-checks > $GNUPGHOME/gpgsm.conf\n"
            // The trustlist first: the import starts the agent, which reads it once.
            "echo \"$(openssl x509 -in " +
        ca + ".pem -noout -fingerprint -sha1 | cut -d= -f2) S relax\" > "
             "$GNUPGHOME/trustlist.txt\n"
             // gpgsm 2.2 reads only the old PKCS#12 ciphers, and now and then fails to decrypt one with
             // an empty password (it guesses the password encoding); a fresh salt fixes that.
             "for try in 1 2 3 4 5 6; do\n"
             "  openssl pkcs12 -export -certpbe NONE -keypbe PBE-SHA1-3DES -macalg sha1 -inkey " +
        user + ".key -in " +
        user + ".pem -out " + user + ".p12 -passout pass:\n"
                                     "  echo | gpgsm --batch --pinentry-mode loopback --passphrase-fd 0 --import " +
        user + ".p12 2>/dev/null && "
               "gpgsm --list-secret-keys " +
        email + " >/dev/null 2>&1 && break\n"
                "done\n"
                "gpgsm --list-secret-keys " +
        email + " >/dev/null\n"
                "gpgsm --batch --import " +
        ca + ".pem\n";
    auto g = k(script);
    REQUIRE_MESSAGE(g.status == 0, g.err);
    return k("cat " + ca + ".pem").out;
  }

  /// A new commit (one changed file). `git_args` go between `git` and `commit`; `env` before git.
  std::string commit(const std::string& msg, const std::string& git_args = "", const std::string& env = "") {
    auto c = r("echo " + std::to_string(++n_) + " >> file.txt && git add file.txt && " + env + " git " + git_args +
               " commit -q -m '" + msg + "' && git rev-parse HEAD");
    REQUIRE_MESSAGE(c.status == 0, c.err);
    return trim_nl(c.out);
  }
  std::string pgp_commit(const std::string& msg, const std::string& signer_email, const std::string& env = "") {
    return commit(msg, "-c user.signingkey=" + signer_email + " -c commit.gpgsign=true",
                  "GNUPGHOME=" + home("pgp") + " " + env);
  }
  std::string ssh_commit(const std::string& msg, const std::string& key_name, const std::string& env = "") {
    return commit(msg, "-c gpg.format=ssh -c user.signingkey=" + keys() + "/" + key_name + " -c commit.gpgsign=true",
                  env);
  }
  std::string x509_commit(const std::string& msg, const std::string& home_name, const std::string& email,
                          const std::string& env = "") {
    return commit(msg, "-c gpg.format=x509 -c user.signingkey=" + email + " -c commit.gpgsign=true",
                  "GNUPGHOME=" + home(home_name) + " " + env);
  }

  /// Re-creates `id` with its message changed but the same gpgsig header, as an attacker would.
  std::string tamper(const std::string& id) {
    auto t = r("git cat-file commit " + id + " | sed 's/^" + "sign me" + "$/tampered/' | git hash-object -t commit -w --stdin");
    REQUIRE(t.status == 0);
    const auto out = trim_nl(t.out);
    REQUIRE(out != id);
    return out;
  }

  vigil::SignatureVerdict verdict(const TrustStore& store, const std::string& id, bool must_match = true) const {
    auto repo = vigil::git::Repo::discover(repo_.path());
    REQUIRE(repo.ok());
    auto obj = vigil::git::extract_commit_signature(*repo, id);
    REQUIRE(obj.ok());
    return store.verify(*obj, must_match);
  }

 private:
  vigil::git::LibGit2Session git_;
  TempDir keys_;
  TempDir repo_;
  std::vector<std::string> homes_;
  int n_ = 0;
};

TrustStore store_of(const TrustedKeys& keys) {
  auto s = TrustStore::build(keys);
  REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));
  return std::move(*s);
}

TrustedKeys pgp_trust(const std::string& armored) { return TrustedKeys{{}, {{"test.asc", armored}}, {}}; }
TrustedKeys ssh_trust(const std::string& lines) { return TrustedKeys{{{"allowed_signers", lines}}, {}, {}}; }
TrustedKeys x509_trust(const std::string& pem) { return TrustedKeys{{}, {}, {{"ca.pem", pem}}}; }

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("OpenPGP: a commit signed by a trusted key of the committer is good; an unsigned one is not") {
    Lab lab;
    const auto key = lab.pgp_key("Alice", "alice@example.com");
    const auto good = lab.pgp_commit("sign me", "alice@example.com", "GIT_COMMITTER_EMAIL=alice@example.com");
    const auto plain = lab.commit("plain", "", "GIT_COMMITTER_EMAIL=alice@example.com");
    const auto store = store_of(pgp_trust(key));
    CHECK(store.openpgp_key_count() == 1);

    const auto v = lab.verdict(store, good);
    CHECK_MESSAGE(v.status == SignatureStatus::Good, v.detail);
    CHECK(v.format == vigil::SignatureFormat::OpenPgp);
    CHECK(lab.verdict(store, plain).status == SignatureStatus::Unsigned);

    auto repo = vigil::git::Repo::discover(lab.repo_path());
    REQUIRE(repo.ok());
    const auto findings = vigil::verify_commits(*repo, {good, plain}, store, SignaturePolicy{});
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].rule_id == "signature.unsigned");
    CHECK(findings[0].commit == plain);
    CHECK(findings[0].path.empty());
    CHECK(findings[0].severity == vigil::Severity::High);
    CHECK(findings[0].note.find("commit.gpgsign") != std::string::npos);
    CHECK(findings[0].author == "Test Committer <alice@example.com>");
  }

  TEST_CASE("OpenPGP: a commit signed by a key that is not trusted is an unknown key") {
    Lab lab;
    const auto alice = lab.pgp_key("Alice", "alice@example.com");
    lab.pgp_key("Mallory", "mallory@example.com");
    const auto id = lab.pgp_commit("sign me", "mallory@example.com", "GIT_COMMITTER_EMAIL=mallory@example.com");
    const auto v = lab.verdict(store_of(pgp_trust(alice)), id);
    CHECK_MESSAGE(v.status == SignatureStatus::UnknownKey, v.detail);
  }

  TEST_CASE("OpenPGP: a trusted key signing for another committer email is an identity mismatch") {
    Lab lab;
    const auto alice = lab.pgp_key("Alice", "alice@example.com");
    const auto id = lab.pgp_commit("sign me", "alice@example.com", "GIT_COMMITTER_EMAIL=bob@example.com");
    const auto store = store_of(pgp_trust(alice));
    const auto v = lab.verdict(store, id);
    CHECK_MESSAGE(v.status == SignatureStatus::IdentityMismatch, v.detail);
    CHECK(v.detail.find("bob@example.com") != std::string::npos);
    CHECK(lab.verdict(store, id, /*must_match=*/false).status == SignatureStatus::Good);
  }

  TEST_CASE("OpenPGP: a commit re-created with another message but the same signature is a bad signature") {
    Lab lab;
    const auto alice = lab.pgp_key("Alice", "alice@example.com");
    const auto id = lab.pgp_commit("sign me", "alice@example.com", "GIT_COMMITTER_EMAIL=alice@example.com");
    const auto forged = lab.tamper(id);
    const auto store = store_of(pgp_trust(alice));
    REQUIRE(lab.verdict(store, id).status == SignatureStatus::Good);
    const auto v = lab.verdict(store, forged);
    CHECK_MESSAGE(v.status == SignatureStatus::BadSignature, v.detail);
    auto repo = vigil::git::Repo::discover(lab.repo_path());
    REQUIRE(repo.ok());
    const auto f = vigil::verify_commits(*repo, {forged}, store, SignaturePolicy{});
    REQUIRE(f.size() == 1);
    CHECK(f[0].rule_id == "signature.bad");
  }

  TEST_CASE("OpenPGP: a key that expired before the commit does not count; one that expired after it does") {
    // Deterministic expiry without waiting: the key is made and used at a faked time in 2020 with
    // a two-day lifetime, so it is long expired now.
    Lab lab;
    const std::string t0 = "1577836800";  // 2020-01-01
    const auto key = lab.pgp_key("Old", "old@example.com", "--faked-system-time " + t0, "2d");
    lab.k("printf '#!/bin/sh\\nexec gpg --faked-system-time 1577840000 \"$@\"\\n' > oldgpg && chmod +x oldgpg");
    const std::string signer = "-c gpg.program=" + lab.keys() + "/oldgpg -c user.signingkey=old@example.com -c commit.gpgsign=true";
    const std::string env = "GNUPGHOME=" + lab.home("pgp") + " GIT_COMMITTER_EMAIL=old@example.com ";
    // Made while the key was valid (2020-01-01 00:53): still good today.
    const auto before = lab.commit("sign me", signer, env + "GIT_COMMITTER_DATE='1577840000 +0000'");
    // Dated 2020-01-26, after the key expired on 2020-01-03.
    const auto after = lab.commit("sign me", signer, env + "GIT_COMMITTER_DATE='1580000000 +0000'");
    const auto store = store_of(pgp_trust(key));
    const auto vb = lab.verdict(store, before);
    CHECK_MESSAGE(vb.status == SignatureStatus::Good, vb.detail);
    const auto va = lab.verdict(store, after);
    CHECK_MESSAGE(va.status == SignatureStatus::ExpiredKey, va.detail);
    auto repo = vigil::git::Repo::discover(lab.repo_path());
    REQUIRE(repo.ok());
    const auto f = vigil::verify_commits(*repo, {before, after}, store, SignaturePolicy{});
    REQUIRE(f.size() == 1);
    CHECK(f[0].rule_id == "signature.expired-key");
    CHECK(f[0].commit == after);
  }

  TEST_CASE("OpenPGP: a revoked key fails even for commits it signed before") {
    Lab lab;
    lab.pgp_key("Alice", "alice@example.com");
    const auto id = lab.pgp_commit("sign me", "alice@example.com", "GIT_COMMITTER_EMAIL=alice@example.com");
    // gpg stores a revocation certificate for every new key, with its armor line defused by ':'.
    auto rv = lab.k("export GNUPGHOME=" + lab.home("pgp") +
                    " && for f in $GNUPGHOME/openpgp-revocs.d/*.rev; do sed 's/^:-----BEGIN/-----BEGIN/' $f | "
                    "gpg --batch --import; done");
    REQUIRE_MESSAGE(rv.status == 0, rv.err);
    const auto v = lab.verdict(store_of(pgp_trust(lab.pgp_export("alice@example.com"))), id);
    CHECK_MESSAGE(v.status == SignatureStatus::RevokedKey, v.detail);
  }

  TEST_CASE("SSH: good for an allowed signer, unknown key, identity mismatch and tampering") {
    Lab lab;
    const auto alice = lab.ssh_key("alice");
    lab.ssh_key("mallory");
    const auto good = lab.ssh_commit("sign me", "alice", "GIT_COMMITTER_EMAIL=alice@example.com");
    const auto stranger = lab.ssh_commit("sign me", "mallory", "GIT_COMMITTER_EMAIL=mallory@example.com");
    const auto other = lab.ssh_commit("sign me", "alice", "GIT_COMMITTER_EMAIL=bob@example.com");
    const auto forged = lab.tamper(good);
    const auto store = store_of(ssh_trust("alice@example.com namespaces=\"git\" " + alice + "\n"));
    CHECK(store.has_allowed_signers());

    const auto v = lab.verdict(store, good);
    CHECK_MESSAGE(v.status == SignatureStatus::Good, v.detail);
    CHECK(v.format == vigil::SignatureFormat::Ssh);
    CHECK(v.signer.rfind("SHA256:", 0) == 0);
    CHECK(lab.verdict(store, stranger).status == SignatureStatus::UnknownKey);
    const auto vo = lab.verdict(store, other);
    CHECK_MESSAGE(vo.status == SignatureStatus::IdentityMismatch, vo.detail);
    CHECK(lab.verdict(store, other, false).status == SignatureStatus::Good);
    const auto vf = lab.verdict(store, forged);
    CHECK_MESSAGE(vf.status == SignatureStatus::BadSignature, vf.detail);
  }

  TEST_CASE("SSH: the in-process check and ssh-keygen agree, for ed25519 and RSA keys") {
    Lab lab;
    const auto ed = lab.ssh_key("alice");
    REQUIRE(lab.k("ssh-keygen -q -t rsa -b 2048 -N '' -C bob -f bob").status == 0);
    const auto rsa = trim_nl(lab.k("cut -d' ' -f1,2 bob.pub").out);
    const auto a = lab.ssh_commit("sign me", "alice", "GIT_COMMITTER_EMAIL=alice@example.com");
    const auto b = lab.ssh_commit("sign me", "bob", "GIT_COMMITTER_EMAIL=bob@example.com");
    const auto b_as_alice = lab.ssh_commit("sign me", "bob", "GIT_COMMITTER_EMAIL=alice@example.com");
    const auto forged = lab.tamper(b);
    auto store = store_of(ssh_trust("alice@example.com " + ed + "\nbob@example.com,carol@example.com namespaces=\"git,file\" " +
                                    rsa + " bob's laptop\n"));
    const std::vector<std::pair<std::string, SignatureStatus>> cases = {
        {a, SignatureStatus::Good},
        {b, SignatureStatus::Good},
        {b_as_alice, SignatureStatus::IdentityMismatch},
        {forged, SignatureStatus::BadSignature}};
    std::vector<std::string> fast_signers;
    for (bool fast : {true, false}) {
      store.set_ssh_fast_path(fast);
      for (const auto& [id, want] : cases) {
        const auto v = lab.verdict(store, id);
        CHECK_MESSAGE(v.status == want, (std::string(fast ? "fast: " : "ssh-keygen: ") + v.detail));
        if (v.status == SignatureStatus::Good) fast_signers.push_back(v.signer);
      }
    }
    // Both paths name the signing key the same way ssh-keygen does.
    REQUIRE(fast_signers.size() == 4);
    CHECK(fast_signers[0] == fast_signers[2]);
    CHECK(fast_signers[1] == fast_signers[3]);
    CHECK(fast_signers[0] == trim_nl(lab.k("ssh-keygen -lf alice.pub | cut -d' ' -f2").out));
  }

  TEST_CASE("SSH: an allowed_signers entry outside its validity window counts as an expired key") {
    Lab lab;
    const auto alice = lab.ssh_key("alice");
    const auto id = lab.ssh_commit("sign me", "alice", "GIT_COMMITTER_EMAIL=alice@example.com GIT_COMMITTER_DATE='1580000000 +0000'");
    const auto store = store_of(ssh_trust("alice@example.com valid-before=\"20200101\" " + alice + "\n"));
    const auto v = lab.verdict(store, id);
    CHECK_MESSAGE(v.status == SignatureStatus::ExpiredKey, v.detail);
  }

  TEST_CASE("X.509: a certificate from a trusted CA is good; another CA's or a tampered commit is not") {
    Lab lab;
    const auto ca = lab.x509_user("acme", "alice", "alice@example.com", "smime-alice");
    lab.x509_user("rogue", "mallory", "mallory@example.com", "smime-mallory");
    const auto good = lab.x509_commit("sign me", "smime-alice", "alice@example.com", "GIT_COMMITTER_EMAIL=alice@example.com");
    const auto rogue = lab.x509_commit("sign me", "smime-mallory", "mallory@example.com", "GIT_COMMITTER_EMAIL=mallory@example.com");
    const auto other = lab.x509_commit("sign me", "smime-alice", "alice@example.com", "GIT_COMMITTER_EMAIL=bob@example.com");
    const auto forged = lab.tamper(good);
    std::string home;
    {
      const auto store = store_of(x509_trust(ca));
      home = store.home();
      CHECK(store.x509_ca_count() == 1);
      const auto v = lab.verdict(store, good);
      CHECK_MESSAGE(v.status == SignatureStatus::Good, v.detail);
      CHECK(v.format == vigil::SignatureFormat::X509);
      const auto vr = lab.verdict(store, rogue);
      CHECK_MESSAGE(vr.status == SignatureStatus::UnknownKey, vr.detail);
      const auto vo = lab.verdict(store, other);
      CHECK_MESSAGE(vo.status == SignatureStatus::IdentityMismatch, vo.detail);
      const auto vf = lab.verdict(store, forged);
      CHECK_MESSAGE(vf.status == SignatureStatus::BadSignature, vf.detail);
      CHECK(process_mentions(home));  // gpgsm needed an agent for the trustlist
    }
    // The private home and its gpg-agent are gone with the store.
    CHECK(lab.k("test -e '" + home + "'").status != 0);
    for (int i = 0; i < 200 && process_mentions(home); ++i) usleep(10000);  // it exits asynchronously
    CHECK_FALSE(process_mentions(home));
  }

  TEST_CASE("a signature of one format is an unknown key when only other formats are trusted") {
    Lab lab;
    lab.ssh_key("alice");
    const auto id = lab.ssh_commit("sign me", "alice", "GIT_COMMITTER_EMAIL=alice@example.com");
    const auto store = store_of(TrustedKeys{});
    CHECK(lab.verdict(store, id).status == SignatureStatus::UnknownKey);
  }

  TEST_CASE("annotated tags: a signed tag is good, an unsigned one is reported with the tag object id") {
    Lab lab;
    const auto key = lab.pgp_key("Alice", "alice@example.com");
    lab.commit("base");
    const std::string env = "GNUPGHOME=" + lab.home("pgp") + " GIT_COMMITTER_EMAIL=alice@example.com ";
    REQUIRE(lab.r(env + "git -c user.signingkey=alice@example.com tag -s -m 'release 1' v1").status == 0);
    REQUIRE(lab.r(env + "git tag -a -m 'release 2' v2").status == 0);
    const auto v1 = trim_nl(lab.r("git rev-parse refs/tags/v1").out);
    const auto v2 = trim_nl(lab.r("git rev-parse refs/tags/v2").out);
    auto repo = vigil::git::Repo::discover(lab.repo_path());
    REQUIRE(repo.ok());
    auto t1 = vigil::git::extract_tag_signature(*repo, v1);
    REQUIRE(t1.ok());
    CHECK(t1->is_signed());
    CHECK(t1->tag_name == "v1");
    CHECK(t1->email == "alice@example.com");
    CHECK(t1->payload.find("release 1") != std::string::npos);
    CHECK(t1->payload.find("BEGIN PGP") == std::string::npos);

    const auto store = store_of(pgp_trust(key));
    const auto f = vigil::verify_tags(*repo, {v1, v2}, store, SignaturePolicy{});
    REQUIRE(f.size() == 1);
    CHECK(f[0].rule_id == "signature.unsigned");
    CHECK(f[0].commit == v2);
    CHECK(f[0].note.find("git tag -s") != std::string::npos);
  }

  TEST_CASE("a push that adds its own key to the trusted file is judged by the keys of the old tip") {
    Lab lab;
    const auto alice = lab.ssh_key("alice");
    const auto mallory = lab.ssh_key("mallory");
    lab.r("mkdir -p .vigil");
    lab.r("echo 'alice@example.com " + alice + "' > .vigil/allowed_signers && git add .vigil");
    const auto old_tip = lab.ssh_commit("sign me", "alice", "GIT_COMMITTER_EMAIL=alice@example.com");
    lab.r("echo 'mallory@example.com " + mallory + "' >> .vigil/allowed_signers && git add .vigil");
    const auto pushed = lab.ssh_commit("sign me", "mallory", "GIT_COMMITTER_EMAIL=mallory@example.com");

    auto repo = vigil::git::Repo::discover(lab.repo_path());
    REQUIRE(repo.ok());
    SignaturePolicy policy;
    auto from_old = vigil::load_trusted_keys(*repo, old_tip, policy);
    REQUIRE(from_old.ok());
    REQUIRE(from_old->allowed_signers.size() == 1);
    CHECK(from_old->allowed_signers[0].source == old_tip + ":.vigil/allowed_signers");
    const auto store = store_of(*from_old);
    const auto f = vigil::verify_commits(*repo, {pushed}, store, policy);
    REQUIRE(f.size() == 1);
    CHECK(f[0].rule_id == "signature.unknown-key");
    // The same keys read from the pushed tip would have passed it: that is what must not happen.
    auto from_new = vigil::load_trusted_keys(*repo, pushed, policy);
    REQUIRE(from_new.ok());
    CHECK(vigil::verify_commits(*repo, {pushed}, store_of(*from_new), policy).empty());
  }

  TEST_CASE("trusted key loading: a rev that does not resolve trusts nobody; a key file without a key is an error") {
    Lab lab;
    auto repo = vigil::git::Repo::discover(lab.repo_path());
    REQUIRE(repo.ok());
    auto none = vigil::load_trusted_keys(*repo, "0000000000000000000000000000000000000000", SignaturePolicy{});
    REQUIRE(none.ok());
    CHECK(none->empty());
    auto bad = TrustStore::build(pgp_trust("not a key\n"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("test.asc") != std::string::npos);
  }
}
