// Signer groups with OpenPGP and X.509 keys, end to end: a member's OpenPGP or S/MIME-signed change
// to a protected path lands, and an OpenPGP key revoked by a signed policy commit stops counting.
#include <doctest/doctest.h>

#include <string>

#include "tests/e2e/signer_site.h"
#include "tests/support/temp_repo.h"

using vigil::test::sh;
using vigil::test::Site;
using vigil::test::trim_nl;

namespace {

/// A GnuPG home under the site's key directory, with agents stopped at the end of the test.
class GpgHome {
 public:
  GpgHome(const Site& s, const std::string& name) : path_(s.keys() + "/" + name) {
    REQUIRE(sh(s.keys(), "mkdir -m 700 " + name).status == 0);
  }
  ~GpgHome() { sh("/", "gpgconf --homedir '" + path_ + "' --kill all"); }
  GpgHome(const GpgHome&) = delete;
  GpgHome& operator=(const GpgHome&) = delete;
  const std::string& path() const { return path_; }
  std::string env() const { return "GNUPGHOME=" + path_; }

 private:
  std::string path_;
};

/// A certificate for <who>@example.org from the test CA `ca` (made on first use), imported with its
/// key into `home` for gpgsm to sign with. Returns the CA certificate (PEM).
std::string x509_user(const Site& s, const GpgHome& home, const std::string& who) {
  const std::string email = who + "@example.org";
  const std::string script =
      "set -e\n"
      "[ -f ca.pem ] || openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 "
      "-subj '/CN=Test CA' -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign "
      "2>/dev/null\n"
      "openssl req -newkey rsa:2048 -nodes -keyout " +
      who + ".key -out " + who + ".csr -subj '/CN=" + who +
      "/emailAddress=" + email + "' 2>/dev/null\n"
                                 "printf 'basicConstraints=CA:FALSE\\nkeyUsage=critical,digitalSignature\\nsubjectAltName=email:" +
      email +
      "\\nextendedKeyUsage=emailProtection\\n' > " + who + ".ext\n"
                                                           "openssl x509 -req -in " +
      who + ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -out " + who +
      ".crt -days 3650 -extfile " + who + ".ext 2>/dev/null\n"
                                          "export GNUPGHOME=" +
      home.path() + "\n"
                    "echo disable-crl-checks > $GNUPGHOME/gpgsm.conf\n"
                    "echo \"$(openssl x509 -in ca.pem -noout -fingerprint -sha1 | cut -d= -f2) S relax\" > $GNUPGHOME/trustlist.txt\n"
                    // gpgsm 2.2 reads only the old PKCS#12 ciphers and now and then fails one; a fresh salt fixes it.
                    "for try in 1 2 3 4 5 6; do\n"
                    "  openssl pkcs12 -export -certpbe NONE -keypbe PBE-SHA1-3DES -macalg sha1 -inkey " +
      who + ".key -in " + who +
      ".crt -out " + who + ".p12 -passout pass:\n"
                           "  echo | gpgsm --batch --pinentry-mode loopback --passphrase-fd 0 --import " +
      who + ".p12 2>/dev/null && "
            "gpgsm --list-secret-keys " +
      email + " >/dev/null 2>&1 && break\n"
              "done\n"
              "gpgsm --list-secret-keys " +
      email + " >/dev/null\n"
              "gpgsm --batch --import ca.pem 2>/dev/null\n";
  auto g = sh(s.keys(), script);
  REQUIRE_MESSAGE(g.status == 0, g.err);
  return sh(s.keys(), "cat ca.pem").out;
}

/// The policy: alice and bob maintain src/auth/ (OpenPGP or X.509 keys, by e-mail); admin (SSH)
/// guards the policy.
const char* kKeysPolicy =
    "version = 1\n"
    "[signers.policy]\nmembers = [\"admin@example.org\"]\n"
    "[signers.maintainers]\nmembers = [\"alice@example.org\", \"bob@example.org\"]\n"
    "[[files]]\nglob = \"src/auth/**\"\nsigners = \"maintainers\"\nreason = \"authentication code needs a maintainer\"\n";

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("signer groups with OpenPGP keys: a member signs, and a revoked key stops counting") {
    Site s("", false);
    GpgHome pgp(s, "pgp");
    for (const char* who : {"alice", "mallory"}) {
      auto g = sh(s.keys(), pgp.env() + " gpg --batch --passphrase '' --quick-gen-key '" + std::string(who) + " <" + who +
                                "@example.org>' ed25519 sign never");
      REQUIRE_MESSAGE(g.status == 0, g.err);
    }
    const auto export_key = [&](const std::string& who) {
      auto e = sh(s.keys(), pgp.env() + " gpg --armor --export " + who + "@example.org");
      REQUIRE(e.status == 0);
      return e.out;
    };
    s.write("src/auth/login.c", "int login(void) { return 0; }\n");
    s.write(".vigil.toml", kKeysPolicy);
    s.write(".vigil/allowed_signers", s.signer_line("admin"));
    s.write(".vigil/keys/alice.asc", export_key("alice"));
    s.write(".vigil/keys/mallory.asc", export_key("mallory"));
    s.land();
    const auto base = s.server("main");
    const auto pgp_commit = [&](const std::string& who) {
      REQUIRE(s.git("git add -A").status == 0);
      auto c = s.git(s.identity(who) + " " + pgp.env() + " git -c user.signingkey=" + who +
                     "@example.org -c commit.gpgsign=true commit -q --no-verify -m change && git rev-parse HEAD");
      REQUIRE_MESSAGE(c.status == 0, c.err);
      return trim_nl(c.out);
    };

    s.write("src/auth/login.c", "int login(void) { return 1; }\n");
    pgp_commit("mallory");
    auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("not a member") != std::string::npos);
    CHECK(s.server("main") == base);

    REQUIRE(s.git("git reset -q --soft HEAD~1").status == 0);
    const auto good = pgp_commit("alice");
    r = s.push("HEAD:main");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server("main") == good);

    // The admin replaces alice's key by its revoked copy (gpg's own revocation certificate, applied
    // in a copy of the keyring: alice's own keyring, like a stolen key, can still sign).
    const auto fpr = trim_nl(sh(s.keys(), pgp.env() + " gpg --with-colons --list-keys alice@example.org | "
                                                      "awk -F: '/^fpr/ {print $10; exit}'")
                                 .out);
    REQUIRE(!fpr.empty());
    GpgHome revoked(s, "pgp-revoked");
    REQUIRE(sh(s.keys(), "cp " + pgp.path() + "/pubring.kbx " + revoked.path() + "/ && sed 's/^:-----/-----/' " +
                             pgp.path() + "/openpgp-revocs.d/" + fpr + ".rev | " + revoked.env() +
                             " gpg --batch --import 2>/dev/null")
                .status == 0);
    auto e = sh(s.keys(), revoked.env() + " gpg --armor --export alice@example.org");
    REQUIRE(e.status == 0);
    s.write(".vigil/keys/alice.asc", e.out);
    const auto revoke = s.add_commit("admin", "admin", "revoke alice");
    r = s.push("HEAD:main");
    CHECK_MESSAGE(r.status == 0, r.err);
    REQUIRE(s.server("main") == revoke);

    // A new commit signed with the revoked key does not land.
    s.write("src/auth/login.c", "int login(void) { return 2; }\n");
    pgp_commit("alice");
    r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("revoked") != std::string::npos);
    CHECK(s.server("main") == revoke);
    // The history alice signed before the revocation stays on main, and the next change lands.
    s.reset();
    s.write("src/app.c", "int main(void) { return 1; }\n");
    const auto next = s.add_commit("mallory", "");
    r = s.push("HEAD:main");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server("main") == next);
    CHECK(sh(s.bare(), "git merge-base --is-ancestor " + good + " main").status == 0);
  }

  TEST_CASE("signer groups with X.509 certificates: a member's S/MIME signature counts, a non-member's does not") {
    Site s("", false);
    GpgHome alice(s, "x509-alice");
    GpgHome mallory(s, "x509-mallory");
    const auto ca = x509_user(s, alice, "alice");
    x509_user(s, mallory, "mallory");
    s.write("src/auth/login.c", "int login(void) { return 0; }\n");
    s.write(".vigil.toml", kKeysPolicy);
    s.write(".vigil/allowed_signers", s.signer_line("admin"));
    s.write(".vigil/certs/ca.pem", ca);
    s.land();
    const auto base = s.server("main");
    const auto x509_commit = [&](const std::string& who, const GpgHome& home) {
      REQUIRE(s.git("git add -A").status == 0);
      auto c = s.git(s.identity(who) + " " + home.env() + " git -c gpg.format=x509 -c user.signingkey=" + who +
                     "@example.org -c commit.gpgsign=true commit -q --no-verify -m change && git rev-parse HEAD");
      REQUIRE_MESSAGE(c.status == 0, c.err);
      return trim_nl(c.out);
    };
    s.write("src/auth/login.c", "int login(void) { return 1; }\n");
    x509_commit("mallory", mallory);
    auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("not a member") != std::string::npos);
    CHECK(s.server("main") == base);

    REQUIRE(s.git("git reset -q --soft HEAD~1").status == 0);
    const auto good = x509_commit("alice", alice);
    r = s.push("HEAD:main");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server("main") == good);
  }
}
