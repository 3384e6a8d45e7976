// Gitleaks import: converts a gitleaks v8 config (.gitleaks.toml) into vigil [[rules]] and [[allow]]
// entries, and says, one line per item, what it could not carry over and why.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/util/result.h"

namespace vigil {

/// What `import_gitleaks` produced.
struct GitleaksImport {
  /// vigil TOML: comments, then [[rules]], then [[allow]]. Append it to .vigil.toml, or check it
  /// with `vigil rules check FILE`. It always loads: the importer parses it back before returning.
  std::string toml;
  /// One line each, "path:line:col: what was not mapped — why / what to do". Never holds a secret.
  std::vector<std::string> warnings;
  std::size_t rules_imported = 0;
  std::size_t rules_skipped = 0;
  std::size_t allows_imported = 0;
};

/// Converts the text of a gitleaks v8 config. `path` names it in messages. Errors (exit 2 in the
/// CLI) are input that gitleaks itself rejects: not TOML, a key of the wrong type, a rule without
/// an id or without both regex and path; they read "path:line:col: what". Everything else that
/// cannot be mapped is a warning and the rest is still converted. Each converted regex is compiled
/// with Hyperscan and PCRE2 exactly as the scanner does; a rule that fails is reported, not emitted.
/// Never throws, and runs in time bounded by the input size (regexes are capped at 16 KiB and Go's
/// own repeat limit of 1000).
Result<GitleaksImport> import_gitleaks(std::string_view toml_text, std::string_view path);

/// A Go (RE2) regex rewritten for Hyperscan and PCRE2. Exposed for tests.
struct TranslatedRegex {
  std::string pattern;
  int groups = 0;                  // capture groups, numbered as Go numbers them
  std::vector<std::string> notes;  // approximations made ("\z became $ ...")
};

/// Rewrites Go regexp syntax: named groups become plain groups, \Q..\E, \x{..}, octal and
/// non-ASCII literals become byte escapes, \A and \z become line anchors (vigil scans with
/// multi-line anchors). Fails, saying why, on syntax with no equivalent: Unicode classes (\p),
/// \C, (?U), non-ASCII in a class, repeat counts over 1000, and what Go rejects itself.
Result<TranslatedRegex> translate_go_regex(std::string_view go);

/// Converts a gitleaks path regex (searched in the repository-relative path) into vigil globs that
/// match the same paths: literals, '.', '.*', classes, '?' and alternation are supported, at most
/// 64 globs. nullopt when there is no faithful glob form (the allow is then left out).
std::optional<std::vector<std::string>> go_path_regex_to_globs(std::string_view go);

}  // namespace vigil
