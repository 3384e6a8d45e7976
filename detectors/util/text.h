// Text helpers: entropy, redaction, line/column, binary detection, decoding and edit distance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// Shannon entropy of `s` in bits per character (0 for empty input).
double shannon_entropy(std::string_view s);

enum class Alphabet { Hex,
                      Base64,
                      Base64Url,
                      Alnum,
                      Other };
/// The smallest of the known alphabets that holds every character of `s`.
Alphabet classify_alphabet(std::string_view s);

/// Masks a secret: keeps at most 4 leading and 4 trailing characters, never more than a quarter
/// of the secret, and replaces the rest with '*' (capped). "ghp_abcd...wxyz" -> "ghp_****…wxyz".
std::string redact(std::string_view secret);

/// A byte count for people: "812 B", "4.0 KiB", "5.0 MiB", "1.2 GiB".
std::string human_size(std::uint64_t bytes);

/// git's heuristic (a NUL byte in the first 8000 bytes means binary), except for UTF-16 and
/// UTF-32 text (wide_text.h), which is text.
bool looks_binary(std::string_view bytes);

/// The full line (without the newline or CR) that holds `offset`.
std::string_view line_at(std::string_view bytes, std::size_t offset);

/// Decoders used by the decoding layer. Each returns nullopt when the input is not valid.
std::optional<std::string> decode_base64(std::string_view s, bool url);
std::optional<std::string> decode_percent(std::string_view s);
std::optional<std::string> decode_backslash(std::string_view s);

/// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);
/// The closest candidate within distance 3, or empty.
std::string suggest(std::string_view word, const std::vector<std::string>& candidates);

/// Bytes that are valid, printable UTF-8 text (used to decide whether decoded bytes are rescanned).
bool is_mostly_text(std::string_view s);

/// Strips leading/trailing ASCII whitespace.
std::string_view trim(std::string_view s);

}  // namespace vigil
