// Wide text: UTF-16 and UTF-32 files (with or without a byte-order mark) recognised as text and
// transcoded to UTF-8, so the scanner, the diff and line numbers see what an editor shows.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

enum class WideEncoding { None,
                          Utf16LE,
                          Utf16BE,
                          Utf32LE,
                          Utf32BE };

/// The wide encoding `bytes` is text in, or None. A byte-order mark decides; without one, only
/// NUL-interleaved text (mostly ASCII, as Windows tools write it) is recognised. Either way the
/// first 8000 bytes must decode to characters with no U+0000, no broken surrogate and at most
/// 1 in 50 control characters, so a table of small integers stays binary.
/// Cost: a look at the first 8000 bytes, and only when they hold a NUL or start with a BOM.
WideEncoding detect_wide_text(std::string_view bytes);

/// "utf-16le", "utf-16be", "utf-32le", "utf-32be" (empty for None).
const char* wide_encoding_name(WideEncoding e);

/// `bytes` in `e` as UTF-8, without the byte-order mark. Line breaks stay where they were, so
/// line numbers carry over. Invalid units and a trailing partial unit become U+FFFD.
std::string wide_to_utf8(std::string_view bytes, WideEncoding e);

/// `bytes` itself, or, for wide text, its UTF-8 transcoding kept in `storage`.
std::string_view as_utf8_text(std::string_view bytes, std::string& storage);

}  // namespace vigil
