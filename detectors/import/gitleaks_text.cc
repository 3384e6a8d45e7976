// Text helpers of the gitleaks importer: escapes, TOML literals, one-line text, ids.
#include "detectors/import/gitleaks_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace vigil::gitleaks {

std::size_t utf8_len(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  if (lead >= 0xE0) return lead <= 0xEF ? 3 : 1;
  if (lead >= 0xC2) return 2;
  return 1;
}

void append_hex_byte(std::string& out, unsigned char b) { out += fmt::format("\\x{:02x}", b); }

void append_rune(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    const char c = static_cast<char>(cp);
    if (std::string_view(R"(\^$.|?*+()[]{})").find(c) == std::string_view::npos && cp >= 0x20 && cp != 0x7f) {
      out += c;  // not a metacharacter: kept as written, for readable output
    } else if (cp < 0x20 || cp == 0x7f) {
      append_hex_byte(out, static_cast<unsigned char>(cp));
    } else {
      out += '\\';  // escaping ASCII punctuation is always a literal in both engines
      out += c;
    }
    return;
  }
  std::array<unsigned char, 4> b{};
  std::size_t n = 0;
  if (cp < 0x800) {
    b = {static_cast<unsigned char>(0xC0 | (cp >> 6)), static_cast<unsigned char>(0x80 | (cp & 0x3F))};
    n = 2;
  } else if (cp < 0x10000) {
    b = {static_cast<unsigned char>(0xE0 | (cp >> 12)), static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F)),
         static_cast<unsigned char>(0x80 | (cp & 0x3F))};
    n = 3;
  } else {
    b = {static_cast<unsigned char>(0xF0 | (cp >> 18)), static_cast<unsigned char>(0x80 | ((cp >> 12) & 0x3F)),
         static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<unsigned char>(0x80 | (cp & 0x3F))};
    n = 4;
  }
  out += "(?:";
  for (std::size_t i = 0; i < n; ++i) append_hex_byte(out, b[i]);
  out += ')';
}

void append_raw_utf8(std::string& out, std::string_view bytes) {
  out += "(?:";
  for (unsigned char c : bytes) append_hex_byte(out, c);
  out += ')';
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string one_line(std::string_view s, std::size_t max) {
  std::string out;
  std::size_t k = 0;
  while (k < s.size() && out.size() < max) {
    const auto c = static_cast<unsigned char>(s[k]);
    std::size_t n = c < 0x80 ? 1 : c >= 0xF0 && c <= 0xF4 ? 4
                               : c >= 0xE0 && c <= 0xEF   ? 3
                               : c >= 0xC2 && c <= 0xDF   ? 2
                                                          : 0;
    bool valid = n > 0 && k + n <= s.size();
    for (std::size_t j = 1; valid && j < n; ++j) valid = (static_cast<unsigned char>(s[k + j]) & 0xC0) == 0x80;
    // Overlong and surrogate forms would still be rejected by a TOML parser.
    if (valid && n == 3) {
      const auto c1 = static_cast<unsigned char>(s[k + 1]);
      valid = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
    }
    if (valid && n == 4) {
      const auto c1 = static_cast<unsigned char>(s[k + 1]);
      valid = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (!valid) {
      out += '?';
      ++k;
    } else if (n == 1) {
      out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
      ++k;
    } else {
      out.append(s.substr(k, n));
      k += n;
    }
  }
  if (k < s.size()) out += "...";
  return out;
}

std::string toml_str(std::string_view s) {
  const bool literal = std::none_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == '\'' || (u < 0x20 && c != '\t') || u == 0x7f;
  });
  if (literal) return fmt::format("'{}'", s);
  // Regexes with a quote read best as a multi-line literal string, which needs no escaping either.
  const bool controls = std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
  if (!controls && s.find("'''") == std::string_view::npos && !s.empty() && s.back() != '\'' && s.front() != '\'') {
    return fmt::format("'''{}'''", s);
  }
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\u{:04x}", u);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string toml_strs(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t k = 0; k < v.size(); ++k) out += (k ? ", " : "") + toml_str(v[k]);
  return out + "]";
}

std::string normalize_id(std::string_view id) {
  std::string out;
  for (char c : lower(id)) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) {
      out += c;
    } else if (c == '.' && !out.empty() && out.back() != '-' && out.back() != '.') {
      out += '.';
    } else if (!out.empty() && out.back() != '-' && out.back() != '.') {
      out += '-';
    }
  }
  if (out.size() > 32) out.resize(32);
  while (!out.empty() && (out.back() == '-' || out.back() == '.')) out.pop_back();
  return out;
}

std::string literal_text(std::string_view re) {
  std::string out;
  for (std::size_t k = 0; k < re.size(); ++k) {
    if (re[k] == '\\' && k + 1 < re.size() && !std::isalnum(static_cast<unsigned char>(re[k + 1]))) ++k;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(re[k])));
  }
  return out;
}

}  // namespace vigil::gitleaks
