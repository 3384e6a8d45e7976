// The in-process OpenPGP check (detectors/signatures/pgpsig.h) against signatures gpg makes here:
// it says "valid, by this key, at this time" exactly when gpg would, and nothing otherwise.
#include <doctest/doctest.h>

#include <string>

#include "detectors/signatures/pgpsig.h"
#include "tests/support/temp_repo.h"

using vigil::test::sh;
using vigil::test::TempDir;

TEST_SUITE("e2e") {
  TEST_CASE("pgpsig: Ed25519 and RSA signatures by gpg verify in-process; a changed payload or another key does not") {
    TempDir dir;
    REQUIRE(sh(dir.path(), "mkdir -m 700 g").status == 0);
    const std::string env = "GNUPGHOME=" + dir.path() + "/g ";
    for (const auto& [who, algo] : {std::pair<std::string, std::string>{"ed", "ed25519"}, {"rsa", "rsa3072"}, {"other", "ed25519"}}) {
      auto g = sh(dir.path(), env + "gpg --batch --passphrase '' --quick-gen-key '" + who + " <" + who + "@example.org>' " +
                                  algo + " sign never");
      REQUIRE_MESSAGE(g.status == 0, g.err);
    }
    const std::string payload = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor a <a@x> 1 +0000\n\nmessage\n";
    dir.write("payload", payload);
    const auto keys_of = [&](const std::string& who) {
      return vigil::pgpsig::parse_public_keys(sh(dir.path(), env + "gpg --armor --export " + who + "@example.org").out);
    };
    const auto sign = [&](const std::string& who, const std::string& digest) {
      auto s = sh(dir.path(), env + "gpg --batch --armor --detach-sign --digest-algo " + digest + " -u " + who +
                                  "@example.org -o - payload");
      REQUIRE_MESSAGE(s.status == 0, s.err);
      return s.out;
    };
    for (const std::string who : {"ed", "rsa"}) {
      const auto keys = keys_of(who);
      REQUIRE(keys.size() == 1);
      const auto fpr = sh(dir.path(), env + "gpg --with-colons --list-keys " + who +
                                          "@example.org | awk -F: '/^fpr/ {print $10; exit}'")
                           .out;
      CHECK(fpr.rfind(keys[0].fingerprint, 0) == 0);
      for (const std::string digest : {"SHA256", "SHA512"}) {
        const auto sig = sign(who, digest);
        const auto ok = vigil::pgpsig::verify_fast(keys, sig, payload);
        REQUIRE(ok);
        CHECK(ok->fingerprint == keys[0].fingerprint);
        CHECK(ok->created > 1600000000);
        CHECK_FALSE(vigil::pgpsig::verify_fast(keys, sig, payload + " "));
        CHECK_FALSE(vigil::pgpsig::verify_fast(keys_of("other"), sig, payload));
      }
    }
    // A signature with a field the fast path does not judge (an expiry) is left to gpg.
    auto s = sh(dir.path(), env + "gpg --batch --armor --detach-sign --default-sig-expire 1y -u ed@example.org -o - payload");
    REQUIRE(s.status == 0);
    CHECK_FALSE(vigil::pgpsig::verify_fast(keys_of("ed"), s.out, payload));
    sh(dir.path(), "gpgconf --homedir " + dir.path() + "/g --kill all");
  }
}
