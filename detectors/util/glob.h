// gitignore-style glob matching for paths, on git's wildmatch semantics ("**", "*", "?", classes).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigil {

/// git's wildmatch(pattern, text, WM_PATHNAME) without case folding: '*' and '?' and bracket
/// classes never match '/'; "**" matches across '/' only as a whole component ("**/", "/**",
/// "/**/", or the whole pattern), elsewhere it is a '*'; classes take ranges, "!" or "^"
/// negation and POSIX names ("[[:alpha:]]"); '\' quotes the next byte. A malformed class (no
/// closing ']', an unknown "[:name:]") or a trailing '\' matches nothing, as in git.
/// Cost is O(pattern tokens x text length) time and O(text length) memory, whatever the pattern.
bool wildmatch(std::string_view pattern, std::string_view text);

/// True when `path` (relative, '/'-separated) matches `pattern` as a .gitignore line would:
/// - a pattern without '/' (other than a trailing one) matches the basename at any depth;
/// - a leading '/' or an inner '/' anchors it at the root (matched with wildmatch);
/// - a trailing '/' matches directories only: a leading directory of `path`, never `path` itself;
/// - a pattern that matches a leading directory of `path` matches `path` (what is inside).
/// No '!' negation, '#' comment or trailing-space trimming: a glob is one pattern, verbatim.
bool glob_match(std::string_view pattern, std::string_view path);

/// An error message when the pattern is malformed (an unclosed '[', an unknown "[:class:]", a
/// trailing '\', "***"), else nullopt.
std::optional<std::string> glob_error(std::string_view pattern);

}  // namespace vigil
