// Go (RE2) regexp syntax rewritten for Hyperscan and PCRE2, for the gitleaks importer. Pure string
// work, no engine: gitleaks_import.cc compiles the results.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "detectors/util/result.h"

namespace vigil {

/// A Go (RE2) regex rewritten for Hyperscan and PCRE2.
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

}  // namespace vigil
