#include "detectors/scan/decoder.h"

#include <hs.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <memory>

#include "detectors/util/c_free.h"
#include <optional>
#include <string>

#include "detectors/scan/db_cache.h"
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

// Candidate positions come from a small Hyperscan database (SIMD-fast over plain text), so the
// byte-by-byte classification below only touches the few regions that can hold an encoding.
enum CandidateKind : unsigned { kB64Run = 0, kPercent = 1, kHexEscape = 2, kUnicodeEscape = 3, kSlashEscape = 4 };

struct Candidates {
  std::string_view buffer;
  std::vector<std::pair<std::size_t, std::size_t>> b64_runs;  // [begin, end)
  std::vector<std::size_t> escapes[5];                        // match end offsets per kind
};

const hs_database_t* candidate_db() {
  static const HsDb db = [] {
    // A run reports once, at its end (the byte after it, or the end of the buffer): matching
    // "{20}" alone reported every byte of every long identifier and cost more than the rules.
    const char* exprs[] = {"[A-Za-z0-9+/_-]{20,}(?:[^A-Za-z0-9+/_-]|\\z)", "%[0-9A-Fa-f]{2}", "\\\\x[0-9A-Fa-f]{2}", "\\\\u[0-9A-Fa-f]{4}", "\\\\/"};
    return compile_aux_db({std::begin(exprs), std::end(exprs)}, {0, 0, 0, 0, 0},
                          {kB64Run, kPercent, kHexEscape, kUnicodeEscape, kSlashEscape});
  }();
  return db.get();
}

int on_candidate(unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx) {
  auto& c = *static_cast<Candidates*>(ctx);
  const auto end = static_cast<std::size_t>(to);
  if (id == kB64Run) {
    // The run ends before the terminating byte, or at the end of the buffer; it starts where the
    // alphabet does (found by walking back: each run is walked once).
    const auto* p = reinterpret_cast<const unsigned char*>(c.buffer.data());
    std::size_t e = end;
    if (e > 0 && !(kClass[p[e - 1]] & (kAlnum | kStd | kUrl))) --e;
    std::size_t s = e;
    while (s > 0 && (kClass[p[s - 1]] & (kAlnum | kStd | kUrl))) --s;
    if (e - s >= kMinBase64 && (c.b64_runs.empty() || c.b64_runs.back().second <= s)) c.b64_runs.emplace_back(s, e);
  } else {
    c.escapes[id].push_back(end);
  }
  return 0;
}

// Falls back to a plain byte loop when the candidate database is unavailable.
bool find_candidates(std::string_view b, Candidates& c) {
  const hs_database_t* db = candidate_db();
  if (!db || b.size() > UINT32_MAX) return false;
  thread_local std::unique_ptr<hs_scratch_t, CFree<hs_free_scratch>> scratch;
  if (!scratch) {
    hs_scratch_t* s = nullptr;
    if (hs_alloc_scratch(db, &s) != HS_SUCCESS) return false;
    scratch.reset(s);
  }
  c.buffer = b;
  return hs_scan(db, b.data(), static_cast<unsigned>(b.size()), 0, scratch.get(), on_candidate, &c) == HS_SUCCESS;
}

void check_base64_run(std::string_view b, std::size_t s, std::size_t i, std::vector<Span>& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data());
  unsigned char seen = 0;
  for (std::size_t k = s; k < i; ++k) seen |= kClass[p[k]];
  std::size_t e = i;
  while (e < b.size() && p[e] == '=' && e - i < 2) ++e;
  const std::size_t len = i - s;
  const bool std_chars = seen & kStd, url_chars = seen & kUrl;
  if (len < kMinBase64 || len > kMaxSpan || !(seen & kUpper) || !(seen & kLower) || (std_chars && url_chars)) return;
  // Cheap first: six decoded bytes of real base64 text are printable; an identifier's are not.
  const auto head = decode_base64(b.substr(s, 8), url_chars);
  if (!head || !std::all_of(head->begin(), head->end(), [](char ch) {
        const auto u = static_cast<unsigned char>(ch);
        return (u >= 0x20 && u < 0x7f) || u == '\n' || u == '\r' || u == '\t';
      })) {
    return;
  }
  auto dec = decode_base64(b.substr(s, len), url_chars);
  if (dec && dec->size() >= 8 && is_mostly_text(*dec)) {
    out.push_back(Span{s, e, url_chars ? "base64url" : "base64", std::move(*dec)});
  }
}

bool token_char(unsigned char c) { return kClass[c] & kToken; }

// Tokens (runs of non-space, non-quote bytes) around escape positions, decoded when they hold
// at least `min_escapes` escapes.
template <class Decode>
void decode_tokens(std::string_view b, const std::vector<std::size_t>& ends, std::size_t marker_len, const char* name,
                   Decode decode, std::size_t min_escapes, std::vector<Span>& out) {
  std::size_t done_until = 0;
  for (std::size_t k = 0; k < ends.size(); ++k) {
    const std::size_t pos = ends[k] - marker_len;
    if (pos < done_until) continue;
    std::size_t s = pos, e = pos;
    while (s > 0 && token_char(static_cast<unsigned char>(b[s - 1])) && pos - s < kMaxSpan) --s;
    while (e < b.size() && token_char(static_cast<unsigned char>(b[e])) && e - pos < kMaxSpan) ++e;
    done_until = e;
    std::size_t escapes = 0;
    for (std::size_t j = k; j < ends.size() && ends[j] <= e; ++j) ++escapes;
    if (e - s >= 12 && escapes >= min_escapes) {
      auto dec = decode(b.substr(s, e - s));
      if (dec && is_mostly_text(*dec)) out.push_back(Span{s, e, name, std::move(*dec)});
    }
  }
}

}  // namespace

Result<std::vector<Match>> decode_and_rescan(const Scanner& scanner, std::string_view bytes,
                                             Scratch& scratch, const ScanOptions& opts) {
  std::vector<Match> found;
  std::vector<Span> spans;
  Candidates cand;
  if (!find_candidates(bytes, cand)) return make_error(ErrorCode::Engine, "hyperscan: the decoding prefilter failed");
  for (const auto& [s, e] : cand.b64_runs) check_base64_run(bytes, s, e, spans);
  // One escape in a token is everyday code ("%d", "\\x1b"); an encoded secret has several.
  decode_tokens(bytes, cand.escapes[kPercent], 3, "percent", decode_percent, 1, spans);
  decode_tokens(bytes, cand.escapes[kHexEscape], 4, "escaped", decode_backslash, 2, spans);
  decode_tokens(bytes, cand.escapes[kUnicodeEscape], 6, "escaped", decode_backslash, 2, spans);
  decode_tokens(bytes, cand.escapes[kSlashEscape], 2, "escaped", decode_backslash, 2, spans);
  if (spans.empty()) return found;
  // One Hyperscan pass over every decoded span, joined with a separator no rule can match
  // across (NUL bytes): one call instead of thousands of tiny ones.
  static constexpr std::string_view kSep{"\n\0\0\0\0\0\0\0\0\n", 10};
  std::string joined;
  std::vector<std::size_t> starts;
  starts.reserve(spans.size());
  for (const auto& sp : spans) {
    starts.push_back(joined.size());
    joined += sp.decoded;
    joined += kSep;
  }
  ScanOptions inner = opts;
  inner.decode_depth = opts.decode_depth - 1;
  std::vector<Match> sub;
  auto r = scanner.scan(joined, scratch, sub, inner);
  if (!r) return r.error();
  for (auto& m : sub) {
    const auto it = std::upper_bound(starts.begin(), starts.end(), m.secret_begin);
    const std::size_t i = static_cast<std::size_t>(it - starts.begin()) - 1;
    if (m.secret_end > starts[i] + spans[i].decoded.size()) continue;  // crossed a separator
    const auto& sp = spans[i];
    m.encoding = m.encoding.empty() ? sp.encoding : std::string(sp.encoding) + ">" + m.encoding;
    m.begin = m.secret_begin = sp.begin;
    m.end = m.secret_end = sp.end;
    found.push_back(std::move(m));
  }
  return found;
}

}  // namespace vigil
