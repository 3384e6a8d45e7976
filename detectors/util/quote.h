// Quoting names (paths, ref names) for terminals and JSON: git-style C quoting of odd bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigil {

/// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
bool is_valid_utf8(std::string_view s);

enum class NameQuoting {
  Terminal,  // quote invalid UTF-8, control characters (C0, DEL, C1) and bidirectional overrides
  Json,      // quote invalid UTF-8 only (JSON escapes control characters itself)
};

/// `name` unchanged when it needs no quoting, else as git's quote_c_style writes it: inside
/// double quotes, with \" \\ \a \b \t \n \v \f \r and three-digit octal escapes ("\377") for
/// every other odd byte. A name that starts with '"' is always quoted, so the form is reversible
/// (unquote_name gives back the bytes) and a quoted name never passes for a plain one.
std::string quote_name(std::string_view name, NameQuoting how = NameQuoting::Terminal);

/// The bytes of a name written by quote_name (either form); nullopt when a quoted form is
/// malformed.
std::optional<std::string> unquote_name(std::string_view text);

}  // namespace vigil
