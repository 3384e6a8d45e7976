#include "detectors/util/wide_text.h"

#include <cstdint>

namespace vigil {

namespace {

constexpr std::size_t kSniff = 8000;  // as much as git's binary check reads

struct Shape {
  unsigned width;  // 2 or 4
  bool big;        // big-endian
};

Shape shape_of(WideEncoding e) {
  switch (e) {
    case WideEncoding::Utf16BE: return {2, true};
    case WideEncoding::Utf32LE: return {4, false};
    case WideEncoding::Utf32BE: return {4, true};
    default: return {2, false};
  }
}

std::uint32_t unit_at(const unsigned char* p, Shape s) {
  if (s.width == 2) return s.big ? (p[0] << 8 | p[1]) : (p[1] << 8 | p[0]);
  return s.big ? (std::uint32_t{p[0]} << 24 | p[1] << 16 | p[2] << 8 | p[3])
               : (std::uint32_t{p[3]} << 24 | p[2] << 16 | p[1] << 8 | p[0]);
}

std::size_t bom_length(std::string_view b, WideEncoding e) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data());
  const std::size_t n = b.size();
  switch (e) {
    case WideEncoding::Utf16LE: return n >= 2 && p[0] == 0xFF && p[1] == 0xFE ? 2 : 0;
    case WideEncoding::Utf16BE: return n >= 2 && p[0] == 0xFE && p[1] == 0xFF ? 2 : 0;
    case WideEncoding::Utf32LE: return n >= 4 && p[0] == 0xFF && p[1] == 0xFE && p[2] == 0 && p[3] == 0 ? 4 : 0;
    case WideEncoding::Utf32BE: return n >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0xFE && p[3] == 0xFF ? 4 : 0;
    default: return 0;
  }
}

bool control(std::uint32_t c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) || (c >= 0x7f && c < 0xa0);
}

// Whether the first kSniff bytes after the BOM read as text in `e` (see detect_wide_text).
bool reads_as_text(std::string_view b, WideEncoding e, std::size_t bom) {
  const Shape s = shape_of(e);
  const auto* p = reinterpret_cast<const unsigned char*>(b.data());
  const std::size_t end = std::min(b.size(), bom + kSniff) - (std::min(b.size(), bom + kSniff) - bom) % s.width;
  std::size_t chars = 0, controls = 0;
  for (std::size_t i = bom; i < end; i += s.width) {
    std::uint32_t c = unit_at(p + i, s);
    if (c == 0) return false;
    if (s.width == 2 && c >= 0xD800 && c <= 0xDFFF) {
      if (c >= 0xDC00) return false;  // a low surrogate first
      if (i + 4 > end) break;         // the pair is cut by the sniff window
      const std::uint32_t lo = unit_at(p + i + 2, s);
      if (lo < 0xDC00 || lo > 0xDFFF) return false;
      i += 2;
    } else if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
      return false;
    }
    ++chars;
    if (control(c)) ++controls;
  }
  return chars > 0 && controls * 50 <= chars;
}

// Without a BOM: the share of units (in the sniff window) whose high bytes are all zero.
bool nul_interleaved(std::string_view b, Shape s) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data());
  const std::size_t end = std::min(b.size(), kSniff) / s.width * s.width;
  std::size_t units = 0, ascii = 0;
  for (std::size_t i = 0; i < end; i += s.width) {
    ++units;
    if (unit_at(p + i, s) < 0x80) ++ascii;
  }
  return units > 0 && ascii * 10 >= units * 7;
}

void put_utf8(std::string& out, std::uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | c >> 6);
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | c >> 12);
    out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | c >> 18);
    out += static_cast<char>(0x80 | (c >> 12 & 0x3F));
    out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

}  // namespace

WideEncoding detect_wide_text(std::string_view bytes) {
  if (bytes.size() < 2) return WideEncoding::None;
  // UTF-32LE's BOM starts like UTF-16LE's, so it is tried first.
  for (const auto e : {WideEncoding::Utf32LE, WideEncoding::Utf32BE, WideEncoding::Utf16LE, WideEncoding::Utf16BE}) {
    if (const auto bom = bom_length(bytes, e); bom > 0) {
      return reads_as_text(bytes, e, bom) ? e : WideEncoding::None;
    }
  }
  if (bytes.substr(0, kSniff).find('\0') == std::string_view::npos) return WideEncoding::None;
  // Longest unit first: UTF-32 ASCII text is also UTF-16 with every other unit U+0000, which
  // reads_as_text refuses for UTF-16.
  for (const auto e : {WideEncoding::Utf32LE, WideEncoding::Utf32BE, WideEncoding::Utf16LE, WideEncoding::Utf16BE}) {
    const Shape s = shape_of(e);
    if (bytes.size() % s.width == 0 && nul_interleaved(bytes, s) && reads_as_text(bytes, e, 0)) return e;
  }
  return WideEncoding::None;
}

const char* wide_encoding_name(WideEncoding e) {
  switch (e) {
    case WideEncoding::Utf16LE: return "utf-16le";
    case WideEncoding::Utf16BE: return "utf-16be";
    case WideEncoding::Utf32LE: return "utf-32le";
    case WideEncoding::Utf32BE: return "utf-32be";
    default: return "";
  }
}

std::string wide_to_utf8(std::string_view bytes, WideEncoding e) {
  std::string out;
  if (e == WideEncoding::None) return std::string(bytes);
  const Shape s = shape_of(e);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  out.reserve(n / s.width + n / 8);
  constexpr std::uint32_t kReplacement = 0xFFFD;
  std::size_t i = bom_length(bytes, e);
  for (; i + s.width <= n; i += s.width) {
    std::uint32_t c = unit_at(p + i, s);
    if (s.width == 2 && c >= 0xD800 && c <= 0xDFFF) {
      std::uint32_t lo = 0;
      if (c < 0xDC00 && i + 4 <= n && (lo = unit_at(p + i + 2, s)) >= 0xDC00 && lo <= 0xDFFF) {
        c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
        i += 2;
      } else {
        c = kReplacement;
      }
    } else if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
      c = kReplacement;
    }
    put_utf8(out, c);
  }
  if (i < n) put_utf8(out, kReplacement);  // a trailing partial unit
  return out;
}

std::string_view as_utf8_text(std::string_view bytes, std::string& storage) {
  const auto e = detect_wide_text(bytes);
  if (e == WideEncoding::None) return bytes;
  storage = wide_to_utf8(bytes, e);
  return storage;
}

}  // namespace vigil
