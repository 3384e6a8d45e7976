// Text helpers of the gitleaks importer (internal to detectors/import): byte and rune escapes for
// translated regexes, TOML string literals, one-line message text, and vigil rule ids.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::gitleaks {

inline bool is_octal(char c) { return c >= '0' && c <= '7'; }
inline bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
inline bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

/// Length of the UTF-8 sequence that starts with `lead` (1 for ASCII and for invalid bytes).
std::size_t utf8_len(unsigned char lead);
/// Appends "\xHH".
void append_hex_byte(std::string& out, unsigned char b);
/// A Go rune as the bytes vigil matches: ASCII as one escaped byte, anything else as its UTF-8 bytes
/// in a non-capturing group, so that a following quantifier applies to the whole character as in Go.
void append_rune(std::string& out, std::uint32_t cp);
/// Raw UTF-8 bytes of one non-ASCII character in the pattern, grouped for the same reason.
void append_raw_utf8(std::string& out, std::string_view bytes);

/// ASCII lower case.
std::string lower(std::string_view s);
/// Text safe inside a one-line TOML comment or a one-line message: no control characters, valid
/// UTF-8 (a path from the command line may be anything), at most `max` bytes.
std::string one_line(std::string_view s, std::size_t max = 200);
/// A TOML string: literal ('...') when that needs no escaping, else a basic string.
std::string toml_str(std::string_view s);
/// A TOML array of strings.
std::string toml_strs(const std::vector<std::string>& v);
/// vigil ids: lower-case words joined by '.' or '-', at most 32 characters.
std::string normalize_id(std::string_view id);
/// The regex as the literal text it spells ("\." -> "."), lower-case, to test keywords against.
std::string literal_text(std::string_view re);

}  // namespace vigil::gitleaks
