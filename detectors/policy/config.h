// Config: the effective rules and policy from the built-in pack and a repository's .vigil.toml.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "detectors/policy/file_policy.h"
#include "detectors/policy/ai_policy.h"
#include "detectors/policy/message_policy.h"
#include "detectors/policy/pusher_policy.h"
#include "detectors/policy/ref_policy.h"
#include "detectors/policy/report_settings.h"
#include "detectors/policy/server_policy.h"
#include "detectors/policy/waiver.h"
#include "detectors/rules/rule.h"
#include "detectors/scan/regex.h"
#include "detectors/policy/signature_policy.h"
#include "detectors/policy/signer_policy.h"
#include "detectors/util/result.h"

namespace vigil {

/// One [[allow]] entry: a finding is allowed when every given criterion matches. Needs a reason.
struct AllowEntry {
  std::vector<std::string> paths;      // globs
  std::vector<Regex> regexes;          // searched in the secret
  std::vector<std::string> stopwords;  // lower-case substrings of the secret
  std::vector<std::string> rules;      // rule ids; empty = every rule
  std::string reason;
  std::string where;  // "file:line" of the entry
};

struct Settings {
  Mode mode = Mode::Enforce;               // default mode of every rule
  Severity fail_on = Severity::Low;        // findings below this severity warn instead of block
  std::uint64_t max_file_size = 5u << 20;  // larger blobs are skipped (and reported)
  bool builtin_rules = true;               // start from the built-in pack
  int decode_depth = 2;                    // encoding layers peeled per buffer
  std::uint64_t max_candidates = 200000;   // raw candidates confirmed per buffer (more: a bound hit)
  bool inline_allow = true;                // honour `vigil:allow` comments
  std::vector<std::string> disabled_rules;
  GovernanceSettings governance;  // min_mode, waiver limits, inline allow and skip policy
};

struct Config {
  Settings settings;
  std::vector<Rule> rules;  // effective rules: built-in + overrides + additions - disabled
  std::vector<AllowEntry> allows;
  std::vector<Waiver> waivers;               // [[waivers]]
  std::map<std::string, Mode> family_modes;  // [families.<family>] mode
  SignaturePolicy signatures;                // [signatures]: required signatures and trusted key files
  SignerPolicy signers;                      // [signers.<group>] and [[files]] signers = "<group>": who may change what
  FilePolicy files;                          // [[files]] rules and the path checks
  MessagePolicy messages;                    // [messages]
  RefPolicy refs;                            // [refs]
  PusherPolicy pushers;                      // [pushers]: the committer of pushed commits is the pusher
  AiPolicy ai;                               // [ai]: AI-assisted commits disclosed and escalated
  ServerSettings server;                     // [server]: only read from the server's own policy file
  ReportSettings report;                     // [report]: metric targets and thresholds, protected branches, teams
  std::string source;                        // path of the config file, or "" for built-in defaults only
  std::string hash;                          // hash of the config text (part of the rules version)
};

/// Parses .vigil.toml text. `path` is used in messages ("path:line:col: what").
/// `detail` says whether the built-in rules keep their examples (only `vigil rules` shows them).
Result<Config> parse_config(std::string_view text, std::string_view path, RuleDetail detail = RuleDetail::Full);

/// Built-in defaults, for when a repository has no .vigil.toml.
Result<Config> default_config(RuleDetail detail = RuleDetail::Full);

/// Reads `<root>/.vigil.toml` when it exists (else defaults). Errors name the file and line.
Result<Config> load_config_file(const std::string& path, bool must_exist, RuleDetail detail = RuleDetail::Full);

/// Adds the rules of extra rule files (`--rules FILE`) to a config.
Result<void> add_rules_file(Config& config, const std::string& path);

/// A short id of the effective rules and settings, shown in reports and audit records.
std::string rules_version(const Config& config);

}  // namespace vigil
