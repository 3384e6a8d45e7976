// Rule: one secret detector as data (regex, secret group, entropy, severity, examples).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

enum class Severity { Info = 0,
                      Low = 1,
                      Medium = 2,
                      High = 3,
                      Critical = 4 };
enum class Confidence { Low = 0,
                        Medium = 1,
                        High = 2 };
/// observe: record only; warn: print, do not block; enforce: block.
enum class Mode { Observe = 0,
                  Warn = 1,
                  Enforce = 2 };

const char* to_string(Severity s);
const char* to_string(Confidence c);
const char* to_string(Mode m);
std::optional<Severity> parse_severity(std::string_view s);
std::optional<Confidence> parse_confidence(std::string_view s);
std::optional<Mode> parse_mode(std::string_view s);

/// Checks that can make a regex match near-certain, or reject look-alikes.
/// UriPassword: the password of a URI's userinfo is not a placeholder, template, reference or
/// well-known default (docs/rules.md, "Credentials in URIs"). The last three judge a generic match
/// by its context (detectors/scan/credential.h): the name the value is assigned to (Credential), a
/// password's shape with no name (Password), an HTTP auth header (HttpAuth).
enum class Validator { None,
                       Base62Crc32,
                       Jwt,
                       UriPassword,
                       Credential,
                       Password,
                       HttpAuth };

struct Rule {
  std::string id;
  std::string name;
  std::string description;
  std::string regex;
  int secret_group = 1;               // 0 = the whole match
  std::vector<std::string> keywords;  // lower-case; one must occur in the match
  double entropy = 0.0;               // minimum bits per character of the secret
  Severity severity = Severity::High;
  Confidence confidence = Confidence::Medium;
  Validator validator = Validator::None;
  /// Generic detectors apply the placeholder/template/UUID filters and per-alphabet thresholds.
  bool generic = false;
  std::string reference;
  std::vector<std::string> tags;
  std::vector<std::string> examples;
  std::vector<std::string> negative_examples;
  std::size_t window = 4096;  // longest match PCRE2 confirms, in bytes
  std::optional<Mode> mode;   // per-rule mode; unset = the config's default
  std::string source;         // "rules/github.toml" or ".vigil.toml"
  int source_line = 0;
  /// Added by a repository under a server floor (tighten): its match replaces an overlapping
  /// generic one only where it is at least as severe and as strict (ScanOptions::mode_rank).
  bool under_floor = false;
};

/// How much of each rule to load. A scan never reads a rule's examples (a quarter of the pack's
/// bytes); `vigil rules test` and the tests do.
enum class RuleDetail { Full,
                        Scan };

/// Rule ids are lower-case dotted/dashed words, at most 32 characters.
bool valid_rule_id(std::string_view id);

}  // namespace vigil
