// SignerPolicy: who may change what. Signer groups (`[signers.<group>] members = [...]`, members
// named by the principal their trusted key is bound to) and the [[files]] rules that protect paths
// with a group (`signers = "<group>"`): a change to such a path must carry a member's signature,
// or (approval = "merge") be brought by a merge commit a member other than its author signed.
// The `policy` group guards the trust policy itself (.vigil.toml and .vigil/). Git-agnostic.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// The group whose members may change the trust policy (.vigil.toml, .vigil/).
inline constexpr std::string_view kPolicyGroup = "policy";
/// The id of the built-in rule that protects the trust policy with the `policy` group.
inline constexpr std::string_view kPolicyRuleId = "signers.policy";

struct SignerGroup {
  std::string name;
  std::vector<std::string> members;  // principals, lower-case (e-mail or allowed_signers principal)
  std::string where;                 // "file:line"
};

enum class SignerApproval {
  Signed,  // the commit itself carries a member's good signature
  Merge,   // or a signed merge by a member who is not the change's author brings it
};
const char* to_string(SignerApproval a);

/// One [[files]] entry with `signers = "<group>"`.
struct SignerRule {
  std::string id;                  // "files.<n>" unless given
  std::vector<std::string> globs;  // gitignore-style, matched without regard to case
  unsigned on = (1u << 5) - 1;     // ChangeType bits (file_policy.h), default every type
  std::string group;
  SignerApproval approval = SignerApproval::Signed;
  std::vector<std::string> refs;  // ref globs the rule judges; empty = every ref
  std::string reason;
  std::string where;
};

struct SignerPolicy {
  std::vector<SignerGroup> groups;
  std::vector<SignerRule> rules;
};

const SignerGroup* find_group(const SignerPolicy& policy, std::string_view name);

/// True when `path` matches one of the rule's globs, compared case-folded (and NFC-normalized)
/// on both sides: on a case-insensitive checkout "SRC/Auth/x" is the file "src/auth/x".
bool signer_rule_matches_path(const SignerRule& rule, std::string_view path);

/// True when the rule judges commits that land on `ref` (full name).
bool signer_rule_applies_to_ref(const SignerRule& rule, std::string_view ref);

/// The built-in rule guarding .vigil.toml and .vigil/ with the `policy` group, on every ref.
SignerRule policy_signer_rule();

/// Configuration errors that need the whole policy: a rule naming a group nobody defined.
/// Empty when consistent; else "file:line: what — what to do".
std::string signer_policy_problem(const SignerPolicy& policy);

}  // namespace vigil
