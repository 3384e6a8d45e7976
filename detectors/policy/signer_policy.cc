// SignerPolicy (see signer_policy.h): group look-up and path / ref matching.
#include "detectors/policy/signer_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "detectors/policy/file_policy.h"
#include "detectors/policy/ref_policy.h"
#include "detectors/util/glob.h"

namespace vigil {

const char* to_string(SignerApproval a) { return a == SignerApproval::Merge ? "merge" : "signed"; }

const SignerGroup* find_group(const SignerPolicy& policy, std::string_view name) {
  for (const auto& g : policy.groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

bool signer_rule_matches_path(const SignerRule& rule, std::string_view path) {
  // The same fold on both sides; a glob's bracket classes fold with it ("[A-Z]" becomes "[a-z]").
  const std::string folded = collision_key(path);
  return std::any_of(rule.globs.begin(), rule.globs.end(), [&](const std::string& g) {
    return glob_match(g, path) || glob_match(collision_key(g), folded);
  });
}

bool signer_rule_applies_to_ref(const SignerRule& rule, std::string_view ref) {
  return rule.refs.empty() ||
         std::any_of(rule.refs.begin(), rule.refs.end(), [&](const std::string& g) { return ref_glob_match(g, ref); });
}

SignerRule policy_signer_rule() {
  SignerRule r;
  r.id = std::string(kPolicyRuleId);
  r.globs = {"/.vigil.toml", "/.vigil/"};
  r.group = std::string(kPolicyGroup);
  r.reason = "the trust policy (rules, signer groups, trusted keys) changes only with the signature of a member "
             "of the policy group as the current policy defines it";
  r.where = "<built-in>";
  return r;
}

std::string signer_policy_problem(const SignerPolicy& policy) {
  for (const auto& r : policy.rules) {
    if (find_group(policy, r.group)) continue;
    std::vector<std::string> names;
    for (const auto& g : policy.groups) names.push_back(g.name);
    return fmt::format("{}: [[files]] rule '{}' names signer group '{}', which no [signers.{}] table defines — "
                       "define it (members = [\"you@example.org\"]){}",
                       r.where, r.id, r.group, r.group,
                       names.empty() ? std::string() : fmt::format(" or use one of: {}", fmt::join(names, ", ")));
  }
  return {};
}

}  // namespace vigil
