#include "detectors/scan/decoder.h"

#include <array>
#include <cctype>
#include <optional>
#include <string>

#include "detectors/util/text.h"

namespace vigil {

namespace {

constexpr std::size_t kMinBase64 = 20;
constexpr std::size_t kMaxSpan = 1 << 20;

struct Span {
  std::size_t begin, end;
  const char* encoding;
  std::string decoded;
};

// Character classes by table: this loop touches every byte of every scanned buffer.
enum : unsigned char { kAlnum = 1, kUpper = 2, kLower = 4, kStd = 8, kUrl = 16, kToken = 32 };
constexpr auto kClass = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    unsigned char v = 0;
    if (c >= 'A' && c <= 'Z') v |= kAlnum | kUpper;
    if (c >= 'a' && c <= 'z') v |= kAlnum | kLower;
    if (c >= '0' && c <= '9') v |= kAlnum;
    if (c == '+' || c == '/') v |= kStd;
    if (c == '-' || c == '_') v |= kUrl;
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    if (!space && c != '"' && c != '\'' && c != '<' && c != '>' && c != '`') v |= kToken;
    t[static_cast<std::size_t>(c)] = v;
  }
  return t;
}();

void find_base64(std::string_view b, std::vector<Span>& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data());
  const std::size_t n = b.size();
  std::size_t i = 0;
  constexpr unsigned char kB64 = kAlnum | kStd | kUrl;
  while (i < n) {
    if (!(kClass[p[i]] & kB64)) {
      ++i;
      continue;
    }
    const std::size_t s = i;
    unsigned char seen = 0;
    while (i < n && (kClass[p[i]] & kB64)) seen |= kClass[p[i++]];
    std::size_t e = i;
    while (e < n && p[e] == '=' && e - i < 2) ++e;
    const std::size_t len = i - s;
    const bool std_chars = seen & kStd, url_chars = seen & kUrl;
    if (len < kMinBase64 || len > kMaxSpan || !(seen & kUpper) || !(seen & kLower) || (std_chars && url_chars)) {
      continue;
    }
    auto dec = decode_base64(b.substr(s, len), url_chars);
    if (dec && dec->size() >= 8 && is_mostly_text(*dec)) {
      out.push_back(Span{s, e, url_chars ? "base64url" : "base64", std::move(*dec)});
    }
  }
}

bool token_char(unsigned char c) { return kClass[c] & kToken; }

template <class Decode>
void find_escaped(std::string_view b, std::string_view marker, const char* name, Decode decode,
                  std::vector<Span>& out) {
  std::size_t pos = 0;
  while ((pos = b.find(marker, pos)) != std::string_view::npos) {
    std::size_t s = pos, e = pos;
    while (s > 0 && token_char(static_cast<unsigned char>(b[s - 1])) && pos - s < kMaxSpan) --s;
    while (e < b.size() && token_char(static_cast<unsigned char>(b[e])) && e - pos < kMaxSpan) ++e;
    if (e - s >= 12) {
      auto dec = decode(b.substr(s, e - s));
      if (dec && is_mostly_text(*dec)) out.push_back(Span{s, e, name, std::move(*dec)});
    }
    pos = e + 1;
  }
}

}  // namespace

Result<std::vector<Match>> decode_and_rescan(const Scanner& scanner, std::string_view bytes,
                                             Scratch& scratch, const ScanOptions& opts) {
  std::vector<Match> found;
  std::vector<Span> spans;
  find_base64(bytes, spans);
  find_escaped(bytes, "%", "percent", decode_percent, spans);
  find_escaped(bytes, "\\x", "escaped", decode_backslash, spans);
  find_escaped(bytes, "\\u", "escaped", decode_backslash, spans);
  find_escaped(bytes, "\\/", "escaped", decode_backslash, spans);
  ScanOptions inner = opts;
  inner.decode_depth = opts.decode_depth - 1;
  std::vector<Match> sub;
  for (auto& sp : spans) {
    sub.clear();
    auto r = scanner.scan(sp.decoded, scratch, sub, inner);
    if (!r) return r.error();
    for (auto& m : sub) {
      m.encoding = m.encoding.empty() ? sp.encoding : std::string(sp.encoding) + ">" + m.encoding;
      m.begin = m.secret_begin = sp.begin;
      m.end = m.secret_end = sp.end;
      found.push_back(std::move(m));
    }
  }
  return found;
}

}  // namespace vigil
