// Unit tests: the [signatures] table, ref matching, signature format and block detection.
#include <doctest/doctest.h>

#include "detectors/git/signature_extract.h"
#include "detectors/policy/config.h"
#include "detectors/policy/signature_policy.h"
#include "detectors/signatures/sshsig.h"
#include "detectors/signatures/verifier.h"

using vigil::parse_config;

TEST_CASE("without a [signatures] table nothing requires signatures") {
  auto c = parse_config("", "t.toml");
  REQUIRE(c.ok());
  CHECK_FALSE(c->signatures.configured);
  CHECK_FALSE(vigil::signatures_required(c->signatures, "refs/heads/main"));
  CHECK(c->signatures.identity_must_match);
}

TEST_CASE("an empty [signatures] table requires every branch, not tags, with the default key files") {
  auto c = parse_config("[signatures]\n", "t.toml");
  REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().message));
  const auto& s = c->signatures;
  CHECK(s.configured);
  CHECK(vigil::signatures_required(s, "refs/heads/main"));
  CHECK(vigil::signatures_required(s, "refs/heads/feature/x"));
  CHECK_FALSE(vigil::signatures_required(s, "refs/tags/v1"));
  CHECK_FALSE(vigil::tag_signature_required(s, "refs/tags/v1"));
  CHECK(s.allowed_signers == std::vector<std::string>{".vigil/allowed_signers"});
  CHECK(s.openpgp_keys == std::vector<std::string>{".vigil/keys/*.asc"});
  CHECK(s.x509_cas == std::vector<std::string>{".vigil/certs/*.pem"});
}

TEST_CASE("[signatures] reads require globs, tags, identity binding and key paths") {
  auto c = parse_config(
      "[signatures]\nrequire = [\"refs/heads/main\", \"refs/heads/release/*\"]\nrequire_tags = true\n"
      "identity_must_match = false\nallowed_signers = [\"keys/signers\"]\nopenpgp_keys = [\"keys/*.asc\"]\n"
      "x509_cas = []\n",
      "t.toml");
  REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().message));
  const auto& s = c->signatures;
  CHECK(vigil::signatures_required(s, "refs/heads/main"));
  CHECK(vigil::signatures_required(s, "refs/heads/release/2.0"));
  CHECK_FALSE(vigil::signatures_required(s, "refs/heads/dev"));
  CHECK(vigil::tag_signature_required(s, "refs/tags/v1"));
  CHECK_FALSE(vigil::tag_signature_required(s, "refs/heads/main"));
  CHECK_FALSE(s.identity_must_match);
  CHECK(s.allowed_signers == std::vector<std::string>{"keys/signers"});
  CHECK(s.x509_cas.empty());
  CHECK(vigil::trusted_key_globs(s) == std::vector<std::string>{"keys/signers", "keys/*.asc"});
}

TEST_CASE("[signatures] errors name the file, the line and a suggestion") {
  auto c = parse_config("[signatures]\nrequire_tag = true\n", "t.toml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message.find("t.toml:2") != std::string::npos);
  CHECK(c.error().message.find("require_tags") != std::string::npos);
  auto t = parse_config("[signatures]\nidentity_must_match = \"yes\"\n", "t.toml");
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().message.find("true or false") != std::string::npos);
  auto r = parse_config("[signatures]\nrequire = [\"main\"]\n", "t.toml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("refs/") != std::string::npos);
  auto n = parse_config("signatures = 1\n", "t.toml");
  REQUIRE_FALSE(n.ok());
}

TEST_CASE("the signature block of a tag is the last block that starts with a known armor line") {
  const std::string head = "object 1\ntype commit\ntag v1\ntagger A <a@x> 1 +0000\n\nmsg\n";
  CHECK(vigil::git::signed_buffer_end(head) == head.size());
  const std::string sig = "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n";
  CHECK(vigil::git::signed_buffer_end(head + sig) == head.size());
  // A quoted armor line inside the message is not the signature; the last one is.
  const std::string quoted = head + "-----BEGIN PGP SIGNATURE-----\nquoted\n";
  CHECK(vigil::git::signed_buffer_end(quoted + sig) == quoted.size());
  // Not at the start of a line: no signature.
  const std::string indented = head + " -----BEGIN PGP SIGNATURE-----\n";
  CHECK(vigil::git::signed_buffer_end(indented) == indented.size());
}

TEST_CASE("signature format comes from the armor line; rule ids per status") {
  using vigil::SignatureFormat;
  CHECK(vigil::signature_format("") == SignatureFormat::None);
  CHECK(vigil::signature_format("-----BEGIN PGP SIGNATURE-----\n") == SignatureFormat::OpenPgp);
  CHECK(vigil::signature_format("-----BEGIN SSH SIGNATURE-----\n") == SignatureFormat::Ssh);
  CHECK(vigil::signature_format("-----BEGIN SIGNED MESSAGE-----\n") == SignatureFormat::X509);
  CHECK(vigil::signature_format("garbage") == SignatureFormat::Unknown);
  using vigil::SignatureStatus;
  CHECK(std::string(vigil::signature_rule_id(SignatureStatus::Unsigned)) == "signature.unsigned");
  CHECK(std::string(vigil::signature_rule_id(SignatureStatus::BadSignature)) == "signature.bad");
  CHECK(std::string(vigil::signature_rule_id(SignatureStatus::UnknownKey)) == "signature.unknown-key");
  CHECK(std::string(vigil::signature_rule_id(SignatureStatus::ExpiredKey)) == "signature.expired-key");
  CHECK(std::string(vigil::signature_rule_id(SignatureStatus::RevokedKey)) == "signature.revoked-key");
  CHECK(std::string(vigil::signature_rule_id(SignatureStatus::IdentityMismatch)) == "signature.identity-mismatch");
  CHECK(std::string(vigil::signature_rule_id(SignatureStatus::Good)).empty());
}

TEST_CASE("the SSH fast path uses only entries with literal principals and no options but namespaces") {
  const std::string key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINJyjb8Di9eh87OgG5aKe3NEAZuEk/1gZskoTgI5gKw2";
  const auto s = vigil::sshsig::simple_signers(
      "# comment\n"
      "alice@example.com " +
      key + "\n"
            "bob@example.com,*@corp.example namespaces=\"git\" " +
      key + " comment\n"
            "carol@example.com valid-before=\"20300101\" " +
      key + "\n"
            "dave@example.com namespaces=\"file\" " +
      key + "\n"
            "*@example.com " +
      key + "\n"
            "erin@example.com ssh-rsa " +
      key.substr(12) + "\n");  // type on the line != type in the blob
  REQUIRE(s.size() == 2);
  CHECK(s[0].principals == std::vector<std::string>{"alice@example.com"});
  CHECK(s[1].principals == std::vector<std::string>{"bob@example.com"});
  CHECK(vigil::sshsig::fingerprint(s[0].key_blob).rfind("SHA256:", 0) == 0);
  CHECK_FALSE(vigil::sshsig::verify_fast(s, "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n",
                                         "payload", "alice@example.com"));
}
