// The merge table: how tighten() merges every field of Config (and of the structs it holds) when a
// repository's .vigil.toml meets the server floor. tighten.cc checks at compile time that each
// struct has exactly as many fields as the table lists, so a new field without a merge rule does
// not build; docs/governance.md shows the same table to users.
#pragma once

#include <cstddef>
#include <string_view>

namespace vigil {

struct MergeRule {
  std::string_view type;   // the struct
  std::string_view field;  // the member, in declaration order
  std::string_view merge;  // what tighten() does with the repository's value
};

// clang-format off
inline constexpr MergeRule kMergeTable[] = {
  {"Config", "settings", "field by field (Settings)"},
  {"Config", "rules", "floor's rules stay; a repository rule with a new id is added, in the mode the repository names (else the floor's default); one with a floor id raises severity and mode only (Rule)"},
  {"Config", "allows", "floor's; the repository's only with [server] repo_allows = true (else noted)"},
  {"Config", "waivers", "floor's + the repository's that meet the floor's waiver limits (others noted)"},
  {"Config", "family_modes", "per family the higher mode; every rule's mode is the higher of both sides' (noted when lower)"},
  {"Config", "signatures", "field by field (SignaturePolicy)"},
  {"Config", "signers", "field by field (SignerPolicy)"},
  {"Config", "files", "field by field (FilePolicy)"},
  {"Config", "messages", "floor's, plus the repository's [messages] judged on its own (added)"},
  {"Config", "refs", "floor's, plus the repository's [refs] judged on its own (added)"},
  {"Config", "pushers", "field by field (PusherPolicy)"},
  {"Config", "ai", "field by field (AiPolicy)"},
  {"Config", "server", "floor's only; a repository [server] table is noted and ignored (its min_mode already raised governance)"},
  {"Config", "report", "field by field (ReportSettings)"},
  {"Config", "source", "floor's"},
  {"Config", "hash", "floor hash + repository hash (the rules version names both)"},

  {"Settings", "mode", "the higher; a repository that names no mode inherits the floor's (noted when lower)"},
  {"Settings", "fail_on", "the lower severity (noted when higher)"},
  {"Settings", "max_file_size", "the larger: fewer blobs skipped (noted when smaller)"},
  {"Settings", "builtin_rules", "floor's (builtin_rules = false noted)"},
  {"Settings", "decode_depth", "the deeper (noted when shallower)"},
  {"Settings", "max_candidates", "the larger: more candidates confirmed, fewer bound hits (noted when smaller)"},
  {"Settings", "inline_allow", "true only if both allow"},
  {"Settings", "disabled_rules", "floor's (disabling a floor rule is noted)"},
  {"Settings", "governance", "field by field (GovernanceSettings)"},

  {"GovernanceSettings", "min_mode", "per severity the higher (noted when lower)"},
  {"GovernanceSettings", "waiver_max_days", "the shorter (noted when longer)"},
  {"GovernanceSettings", "waiver_reason_regexes", "both sides' (a reason must match all)"},
  {"GovernanceSettings", "inline_allow_max_severity", "the lower (noted when higher)"},
  {"GovernanceSettings", "allow_skip", "true only if both allow"},
  {"GovernanceSettings", "mode_explicit", "either"},

  {"SignaturePolicy", "configured", "either"},
  {"SignaturePolicy", "require", "union"},
  {"SignaturePolicy", "require_tags", "either"},
  {"SignaturePolicy", "identity_must_match", "either where the floor has [signatures], else the repository's (false noted)"},
  {"SignaturePolicy", "allowed_signers", "floor's when the floor has [signatures], else the repository's (other key files noted)"},
  {"SignaturePolicy", "openpgp_keys", "as allowed_signers"},
  {"SignaturePolicy", "x509_cas", "as allowed_signers"},

  {"SignerPolicy", "groups", "floor's groups stay as the floor wrote them (a repository's other members for a floor group are noted, not added); a group only the repository defines is added"},
  {"SignerPolicy", "rules", "floor's + the repository's (each judged with the merged groups)"},
  {"SignerGroup", "name", "the key: same name = same group"},
  {"SignerGroup", "members", "floor's for a floor group, else the repository's"},
  {"SignerGroup", "where", "of the side whose group applies"},
  {"SignerRule", "id", "whole entry (SignerPolicy.rules): a repository rule only adds requirements"},
  {"SignerRule", "globs", "whole entry"},
  {"SignerRule", "on", "whole entry"},
  {"SignerRule", "group", "whole entry"},
  {"SignerRule", "approval", "whole entry"},
  {"SignerRule", "refs", "whole entry"},
  {"SignerRule", "reason", "whole entry"},
  {"SignerRule", "where", "whole entry"},

  {"FilePolicy", "rules", "floor's + the repository's (each [[files]] rule keeps its own action)"},
  {"FilePolicy", "case_collision", "the stricter action; a repository that does not name the check inherits the floor's (noted when looser)"},
  {"FilePolicy", "unsafe_name", "as case_collision"},
  {"FilePolicy", "path_traversal", "as case_collision"},

  {"PathCheck", "action", "the stricter: block > warn > off"},
  {"PathCheck", "reason", "the reason of the side whose action applies"},
  {"PathCheck", "named", "either"},

  {"MessagePolicy", "subject", "floor's (the repository's is judged in added)"},
  {"MessagePolicy", "max_subject_length", "floor's (the repository's is judged in added)"},
  {"MessagePolicy", "trailers", "floor's (the repository's are judged in added)"},
  {"MessagePolicy", "forbidden", "floor's (the repository's are judged in added)"},
  {"MessagePolicy", "forbidden_on", "floor's (the repository's apply to its own patterns)"},
  {"MessagePolicy", "author_email", "floor's (the repository's is judged in added)"},
  {"MessagePolicy", "committer_email", "floor's (the repository's is judged in added)"},
  {"MessagePolicy", "check_merges", "floor's (the repository's applies to its own rules)"},
  {"MessagePolicy", "action", "floor's (the repository's applies to its own rules)"},
  {"MessagePolicy", "reason", "floor's (the repository's applies to its own rules)"},
  {"MessagePolicy", "added", "floor's + the repository's policy (and what it holds)"},

  {"RefPolicy", "branch_name", "floor's (the repository's is judged in added)"},
  {"RefPolicy", "tag_name", "floor's (the repository's is judged in added)"},
  {"RefPolicy", "protected_refs", "floor's (the repository's are judged in added): the union"},
  {"RefPolicy", "action", "floor's (the repository's applies to its own rules)"},
  {"RefPolicy", "reason", "floor's (the repository's applies to its own rules)"},
  {"RefPolicy", "added", "floor's + the repository's policy (and what it holds)"},

  {"PusherPolicy", "configured", "either"},
  {"PusherPolicy", "committer_is_pusher", "union"},
  {"PusherPolicy", "require_pusher", "either"},
  {"PusherPolicy", "allow_signed_forward", "true only if both allow (noted when the repository allows what the server does not)"},
  {"PusherPolicy", "emails", "floor's when the floor maps any pusher, else the repository's (a repository mapping is then noted and ignored)"},
  {"PusherPolicy", "action", "the stricter: block > warn > off (noted when looser)"},
  {"PusherPolicy", "where", "floor's when the floor has [pushers], else the repository's"},

  {"AiPolicy", "configured", "either"},
  {"AiPolicy", "disclosure_trailers", "union: more commits count as AI-assisted"},
  {"AiPolicy", "coauthor_trailers", "union"},
  {"AiPolicy", "identities", "union: more identities are AI, fewer signers count as human"},
  {"AiPolicy", "require_disclosure", "union"},
  {"AiPolicy", "escalate", "floor's + the repository's (each [[ai.escalate]] entry judged on its own)"},
  {"AiPolicy", "action", "the stricter: block > warn > off (noted when looser)"},

  {"Rule", "id", "the key: same id = same rule"},
  {"Rule", "name", "floor's"},
  {"Rule", "description", "floor's"},
  {"Rule", "regex", "floor's (a different repository definition is noted)"},
  {"Rule", "secret_group", "floor's (a different repository definition is noted)"},
  {"Rule", "keywords", "floor's (a different repository definition is noted)"},
  {"Rule", "entropy", "floor's (a different repository definition is noted)"},
  {"Rule", "severity", "the higher"},
  {"Rule", "confidence", "floor's"},
  {"Rule", "validator", "floor's (a different repository definition is noted)"},
  {"Rule", "generic", "floor's (a different repository definition is noted)"},
  {"Rule", "reference", "floor's"},
  {"Rule", "tags", "floor's"},
  {"Rule", "examples", "floor's"},
  {"Rule", "negative_examples", "floor's"},
  {"Rule", "window", "floor's (a different repository definition is noted)"},
  {"Rule", "mode", "the higher effective mode of both sides (noted when lower)"},
  {"Rule", "source", "floor's"},
  {"Rule", "source_line", "floor's"},
  {"Rule", "under_floor", "set on every rule the repository adds: it never hides a stricter floor finding of the same secret"},

  // Entries merged whole: each field stays as its side wrote it, and the entry is admitted (or
  // not) as a unit. They are listed so that a new field is a decision, not an accident.
  {"AllowEntry", "paths", "whole entry (Config.allows)"},
  {"AllowEntry", "regexes", "whole entry"},
  {"AllowEntry", "stopwords", "whole entry"},
  {"AllowEntry", "rules", "whole entry"},
  {"AllowEntry", "reason", "whole entry"},
  {"AllowEntry", "where", "whole entry"},
  {"Waiver", "id", "whole entry (Config.waivers), checked against the floor's limits"},
  {"Waiver", "fingerprint", "whole entry"},
  {"Waiver", "rule", "whole entry"},
  {"Waiver", "path", "whole entry"},
  {"Waiver", "owner", "whole entry"},
  {"Waiver", "reason", "whole entry (must match every waiver_reason_regex)"},
  {"Waiver", "created", "whole entry (span checked against waiver_max_days)"},
  {"Waiver", "expires", "whole entry"},
  {"Waiver", "where", "whole entry"},
  {"Waiver", "kind", "whole entry (false-positive or accepted-risk, counted by `vigil report`)"},
  {"FileRule", "id", "whole entry (FilePolicy.rules): a repository rule only adds findings"},
  {"FileRule", "globs", "whole entry"},
  {"FileRule", "on", "whole entry"},
  {"FileRule", "action", "whole entry"},
  {"FileRule", "max_size", "whole entry"},
  {"FileRule", "deny_binary", "whole entry"},
  {"FileRule", "symlink", "whole entry"},
  {"FileRule", "deny_submodule", "whole entry"},
  {"FileRule", "lfs_over", "whole entry"},
  {"FileRule", "reason", "whole entry"},
  {"FileRule", "where", "whole entry"},
  {"ProtectedRef", "pattern", "whole entry (RefPolicy.protected_refs)"},
  {"ProtectedRef", "no_delete", "whole entry"},
  {"ProtectedRef", "no_force_push", "whole entry"},
  {"AiEscalation", "paths", "whole entry (AiPolicy.escalate)"},
  {"AiEscalation", "on", "whole entry"},
  {"AiEscalation", "approvers", "whole entry"},
  {"AiEscalation", "where", "whole entry"},
  {"TrailerRule", "name", "whole entry (MessagePolicy.trailers)"},
  {"TrailerRule", "value", "whole entry"},

  // [report] only steers `vigil report`; a repository may set stricter targets, never looser ones.
  {"ReportSettings", "pass_rate_target", "the higher (noted when lower)"},
  {"ReportSettings", "pass_rate_alert", "the higher (noted when lower)"},
  {"ReportSettings", "false_positive_target", "the lower (noted when higher)"},
  {"ReportSettings", "false_positive_alert", "the lower (noted when higher)"},
  {"ReportSettings", "protected_findings_target", "the lower (noted when higher)"},
  {"ReportSettings", "protected_findings_alert", "the lower (noted when higher)"},
  {"ReportSettings", "remediate_target_days", "the lower (noted when higher)"},
  {"ReportSettings", "remediate_alert_days", "the lower (noted when higher)"},
  {"ReportSettings", "escalation_target", "the lower (noted when higher)"},
  {"ReportSettings", "escalation_alert", "the lower (noted when higher)"},
  {"ReportSettings", "protected_branches", "union"},
  {"ReportSettings", "teams", "floor's (the repository's noted)"},
  {"ReportSettings", "configured", "either"},

  // ServerSettings is never taken from a repository (Config.server is the floor's); listed so a new
  // server key is a decision too.
  {"ServerSettings", "deadline_ms", "floor's"},
  {"ServerSettings", "accept_on_timeout", "floor's"},
  {"ServerSettings", "accept_on_error", "floor's"},
  {"ServerSettings", "accept_on_limit", "floor's"},
  {"ServerSettings", "bypass_allowed", "floor's"},
  {"ServerSettings", "bypass_max_severity", "floor's"},
  {"ServerSettings", "bypass_users", "floor's"},
  {"ServerSettings", "pusher_env", "floor's"},
  {"ServerSettings", "audit_log", "floor's"},
  {"ServerSettings", "audit_key", "floor's"},
  {"ServerSettings", "repo_config", "floor's"},
  {"ServerSettings", "repo_allows", "floor's"},
  {"ServerSettings", "trust_root", "floor's (a repository cannot name, add or remove trust roots)"},
  {"ServerSettings", "jobs", "floor's"},
  {"ServerSettings", "min_mode", "floor's (a repository's [server] min_mode raises governance.min_mode)"},
  {"ServerSettings", "configured", "floor's"},
};
// clang-format on

/// Rows of the table for one struct.
constexpr std::size_t merge_rows(std::string_view type) {
  std::size_t n = 0;
  for (const auto& r : kMergeTable) n += r.type == type ? 1 : 0;
  return n;
}

/// Aggregate field count: the most initializers `T{...}` accepts, each of a type convertible to
/// anything. Exact for the plain aggregates of Config (no base classes, no C arrays).
namespace merge_detail {
struct AnyField {
  template <class T>
  operator T&() const&;
  template <class T>
  operator T&&() const&&;
};
}  // namespace merge_detail

template <class T, class... A>
constexpr std::size_t field_count() {
  if constexpr (requires { T{A{}..., merge_detail::AnyField{}}; }) {
    return field_count<T, A..., merge_detail::AnyField>();
  } else {
    return sizeof...(A);
  }
}

}  // namespace vigil
