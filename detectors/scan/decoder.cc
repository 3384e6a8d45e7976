#include "detectors/scan/decoder.h"

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

bool b64_char(unsigned char c) { return std::isalnum(c) || c == '+' || c == '/' || c == '-' || c == '_'; }

void find_base64(std::string_view b, std::vector<Span>& out) {
  std::size_t i = 0;
  while (i < b.size()) {
    if (!b64_char(static_cast<unsigned char>(b[i]))) {
      ++i;
      continue;
    }
    const std::size_t s = i;
    bool upper = false, lower = false, std_chars = false, url_chars = false;
    while (i < b.size() && b64_char(static_cast<unsigned char>(b[i]))) {
      const unsigned char c = static_cast<unsigned char>(b[i]);
      upper |= std::isupper(c) != 0;
      lower |= std::islower(c) != 0;
      std_chars |= c == '+' || c == '/';
      url_chars |= c == '-' || c == '_';
      ++i;
    }
    std::size_t e = i;
    while (e < b.size() && b[e] == '=' && e - i < 2) ++e;
    const std::size_t len = i - s;
    if (len < kMinBase64 || len > kMaxSpan || !upper || !lower || (std_chars && url_chars)) continue;
    auto dec = decode_base64(b.substr(s, len), url_chars);
    if (dec && dec->size() >= 8 && is_mostly_text(*dec)) {
      out.push_back(Span{s, e, url_chars ? "base64url" : "base64", std::move(*dec)});
    }
  }
}

bool token_char(unsigned char c) {
  return !std::isspace(c) && c != '"' && c != '\'' && c != '<' && c != '>' && c != '`';
}

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
