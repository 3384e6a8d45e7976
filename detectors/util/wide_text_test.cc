// Wide text: UTF-16/32 files with and without a BOM are text (not binary), transcode to UTF-8
// with their lines intact; binary data with NUL bytes stays binary.
#include <doctest/doctest.h>

#include <string>

#include "detectors/util/text.h"
#include "detectors/util/wide_text.h"

using namespace vigil;

namespace {

// `s` (ASCII or UTF-8 with code points below U+10000 except the one astral test) encoded.
std::string encode(const std::u32string& s, WideEncoding e, bool bom) {
  std::string out;
  auto put16 = [&](char16_t u, bool big) {
    if (big) {
      out += static_cast<char>(u >> 8);
      out += static_cast<char>(u & 0xFF);
    } else {
      out += static_cast<char>(u & 0xFF);
      out += static_cast<char>(u >> 8);
    }
  };
  auto put32 = [&](char32_t u, bool big) {
    for (int k = 0; k < 4; ++k) {
      const int shift = big ? 24 - 8 * k : 8 * k;
      out += static_cast<char>((u >> shift) & 0xFF);
    }
  };
  const bool big = e == WideEncoding::Utf16BE || e == WideEncoding::Utf32BE;
  const bool wide32 = e == WideEncoding::Utf32LE || e == WideEncoding::Utf32BE;
  if (bom) wide32 ? put32(0xFEFF, big) : put16(0xFEFF, big);
  for (char32_t c : s) {
    if (wide32) {
      put32(c, big);
    } else if (c >= 0x10000) {
      put16(static_cast<char16_t>(0xD800 + ((c - 0x10000) >> 10)), big);
      put16(static_cast<char16_t>(0xDC00 + ((c - 0x10000) & 0x3FF)), big);
    } else {
      put16(static_cast<char16_t>(c), big);
    }
  }
  return out;
}

std::u32string ascii(std::string_view s) { return std::u32string(s.begin(), s.end()); }

}  // namespace

TEST_CASE("wide text: every encoding, with and without a BOM, is detected and transcoded with its lines") {
  const std::string text = "line one\r\nAPI_KEY = \"abc\"\nthird line\n";
  for (const auto e : {WideEncoding::Utf16LE, WideEncoding::Utf16BE, WideEncoding::Utf32LE, WideEncoding::Utf32BE}) {
    for (const bool bom : {true, false}) {
      INFO(wide_encoding_name(e), " bom=", bom);
      const auto bytes = encode(ascii(text), e, bom);
      CHECK(detect_wide_text(bytes) == e);
      CHECK_FALSE(looks_binary(bytes));
      CHECK(wide_to_utf8(bytes, e) == text);
      std::string storage;
      CHECK(as_utf8_text(bytes, storage) == text);
    }
  }
}

TEST_CASE("wide text: non-ASCII and astral characters become UTF-8; a lone surrogate becomes U+FFFD") {
  const std::u32string s = U"caf\u00e9 \u4e2d \U0001F600\n";
  const auto bytes = encode(s, WideEncoding::Utf16LE, true);
  CHECK(detect_wide_text(bytes) == WideEncoding::Utf16LE);
  CHECK(wide_to_utf8(bytes, WideEncoding::Utf16LE) == "caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80\n");
  std::string lone = encode(ascii("ab"), WideEncoding::Utf16LE, false);
  lone += std::string("\x00\xD8", 2);  // a high surrogate with nothing after it
  CHECK(wide_to_utf8(lone, WideEncoding::Utf16LE) == "ab\xEF\xBF\xBD");
}

TEST_CASE("wide text: binary data with NUL bytes stays binary") {
  // Little-endian 16-bit integers below 256: NUL-interleaved, but mostly control characters.
  std::string table;
  for (int i = 0; i < 2000; ++i) {
    table += static_cast<char>((i * 37) % 256);
    table += '\0';
  }
  CHECK(detect_wide_text(table) == WideEncoding::None);
  CHECK(looks_binary(table));
  // A NUL character (two NUL bytes in a unit) is not text.
  std::string with_nul = encode(ascii("hello world, hello"), WideEncoding::Utf16LE, false);
  with_nul += std::string(2, '\0');
  with_nul += encode(ascii("more"), WideEncoding::Utf16LE, false);
  CHECK(detect_wide_text(with_nul) == WideEncoding::None);
  CHECK(looks_binary(with_nul));
  // An odd length is not UTF-16 without a BOM.
  std::string odd = encode(ascii("hello world"), WideEncoding::Utf16LE, false) + "x";
  CHECK(detect_wide_text(odd) == WideEncoding::None);
  // Plain UTF-8 text is not wide text, and not binary.
  CHECK(detect_wide_text("plain text\n") == WideEncoding::None);
  CHECK_FALSE(looks_binary("plain text\n"));
  // A PNG header is binary.
  CHECK(looks_binary(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)));
}
