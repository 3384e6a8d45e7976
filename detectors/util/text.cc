#include "detectors/util/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

#include "detectors/util/wide_text.h"

namespace vigil {

double shannon_entropy(std::string_view s) {
  if (s.empty()) return 0.0;
  std::array<std::size_t, 256> counts{};
  for (unsigned char c : s) ++counts[c];
  double h = 0.0;
  const double n = static_cast<double>(s.size());
  for (std::size_t c : counts) {
    if (c == 0) continue;
    const double p = static_cast<double>(c) / n;
    h -= p * std::log2(p);
  }
  return h;
}

Alphabet classify_alphabet(std::string_view s) {
  bool hex = true, alnum = true, b64 = true, b64url = true;
  for (unsigned char c : s) {
    const bool is_alnum = std::isalnum(c) != 0;
    const bool is_hex = std::isxdigit(c) != 0;
    hex = hex && is_hex;
    alnum = alnum && is_alnum;
    b64 = b64 && (is_alnum || c == '+' || c == '/' || c == '=');
    b64url = b64url && (is_alnum || c == '-' || c == '_' || c == '=');
  }
  if (hex) return Alphabet::Hex;
  if (alnum) return Alphabet::Alnum;
  if (b64) return Alphabet::Base64;
  if (b64url) return Alphabet::Base64Url;
  return Alphabet::Other;
}

std::string redact(std::string_view secret) {
  const std::size_t n = secret.size();
  const std::size_t keep = std::min<std::size_t>(4, n / 8);
  std::string out(secret.substr(0, keep));
  const std::size_t stars = std::min<std::size_t>(n - 2 * keep, 8);
  out.append(std::max<std::size_t>(stars, 4), '*');
  if (keep > 0) {
    out += "\xE2\x80\xA6";  // …
    out.append(secret.substr(n - keep));
  }
  return out;
}

std::string human_size(std::uint64_t bytes) {
  if (bytes >= (1u << 30)) return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1u << 30));
  if (bytes >= (1u << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1u << 20));
  if (bytes >= (1u << 10)) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / (1u << 10));
  return fmt::format("{} B", bytes);
}

bool looks_binary(std::string_view bytes) {
  // UTF-16 and UTF-32 text has NUL bytes too, but it is text: scanned (transcoded) and not
  // "binary" to [[files]] rules either.
  return bytes.substr(0, 8000).find('\0') != std::string_view::npos && detect_wide_text(bytes) == WideEncoding::None;
}

std::string_view line_at(std::string_view bytes, std::size_t offset) {
  offset = std::min(offset, bytes.size());
  std::size_t b = 0;
  if (offset > 0) {
    const std::size_t nl = bytes.rfind('\n', offset - 1);
    b = nl == std::string_view::npos ? 0 : nl + 1;
  }
  std::size_t e = bytes.find('\n', offset);
  if (e == std::string_view::npos) e = bytes.size();
  auto line = bytes.substr(b, e - b);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::optional<std::string> decode_base64(std::string_view s, bool url) {
  auto val = [url](unsigned char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == (url ? '-' : '+')) return 62;
    if (c == (url ? '_' : '/')) return 63;
    return -1;
  };
  while (!s.empty() && s.back() == '=') s.remove_suffix(1);
  if (s.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(s.size() * 3 / 4);
  unsigned buf = 0;
  int bits = 0;
  for (unsigned char c : s) {
    const int v = val(c);
    if (v < 0) return std::nullopt;
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xFF));
    }
  }
  return out;
}

std::optional<std::string> decode_percent(std::string_view s) {
  std::string out;
  bool any = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() + 0 && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
      any = true;
    } else {
      out.push_back(s[i]);
    }
  }
  if (!any) return std::nullopt;
  return out;
}

std::optional<std::string> decode_backslash(std::string_view s) {
  std::string out;
  bool any = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    const char c = s[++i];
    any = true;
    switch (c) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case 'x':
        if (i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
          out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
          i += 2;
        } else {
          out.push_back(c);
        }
        break;
      case 'u':
        if (i + 4 < s.size() + 0 && std::all_of(s.begin() + static_cast<long>(i) + 1,
                                                s.begin() + static_cast<long>(i) + 5,
                                                [](char h) { return std::isxdigit(static_cast<unsigned char>(h)); })) {
          const unsigned cp = static_cast<unsigned>(std::stoi(std::string(s.substr(i + 1, 4)), nullptr, 16));
          if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          }
          i += 4;
        } else {
          out.push_back(c);
        }
        break;
      default: out.push_back(c);
    }
  }
  if (!any) return std::nullopt;
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string suggest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = 4;
  for (const auto& c : candidates) {
    const auto d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

bool is_mostly_text(std::string_view s) {
  if (s.empty()) return false;
  std::size_t printable = 0;
  for (unsigned char c : s) {
    if (c >= 0x20 || c == '\n' || c == '\r' || c == '\t') ++printable;
  }
  return printable * 10 >= s.size() * 9;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace vigil
