// SignerPolicy: parsing [signers.<group>] and signer rules, matching paths without regard to case,
// and the merge under a server floor (a repository cannot loosen a floor group or trust root).
#include <doctest/doctest.h>

#include <algorithm>

#include "detectors/policy/config.h"
#include "detectors/policy/server_policy.h"
#include "detectors/policy/signer_policy.h"

using namespace vigil;

namespace {

Config config(const std::string& text) {
  auto c = parse_config("version = 1\n" + text, ".vigil.toml", RuleDetail::Scan);
  REQUIRE_MESSAGE(c, (c ? "" : c.error().message));
  return std::move(*c);
}

const char* kGroups =
    "[signers.maintainers]\nmembers = [\"Alice@Example.org\", \"bob@example.org\"]\n"
    "[[files]]\nglob = \"src/auth/**\"\nsigners = \"maintainers\"\napproval = \"merge\"\non = [\"modify\", \"delete\"]\n"
    "refs = [\"refs/heads/main\"]\nreason = \"auth\"\n"
    "[[files]]\nglob = \"*.pem\"\nreason = \"no keys\"\n";

}  // namespace

TEST_CASE("signer policy: groups and signer rules parse beside ordinary [[files]] rules") {
  const auto c = config(kGroups);
  REQUIRE(c.signers.groups.size() == 1);
  CHECK(c.signers.groups[0].members == std::vector<std::string>{"alice@example.org", "bob@example.org"});
  REQUIRE(c.signers.rules.size() == 1);
  const auto& r = c.signers.rules[0];
  CHECK(r.id == "files.1");
  CHECK(r.group == "maintainers");
  CHECK(r.approval == SignerApproval::Merge);
  CHECK(r.on == (kOnModify | kOnDelete));
  CHECK(r.refs == std::vector<std::string>{"refs/heads/main"});
  // The other entry stays an ordinary rule, numbered by its place in the file.
  REQUIRE(c.files.rules.size() == 1);
  CHECK(c.files.rules[0].id == "files.2");
}

TEST_CASE("signer policy: paths match without regard to case or Unicode normalization; refs by glob") {
  const auto r = config(kGroups).signers.rules.at(0);
  CHECK(signer_rule_matches_path(r, "src/auth/login.c"));
  CHECK(signer_rule_matches_path(r, "SRC/Auth/login.c"));
  CHECK(signer_rule_matches_path(r, "src/auth/deep/x.c"));
  CHECK_FALSE(signer_rule_matches_path(r, "src/authx/login.c"));
  CHECK_FALSE(signer_rule_matches_path(r, "lib/src/auth/login.c"));
  CHECK(signer_rule_applies_to_ref(r, "refs/heads/main"));
  CHECK_FALSE(signer_rule_applies_to_ref(r, "refs/heads/topic"));
  const auto p = policy_signer_rule();
  CHECK(signer_rule_matches_path(p, ".vigil.toml"));
  CHECK(signer_rule_matches_path(p, ".vigil/allowed_signers"));
  CHECK(signer_rule_matches_path(p, ".VIGIL/keys/a.asc"));
  CHECK_FALSE(signer_rule_matches_path(p, "docs/.vigil.toml"));
  CHECK(signer_rule_applies_to_ref(p, "refs/tags/v1"));
}

TEST_CASE("signer policy: the floor's groups and trust roots survive a repository's policy") {
  std::vector<std::string> notes;
  const auto floor = config(
      "[signers.policy]\nmembers = [\"admin@example.org\"]\n"
      "[signers.maintainers]\nmembers = [\"alice@example.org\"]\n"
      "[[files]]\nglob = \"ci/**\"\nsigners = \"maintainers\"\nreason = \"floor\"\n"
      "[server]\ntrust_root = [\"/etc/vigil/root.pub\"]\n");
  const auto repo = config(
      "[signers.policy]\nmembers = [\"mallory@example.org\"]\n"
      "[signers.maintainers]\nmembers = [\"alice@example.org\", \"mallory@example.org\"]\n"
      "[signers.docs]\nmembers = [\"dora@example.org\"]\n"
      "[[files]]\nglob = \"docs/**\"\nsigners = \"docs\"\nreason = \"repo\"\n"
      "[server]\ntrust_root = [\"SHA256:attacker\"]\n");
  const auto eff = tighten(floor, repo, notes);
  REQUIRE(find_group(eff.signers, "policy"));
  CHECK(find_group(eff.signers, "policy")->members == std::vector<std::string>{"admin@example.org"});
  CHECK(find_group(eff.signers, "maintainers")->members == std::vector<std::string>{"alice@example.org"});
  REQUIRE(find_group(eff.signers, "docs"));
  CHECK(eff.signers.rules.size() == 2);
  CHECK(eff.server.trust_root == std::vector<std::string>{"/etc/vigil/root.pub"});
  CHECK(std::count_if(notes.begin(), notes.end(), [](const std::string& n) {
          return n.find("signer group") != std::string::npos;
        }) == 2);
}
