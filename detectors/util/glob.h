// gitignore-style glob matching for paths ("**", "*", "?", "[a-z]", leading "/" anchors).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigil {

/// True when `path` (relative, '/'-separated) matches `pattern`:
/// - a pattern without '/' (other than a trailing one) matches the basename at any depth;
/// - a leading '/' or an inner '/' anchors it at the root;
/// - "**" spans directories; a trailing '/' matches the directory and everything below it.
bool glob_match(std::string_view pattern, std::string_view path);

/// An error message when the pattern is malformed (e.g. an unclosed '['), else nullopt.
std::optional<std::string> glob_error(std::string_view pattern);

}  // namespace vigil
