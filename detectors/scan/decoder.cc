#include "detectors/scan/decoder.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "detectors/util/text.h"

namespace vigil {

namespace {

constexpr std::size_t kMinBase64 = 20;
// No bound on a span's length: decoding is linear, the decoded bytes are fewer than the encoded
// ones, and the buffer is at most max_file_size. (A 1 MiB bound here let a longer base64 run
// pass undecoded, unreported.)

struct Span {
  std::size_t begin, end;
  const char* encoding;
  std::string decoded;
};

// Character classes by table: this loop touches every byte of every scanned buffer.
enum : unsigned char { kAlnum = 1,
                       kUpper = 2,
                       kLower = 4,
                       kStd = 8,
                       kUrl = 16,
                       kToken = 32 };
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

// Candidate positions come from one vectorized pass that classifies 64 bytes at a time into
// bit masks (alphabet bytes; '%' and '\\' bytes), so the byte-by-byte work below only touches the
// few regions that can hold an encoding. A helper Hyperscan database did this before, but its
// pure character-class pattern ran no faster than the whole rule pack and cost twice as much as
// it (it was two thirds of a scan's time).
enum CandidateKind : unsigned { kB64Run = 0,
                                kPercent = 1,
                                kHexEscape = 2,
                                kUnicodeEscape = 3,
                                kSlashEscape = 4 };

struct Candidates {
  std::vector<std::pair<std::size_t, std::size_t>> b64_runs;  // maximal runs of >= kMinBase64 alphabet bytes, [begin, end)
  std::vector<std::uint32_t> escapes[5];                      // match end offsets per kind; 4 bytes, as files with many escapes
                                                              // (crypto test vectors) hold one every 4 bytes; none past 4 GiB
};

constexpr bool is_b64_alpha(unsigned char c) { return kClass[c] & (kAlnum | kStd | kUrl); }

// Classifies `blocks` blocks of 64 bytes: bit i of alpha[k] says byte 64k+i is in
// [A-Za-z0-9+/_-], bit i of marks[k] that it is '%' or '\\'.
using ClassifyFn = void (*)(const unsigned char* p, std::size_t blocks, std::uint64_t* alpha, std::uint64_t* marks);

void classify_blocks_portable(const unsigned char* p, std::size_t blocks, std::uint64_t* alpha, std::uint64_t* marks) {
  for (std::size_t k = 0; k < blocks; ++k, p += 64) {
    std::uint64_t al = 0, mk = 0;
#if defined(__SSE2__)
    for (int q = 0; q < 4; ++q) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * q));
      // Signed compares: bytes >= 0x80 are negative and fall outside every range.
      const __m128i f = _mm_or_si128(x, _mm_set1_epi8(0x20));  // folds A-Z onto a-z
      __m128i a = _mm_and_si128(_mm_cmpgt_epi8(f, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(f, _mm_set1_epi8('z' + 1)));
      a = _mm_or_si128(a, _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('/' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1))));
      a = _mm_or_si128(a, _mm_cmpeq_epi8(x, _mm_set1_epi8('+')));
      a = _mm_or_si128(a, _mm_cmpeq_epi8(x, _mm_set1_epi8('-')));
      a = _mm_or_si128(a, _mm_cmpeq_epi8(x, _mm_set1_epi8('_')));
      const __m128i m = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('%')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
      al |= static_cast<std::uint64_t>(static_cast<std::uint16_t>(_mm_movemask_epi8(a))) << (16 * q);
      mk |= static_cast<std::uint64_t>(static_cast<std::uint16_t>(_mm_movemask_epi8(m))) << (16 * q);
    }
#else
    for (int i = 0; i < 64; ++i) {
      al |= static_cast<std::uint64_t>(is_b64_alpha(p[i])) << i;
      mk |= static_cast<std::uint64_t>(p[i] == '%' || p[i] == '\\') << i;
    }
#endif
    alpha[k] = al;
    marks[k] = mk;
  }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VIGIL_HAVE_AVX2_CLASSIFY 1
// AVX2, chosen at run time (the build targets baseline x86-64): a byte is in the alphabet when
// the table entries of its low and high nibble share a bit (one shuffle each, per 32 bytes).
// Bits: 0 '+' '-' '/', 1 digits, 2 A-O a-o, 3 P-Z p-z, 4 '_'. Bytes >= 0x80 look up 0.
__attribute__((target("avx2"))) void classify_blocks_avx2(const unsigned char* p, std::size_t blocks,
                                                          std::uint64_t* alpha, std::uint64_t* marks) {
  const __m256i lo_lut = _mm256_setr_epi8(0x0a, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e, 0x0c, 0x05, 0x04,
                                          0x05, 0x04, 0x15, 0x0a, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e,
                                          0x0c, 0x05, 0x04, 0x05, 0x04, 0x15);
  const __m256i hi_lut = _mm256_setr_epi8(0, 0, 0x01, 0x02, 0x04, 0x18, 0x04, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
                                          0x02, 0x04, 0x18, 0x04, 0x08, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i nib = _mm256_set1_epi8(0x0f), zero = _mm256_setzero_si256();
  const __m256i pct = _mm256_set1_epi8('%'), bsl = _mm256_set1_epi8('\\');
  for (std::size_t k = 0; k < blocks; ++k, p += 64) {
    std::uint64_t al = 0, mk = 0;
    for (int q = 0; q < 2; ++q) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * q));
      const __m256i lo = _mm256_shuffle_epi8(lo_lut, x);  // x >= 0x80 (high bit set) gives 0
      const __m256i hi = _mm256_shuffle_epi8(hi_lut, _mm256_and_si256(_mm256_srli_epi16(x, 4), nib));
      const __m256i out = _mm256_cmpeq_epi8(_mm256_and_si256(lo, hi), zero);
      const __m256i m = _mm256_or_si256(_mm256_cmpeq_epi8(x, pct), _mm256_cmpeq_epi8(x, bsl));
      al |= static_cast<std::uint64_t>(~static_cast<std::uint32_t>(_mm256_movemask_epi8(out))) << (32 * q);
      mk |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(m))) << (32 * q);
    }
    alpha[k] = al;
    marks[k] = mk;
  }
}
#endif

ClassifyFn classifier() {
#ifdef VIGIL_HAVE_AVX2_CLASSIFY
  static const ClassifyFn fn = __builtin_cpu_supports("avx2") ? classify_blocks_avx2 : classify_blocks_portable;
  return fn;
#else
  return classify_blocks_portable;
#endif
}

bool is_hex(unsigned char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

// The escape at `pos` ('%' or '\\'), recorded at its end offset like a regex match would be:
// %XX, \\xXX, \\uXXXX, \\/.
void note_escape(std::string_view b, std::size_t pos, Candidates& c) {
  if (pos > UINT32_MAX - 8) return;  // offsets are 32 bits (see Candidates)
  const auto* p = reinterpret_cast<const unsigned char*>(b.data());
  const std::size_t n = b.size();
  if (p[pos] == '%') {
    if (pos + 2 < n && is_hex(p[pos + 1]) && is_hex(p[pos + 2])) c.escapes[kPercent].push_back(static_cast<std::uint32_t>(pos + 3));
    return;
  }
  if (pos + 1 >= n) return;
  switch (p[pos + 1]) {
    case 'x':
      if (pos + 3 < n && is_hex(p[pos + 2]) && is_hex(p[pos + 3])) c.escapes[kHexEscape].push_back(static_cast<std::uint32_t>(pos + 4));
      break;
    case 'u':
      if (pos + 5 < n && is_hex(p[pos + 2]) && is_hex(p[pos + 3]) && is_hex(p[pos + 4]) && is_hex(p[pos + 5])) {
        c.escapes[kUnicodeEscape].push_back(static_cast<std::uint32_t>(pos + 6));
      }
      break;
    case '/':
      c.escapes[kSlashEscape].push_back(static_cast<std::uint32_t>(pos + 2));
      break;
    default:
      break;
  }
}

// Bit i set: bytes i-19..i of the block are all in the alphabet, counting `prev` (the previous
// block's mask) for the first 19 bits. The doubling trick: five shift-and steps.
inline std::uint64_t run_of_20_ends_at(std::uint64_t prev, std::uint64_t m) {
  const auto shl = [](std::uint64_t hi, std::uint64_t lo, int k) { return hi << k | lo >> (64 - k); };
  const std::uint64_t a1 = m & shl(m, prev, 1), p1 = prev & (prev << 1);  // i-1..i
  const std::uint64_t a2 = a1 & shl(a1, p1, 2), p2 = p1 & (p1 << 2);      // i-3..i
  const std::uint64_t a4 = a2 & shl(a2, p2, 4), p4 = p2 & (p2 << 4);      // i-7..i
  const std::uint64_t a8 = a4 & shl(a4, p4, 8);                           // i-15..i
  return a8 & shl(a2, p2, 16);                                            // i-19..i
}
static_assert(kMinBase64 == 20, "run_of_20_ends_at() is written for runs of 20");

// The start of the maximal run of alphabet bytes that ends with bit `bit` of block mask `m` at
// `base`: the highest clear bit below it, or, for a run that began in an earlier block, found by
// walking back from the block's start (each such run is walked once).
inline std::size_t run_start(const unsigned char* p, std::size_t base, std::uint64_t m, unsigned bit) {
  const std::uint64_t gaps = ~m & ((std::uint64_t{1} << bit) - 1);
  if (gaps) return base + 64 - static_cast<std::size_t>(__builtin_clzll(gaps));
  std::size_t s = base;
  while (s > 0 && is_b64_alpha(p[s - 1])) --s;
  return s;
}

void find_candidates(std::string_view b, Candidates& c, ClassifyFn classify = classifier()) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data());
  const std::size_t n = b.size();
  const std::size_t blocks_total = (n + 63) / 64;
  constexpr std::size_t kChunk = 64;  // blocks per classify call (4 KB)
  // One block more than a chunk: a run's end is seen only with the next block's first bit.
  std::uint64_t alpha[kChunk + 1], marks[kChunk + 1];
  std::uint64_t prev = 0;  // mask of the block before the current one
  const auto classify_at = [&](std::size_t blk, std::size_t count, std::uint64_t* al, std::uint64_t* mk) {
    const std::size_t full = n / 64;  // complete blocks
    const std::size_t direct = blk >= full ? 0 : std::min(count, full - blk);
    if (direct) classify(p + blk * 64, direct, al, mk);
    if (direct < count) {  // the last partial block, padded with bytes in neither class
      unsigned char tail[64];
      std::memset(tail, ' ', sizeof tail);
      std::memcpy(tail, p + full * 64, n - full * 64);
      classify(tail, 1, al + direct, mk + direct);
    }
  };
  for (std::size_t blk = 0; blk < blocks_total;) {
    const std::size_t count = std::min(kChunk, blocks_total - blk);
    classify_at(blk, count, alpha, marks);
    // The next block's first byte decides whether a run ends at this chunk's last byte.
    std::uint64_t after = 0;
    if (blk + count < blocks_total) {
      const std::size_t q = (blk + count) * 64;
      after = is_b64_alpha(p[q]) ? 1 : 0;
    }
    alpha[count] = after;
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t base = (blk + k) * 64;
      for (std::uint64_t mk = marks[k]; mk; mk &= mk - 1) note_escape(b, base + static_cast<std::size_t>(__builtin_ctzll(mk)), c);
      const std::uint64_t m = alpha[k];
      const std::uint64_t next_starts = m >> 1 | alpha[k + 1] << 63;  // bit i: byte i+1 is in the alphabet
      for (std::uint64_t ends = run_of_20_ends_at(prev, m) & ~next_starts; ends; ends &= ends - 1) {
        const auto bit = static_cast<unsigned>(__builtin_ctzll(ends));
        c.b64_runs.emplace_back(run_start(p, base, m, bit), base + bit + 1);
      }
      prev = m;
    }
    blk += count;
  }
}

// Base64 digit values of both alphabets (a run that mixes them is rejected later), -1 otherwise.
constexpr auto kB64Value = [] {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = static_cast<signed char>(c - 'A');
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = static_cast<signed char>(c - 'a' + 26);
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = static_cast<signed char>(c - '0' + 52);
  t['+'] = t['-'] = 62;
  t['/'] = t['_'] = 63;
  return t;
}();

constexpr bool printable_byte(unsigned u) { return (u >= 0x20 && u < 0x7f) || u == '\n' || u == '\r' || u == '\t'; }

// The six bytes the first eight characters decode to are all printable: true of base64 text,
// false of nearly every identifier or path (most first letters already decode to a byte >= 0x7f
// or a control byte). No allocation: this runs for every long run of every file.
bool printable_head(const unsigned char* p) {
  for (int q = 0; q < 8; q += 4) {
    const unsigned v0 = static_cast<unsigned>(kB64Value[p[q]]), v1 = static_cast<unsigned>(kB64Value[p[q + 1]]),
                   v2 = static_cast<unsigned>(kB64Value[p[q + 2]]), v3 = static_cast<unsigned>(kB64Value[p[q + 3]]);
    if ((v0 | v1 | v2 | v3) > 63) return false;  // -1 wrapped around
    if (!printable_byte(v0 << 2 | v1 >> 4) || !printable_byte((v1 & 15) << 4 | v2 >> 2) ||
        !printable_byte((v2 & 3) << 6 | v3)) {
      return false;
    }
  }
  return true;
}

void check_base64_run(std::string_view b, std::size_t s, std::size_t i, std::vector<Span>& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data());
  const std::size_t len = i - s;
  // Cheap first: six decoded bytes of real base64 text are printable; an identifier's are not.
  if (len < kMinBase64 || !printable_head(p + s)) return;
  unsigned char seen = 0;
  for (std::size_t k = s; k < i; ++k) seen |= kClass[p[k]];
  const bool std_chars = seen & kStd, url_chars = seen & kUrl;
  if (!(seen & kUpper) || !(seen & kLower) || (std_chars && url_chars)) return;
  std::size_t e = i;
  while (e < b.size() && p[e] == '=' && e - i < 2) ++e;
  auto dec = decode_base64(b.substr(s, len), url_chars);
  if (dec && dec->size() >= 8 && is_mostly_text(*dec)) {
    out.push_back(Span{s, e, url_chars ? "base64url" : "base64", std::move(*dec)});
  }
}

// Base64 wrapped over several lines (MIME at 76 columns, PEM at 64, any width from
// kMinWrapWidth): consecutive runs separated by exactly one line break (spaces and tabs around it
// allowed), every inner line of one width, the first and last no longer. Each run belongs to at
// most one block and is read once, so this is linear; a block's runs are not decoded one by one.
constexpr std::size_t kMinWrapWidth = 32;

// Whether b[e, s) is one line break with optional blanks around it.
bool one_line_break(std::string_view b, std::size_t e, std::size_t s) {
  std::size_t newlines = 0;
  for (std::size_t k = e; k < s; ++k) {
    const char c = b[k];
    if (c == '\n') {
      ++newlines;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      return false;
    }
  }
  return newlines == 1;
}

// The wrapped block that starts with runs[i], as [i, last] run indexes and the byte offset where
// it ends (after a short last line below kMinBase64 and '=' padding); last == i when none.
struct Wrapped {
  std::size_t last;
  std::size_t end;
};
Wrapped wrapped_block(std::string_view b, const std::vector<std::pair<std::size_t, std::size_t>>& runs, std::size_t i) {
  const auto len = [&](std::size_t k) { return runs[k].second - runs[k].first; };
  std::size_t j = i, width = 0;
  while (j + 1 < runs.size() && one_line_break(b, runs[j].second, runs[j + 1].first)) {
    if (j == i) {
      width = std::max(len(i), len(i + 1));
      if (width < kMinWrapWidth) break;
    } else if (len(j) != width || len(j + 1) > width) {
      break;
    }
    ++j;
  }
  if (j == i) return {i, runs[i].second};
  if (j == i + 1 && len(i) != width) return {i, runs[i].second};  // two lines: the first must be full
  std::size_t end = runs[j].second;
  // A last line shorter than a run: after a full line, up to `width` alphabet bytes alone on theirs.
  if (len(j) == width) {
    std::size_t k = end;
    while (k < b.size() && (b[k] == ' ' || b[k] == '\t' || b[k] == '\r')) ++k;
    if (k < b.size() && b[k] == '\n') {
      ++k;
      while (k < b.size() && (b[k] == ' ' || b[k] == '\t')) ++k;
      std::size_t t = k;
      while (t < b.size() && is_b64_alpha(static_cast<unsigned char>(b[t])) && t - k < width) ++t;
      if (t > k && t - k < kMinBase64 && (t == b.size() || !is_b64_alpha(static_cast<unsigned char>(b[t])))) end = t;
    }
  }
  return {j, end};
}

// Decodes a wrapped block (runs[i..w.last], ending at w.end) as one base64 text.
void check_wrapped(std::string_view b, const std::vector<std::pair<std::size_t, std::size_t>>& runs, std::size_t i,
                   const Wrapped& w, std::vector<Span>& out) {
  std::string text;
  for (std::size_t k = i; k <= w.last; ++k) text.append(b.substr(runs[k].first, runs[k].second - runs[k].first));
  if (w.end > runs[w.last].second) {  // the short last line
    const auto* p = reinterpret_cast<const unsigned char*>(b.data());
    std::size_t s = w.end;
    while (s > runs[w.last].second && is_b64_alpha(p[s - 1])) --s;
    text.append(b.substr(s, w.end - s));
  }
  const auto* t = reinterpret_cast<const unsigned char*>(text.data());
  if (!printable_head(t)) return;
  unsigned char seen = 0;
  for (unsigned char c : text) seen |= kClass[c];
  const bool url_chars = seen & kUrl;
  if (!(seen & kUpper) || !(seen & kLower) || ((seen & kStd) && url_chars)) return;
  std::size_t e = w.end;
  while (e < b.size() && b[e] == '=' && e - w.end < 2) ++e;
  auto dec = decode_base64(text, url_chars);
  if (dec && dec->size() >= 8 && is_mostly_text(*dec)) {
    out.push_back(Span{runs[i].first, e, url_chars ? "base64url" : "base64", std::move(*dec)});
  }
}

bool token_char(unsigned char c) { return kClass[c] & kToken; }

// Tokens (runs of non-space, non-quote bytes) around escape positions, decoded when they hold
// at least `min_escapes` escapes.
template <class Decode>
void decode_tokens(std::string_view b, const std::vector<std::uint32_t>& ends, std::size_t marker_len, const char* name,
                   Decode decode, std::size_t min_escapes, std::vector<Span>& out) {
  std::size_t done_until = 0;
  for (std::size_t k = 0; k < ends.size(); ++k) {
    const std::size_t pos = ends[k] - marker_len;
    if (pos < done_until) continue;
    std::size_t s = pos, e = pos;
    // No earlier token reaches past done_until, so each byte is walked over once.
    while (s > done_until && token_char(static_cast<unsigned char>(b[s - 1]))) --s;
    while (e < b.size() && token_char(static_cast<unsigned char>(b[e]))) ++e;
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

std::vector<std::pair<std::size_t, std::size_t>> find_base64_runs(std::string_view bytes, bool portable) {
  Candidates cand;
  find_candidates(bytes, cand, portable ? classify_blocks_portable : classifier());
  return std::move(cand.b64_runs);
}

namespace {

// The spans of `bytes` that decode to text, in the order the candidates were found.
void collect_spans(std::string_view bytes, std::vector<Span>& spans) {
  // Reused across calls (no allocation per file). Only read here, before any rescan, which
  // re-enters this function for the next layer and reuses it in turn.
  thread_local Candidates cand;
  cand.b64_runs.clear();
  for (auto& e : cand.escapes) e.clear();
  if (cand.b64_runs.capacity() > (1u << 16)) cand.b64_runs.shrink_to_fit();  // after a huge file
  for (auto& e : cand.escapes) {
    if (e.capacity() > (1u << 16)) e.shrink_to_fit();
  }
  find_candidates(bytes, cand);
  const auto& runs = cand.b64_runs;
  for (std::size_t i = 0; i < runs.size();) {
    const Wrapped w = wrapped_block(bytes, runs, i);
    if (w.last == i) {
      check_base64_run(bytes, runs[i].first, runs[i].second, spans);
    } else {
      check_wrapped(bytes, runs, i, w, spans);
    }
    i = w.last + 1;
  }
  // One escape in a token is everyday code ("%d", "\\x1b"); an encoded secret has several.
  decode_tokens(bytes, cand.escapes[kPercent], 3, "percent", decode_percent, 1, spans);
  decode_tokens(bytes, cand.escapes[kHexEscape], 4, "escaped", decode_backslash, 2, spans);
  decode_tokens(bytes, cand.escapes[kUnicodeEscape], 6, "escaped", decode_backslash, 2, spans);
  decode_tokens(bytes, cand.escapes[kSlashEscape], 2, "escaped", decode_backslash, 2, spans);
}

}  // namespace

bool has_encoded_span(std::string_view bytes) {
  std::vector<Span> spans;
  collect_spans(bytes, spans);
  return !spans.empty();
}

Result<std::vector<Match>> decode_and_rescan(const Scanner& scanner, std::string_view bytes,
                                             Scratch& scratch, const ScanOptions& opts) {
  std::vector<Match> found;
  std::vector<Span> spans;
  collect_spans(bytes, spans);
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
  inner.note_deeper = true;
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
