#include "detectors/scan/joined_view.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace vigil {

namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kDashes = "-----";

bool b64_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
}
bool space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool quote(unsigned char c) { return c == '"' || c == '\'' || c == '`'; }

// Between two quoted pieces of one value: concatenation operators and punctuation of the
// languages and formats that split keys (+ Java/JS/C#/Go, . PHP, & VB, , JSON arrays, ( ) [ ]
// Python implicit concatenation, ; statement ends inside a StringBuilder, \ line continuations).
bool joiner(unsigned char c) {
  return c == '+' || c == '.' || c == '&' || c == ',' || c == '(' || c == ')' || c == '[' || c == ']' || c == ';' ||
         c == '\\' || c == '_';
}

// A label of a private-key block: upper-case words, "PRIVATE KEY" among them.
bool private_label(std::string_view label) {
  if (label.empty() || label.size() > 48) return false;
  for (unsigned char c : label) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ')) return false;
  }
  return label.find("PRIVATE KEY") != std::string_view::npos;
}

// "Name: value" header line of a legacy encrypted PEM (Proc-Type, DEK-Info) at `i`: its length
// up to the end of the line, a `\n` escape or a closing quote, or 0.
std::size_t header_line(std::string_view b, std::size_t i) {
  std::size_t j = i;
  if (j >= b.size() || !std::isalpha(static_cast<unsigned char>(b[j]))) return 0;
  while (j < b.size() && j - i < 32 && (std::isalnum(static_cast<unsigned char>(b[j])) || b[j] == '-')) ++j;
  if (j >= b.size() || b[j] != ':') return 0;
  while (j < b.size() && j - i < 200 && b[j] != '\n' && b[j] != '\r' && b[j] != '\\' && !quote(static_cast<unsigned char>(b[j]))) ++j;
  return j - i;
}

// Joins the block whose "-----BEGIN " is at `at` (label checked), reading at most
// kJoinedSpanMax bytes. Returns the offset after the last byte it consumed.
std::size_t join_block(std::string_view b, std::size_t at, std::size_t label_end, JoinedBlock& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data());
  const std::size_t n = std::min(b.size(), at + kJoinedSpanMax);
  out.text = "-----BEGIN ";
  out.text.append(b.substr(at + kBegin.size(), label_end - at - kBegin.size()));
  out.text += "-----\n";
  // Quoted: the block starts inside a string literal, so text outside quotes is code (a `+`
  // there is an operator, not base64). Plain: the block is the file's own text (YAML, PEM file).
  const bool quoted = at > 0 && quote(p[at - 1]);
  bool inside = true;  // inside a string literal (always, when not quoted)
  std::size_t i = label_end + kDashes.size();
  std::size_t last = i;  // after the last byte that belongs to the block
  std::string body;
  while (i < n) {
    const unsigned char c = p[i];
    if (c == '-' && b.compare(i, 8, "-----END") == 0) {
      const auto close = b.find(kDashes, i + 8);
      last = close == std::string_view::npos || close > i + 64 ? i + 8 : close + kDashes.size();
      break;
    }
    if (c == '\\' && i + 1 < n) {  // escapes inside strings, line continuations outside
      const unsigned char e = p[i + 1];
      if (e == 'n' || e == 'r' || e == 't') {
        i += 2;
        continue;
      }
      if (e == '\n' || e == '\r') {
        ++i;
        continue;
      }
    }
    if (space(c)) {
      ++i;
      continue;
    }
    if (quoted && !inside) {
      if (quote(c)) {
        inside = true;
      } else if (!joiner(c) && !((c == '@' || std::isalpha(c)) && i + 1 < n && quote(p[i + 1]))) {
        break;  // code that is not joining strings: the block ends (string prefixes r" b" @" pass)
      }
      ++i;
      continue;
    }
    if (quoted && quote(c)) {
      inside = false;
      ++i;
      continue;
    }
    if (body.empty()) {
      if (const auto h = header_line(b, i)) {
        out.text.append(b.substr(i, h));
        out.text += '\n';
        i += h;
        last = i;
        continue;
      }
    }
    if (!b64_char(c)) break;
    if (body.size() < kJoinedBodyMax) {
      body += static_cast<char>(c);
      out.origin.push_back(i);
    }
    ++i;
    last = i;
  }
  out.body_start = out.text.size();
  out.text += body;
  out.text += '\n';
  return last;
}

}  // namespace

std::vector<JoinedBlock> find_joined_blocks(std::string_view bytes) {
  std::vector<JoinedBlock> out;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const void* hit = memmem(bytes.data() + pos, bytes.size() - pos, kBegin.data(), kBegin.size());
    if (!hit) break;
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(hit) - bytes.data());
    const auto label_end = bytes.find(kDashes, at + kBegin.size());
    if (label_end == std::string_view::npos || label_end - at > 64 ||
        !private_label(bytes.substr(at + kBegin.size(), label_end - at - kBegin.size()))) {
      pos = at + kBegin.size();
      continue;
    }
    JoinedBlock blk;
    blk.begin = at;
    blk.end = join_block(bytes, at, label_end, blk);
    pos = std::max(blk.end, label_end + kDashes.size());
    if (blk.origin.size() >= 40) out.push_back(std::move(blk));  // shorter bodies are no key
  }
  return out;
}

Result<std::vector<Match>> join_and_rescan(const Scanner& scanner, std::string_view bytes, Scratch& scratch,
                                           const ScanOptions& opts) {
  std::vector<Match> found;
  const auto blocks = find_joined_blocks(bytes);
  if (blocks.empty()) return found;
  // One scan over every block, separated by NUL bytes no rule matches across.
  static constexpr std::string_view kSep{"\n\0\0\0\0\0\0\0\0\n", 10};
  std::string joined;
  std::vector<std::size_t> starts;
  for (const auto& blk : blocks) {
    starts.push_back(joined.size());
    joined += blk.text;
    joined += kSep;
  }
  ScanOptions inner = opts;
  inner.decode_depth = 0;  // the body is the key itself: no encoding to peel
  inner.note_deeper = false;
  inner.join_views = false;  // a joined view is already joined
  std::vector<Match> sub;
  if (auto r = scanner.scan(joined, scratch, sub, inner); !r) return r.error();
  for (auto& m : sub) {
    const auto it = std::upper_bound(starts.begin(), starts.end(), m.secret_begin);
    const std::size_t k = static_cast<std::size_t>(it - starts.begin()) - 1;
    const auto& blk = blocks[k];
    const std::size_t body = starts[k] + blk.body_start;
    if (m.secret_end > starts[k] + blk.text.size()) continue;  // crossed a separator
    // Map the secret back to the body bytes it came from; a secret that starts before the body
    // (a rule that captures its header) maps to the block's start.
    const auto map = [&](std::size_t off) {
      if (off < body) return blk.begin;
      const std::size_t j = off - body;
      return j < blk.origin.size() ? blk.origin[j] : blk.end;
    };
    m.begin = blk.begin;
    m.end = blk.end;
    m.secret_begin = map(m.secret_begin);
    m.secret_end = m.secret_end > body && m.secret_end - body - 1 < blk.origin.size() ? blk.origin[m.secret_end - body - 1] + 1
                                                                                      : blk.end;
    m.encoding = m.encoding.empty() ? "joined" : "joined>" + m.encoding;
    found.push_back(std::move(m));
  }
  return found;
}

}  // namespace vigil
