// Gitleaks import: converts a gitleaks v8 config (.gitleaks.toml) into vigil [[rules]] and [[allow]]
// entries, and says, one line per item, what it could not carry over and why.
#pragma once

#include <cstddef>
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

}  // namespace vigil
