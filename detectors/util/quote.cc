#include "detectors/util/quote.h"

namespace vigil {

namespace {

// Length of the well-formed UTF-8 sequence at s[i], or 0 when it is not one; `cp` gets its value.
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  std::size_t len = 0;
  char32_t min = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// Code points a terminal acts on or that reorder what it shows: controls and bidi overrides.
bool odd_for_terminal(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

void escape_byte(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\a': out += "\\a"; return;
    case '\b': out += "\\b"; return;
    case '\t': out += "\\t"; return;
    case '\n': out += "\\n"; return;
    case '\v': out += "\\v"; return;
    case '\f': out += "\\f"; return;
    case '\r': out += "\\r"; return;
    default: break;
  }
  out += '\\';
  out += static_cast<char>('0' + ((c >> 6) & 7));
  out += static_cast<char>('0' + ((c >> 3) & 7));
  out += static_cast<char>('0' + (c & 7));
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  char32_t cp = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto n = utf8_sequence(s, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string quote_name(std::string_view name, NameQuoting how) {
  bool needs = !name.empty() && name.front() == '"';
  char32_t cp = 0;
  for (std::size_t i = 0; i < name.size() && !needs;) {
    const auto n = utf8_sequence(name, i, cp);
    if (n == 0 || (how == NameQuoting::Terminal && odd_for_terminal(cp))) needs = true;
    i += n == 0 ? 1 : n;
  }
  if (!needs) return std::string(name);
  std::string out = "\"";
  for (std::size_t i = 0; i < name.size();) {
    const auto n = utf8_sequence(name, i, cp);
    if (n == 0 || odd_for_terminal(cp) || cp == '"' || cp == '\\') {
      // Every byte of an odd sequence is escaped, so no part of it reaches the terminal.
      const std::size_t len = n == 0 ? 1 : n;
      for (std::size_t k = 0; k < len; ++k) escape_byte(out, static_cast<unsigned char>(name[i + k]));
      i += len;
    } else {
      out.append(name.substr(i, n));
      i += n;
    }
  }
  out += '"';
  return out;
}

std::optional<std::string> unquote_name(std::string_view text) {
  if (text.empty() || text.front() != '"') return std::string(text);
  if (text.size() < 2 || text.back() != '"') return std::nullopt;
  text = text.substr(1, text.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      if (text[i] == '"') return std::nullopt;
      out += text[i];
      continue;
    }
    if (++i >= text.size()) return std::nullopt;
    const char e = text[i];
    switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'v': out += '\v'; break;
      case 'f': out += '\f'; break;
      case 'r': out += '\r'; break;
      default: {
        if (i + 2 >= text.size() || e < '0' || e > '3') return std::nullopt;
        unsigned v = 0;
        for (std::size_t k = 0; k < 3; ++k) {
          const char d = text[i + k];
          if (d < '0' || d > '7') return std::nullopt;
          v = v * 8 + static_cast<unsigned>(d - '0');
        }
        out += static_cast<char>(v);
        i += 2;
      }
    }
  }
  return out;
}

}  // namespace vigil
