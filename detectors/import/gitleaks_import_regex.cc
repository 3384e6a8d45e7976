// Gitleaks import, regex half: Go (RE2) regexp syntax to Hyperscan/PCRE2 syntax, and gitleaks path
// regexes to vigil globs. Pure string work, no engine: gitleaks_import.cc compiles the results.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cctype>

#include "detectors/import/gitleaks_import.h"

namespace vigil {

namespace {

constexpr std::size_t kMaxRegexBytes = 16 * 1024;
constexpr long kMaxRepeat = 1000;  // Go's limit, for one count and for nested counts multiplied
constexpr std::size_t kMaxGlobs = 64;

bool is_octal(char c) { return c >= '0' && c <= '7'; }
bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// Length of the UTF-8 sequence that starts with `lead` (1 for ASCII and for invalid bytes).
std::size_t utf8_len(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  if (lead >= 0xE0) return lead <= 0xEF ? 3 : 1;
  if (lead >= 0xC2) return 2;
  return 1;
}

void append_hex_byte(std::string& out, unsigned char b) { out += fmt::format("\\x{:02x}", b); }

// A Go rune as the bytes vigil matches: ASCII as one escaped byte, anything else as its UTF-8 bytes
// in a non-capturing group, so that a following quantifier applies to the whole character as in Go.
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

// Raw UTF-8 bytes of one non-ASCII character in the pattern, grouped for the same reason.
void append_raw_utf8(std::string& out, std::string_view bytes) {
  out += "(?:";
  for (unsigned char c : bytes) append_hex_byte(out, c);
  out += ')';
}

Error fail(std::string what) { return make_error(ErrorCode::Config, std::move(what)); }

const std::array<std::string_view, 14> kPosixClasses = {"alnum", "alpha", "ascii", "blank", "cntrl",  "digit", "graph",
                                                         "lower", "print", "punct", "space", "upper", "word", "xdigit"};

struct Translator {
  std::string_view in;
  std::size_t i = 0;
  TranslatedRegex r;
  // Nesting of groups: the largest repeat product inside each open group (Go's nested limit).
  std::vector<long> inner{1};
  long last_weight = 0;  // weight of the atom a quantifier would apply to (0: none)

  bool at(std::size_t k, char c) const { return k < in.size() && in[k] == c; }

  void atom(long w) {
    last_weight = w;
    inner.back() = std::max(inner.back(), w);
  }

  // \x.., \0.., \1.. : the code point of a Go numeric escape at in[i] (just after the backslash).
  Result<std::uint32_t> numeric_escape() {
    const char c = in[i];
    if (c == 'x') {
      ++i;
      if (at(i, '{')) {
        const auto close = in.find('}', i);
        if (close == std::string_view::npos || close == i + 1 || close - i > 9) return fail("bad \\x{...} escape");
        std::uint32_t v = 0;
        for (std::size_t k = i + 1; k < close; ++k) {
          if (!is_hex(in[k])) return fail("bad \\x{...} escape");
          v = v * 16 + static_cast<std::uint32_t>(std::stoi(std::string(1, in[k]), nullptr, 16));
          if (v > 0x10FFFF) return fail("\\x{...} beyond Unicode");
        }
        i = close + 1;
        return v;
      }
      if (i + 1 >= in.size() || !is_hex(in[i]) || !is_hex(in[i + 1])) return fail("bad \\x escape");
      const auto v = static_cast<std::uint32_t>(std::stoi(std::string(in.substr(i, 2)), nullptr, 16));
      i += 2;
      return v;
    }
    // Go: \0 takes up to two more octal digits; \1-\7 are octal only when followed by one (a lone
    // \1 would be a backreference, which RE2 rejects).
    if (c != '0' && !(i + 1 < in.size() && is_octal(in[i + 1]))) {
      return fail(fmt::format("backreference \\{} (Go RE2 has none)", c));
    }
    std::uint32_t v = 0;
    std::size_t k = 0;
    for (; k < 3 && i < in.size() && is_octal(in[i]); ++k, ++i) v = v * 8 + static_cast<std::uint32_t>(in[i] - '0');
    return v;
  }

  Result<void> quoted() {  // \Q...\E: every byte literal
    const auto end = in.find("\\E", i);
    const auto stop = end == std::string_view::npos ? in.size() : end;
    while (i < stop) {
      const auto n = std::min(utf8_len(static_cast<unsigned char>(in[i])), stop - i);
      if (n == 1) {
        append_rune(r.pattern, static_cast<unsigned char>(in[i]));
      } else {
        append_raw_utf8(r.pattern, in.substr(i, n));
      }
      i += n;
      atom(1);
    }
    i = end == std::string_view::npos ? in.size() : end + 2;
    return {};
  }

  // One escape outside a class; in[i] is the character after the backslash.
  Result<void> escape() {
    if (i >= in.size()) return fail("trailing backslash");
    const char c = in[i];
    switch (c) {
      case 'A':
        ++i;
        r.pattern += '^';
        r.notes.push_back("\\A (start of text) became ^ (start of a line)");
        last_weight = 0;
        return {};
      case 'z':
        ++i;
        r.pattern += '$';
        r.notes.push_back("\\z (end of text) became $ (end of a line)");
        last_weight = 0;
        return {};
      case 'b': case 'B':
        ++i;
        r.pattern += '\\';
        r.pattern += c;
        last_weight = 0;
        return {};
      case 'd': case 'D': case 's': case 'S': case 'w': case 'W': case 'f': case 'n': case 'r': case 't':
        ++i;
        r.pattern += '\\';
        r.pattern += c;
        atom(1);
        return {};
      case 'a': ++i; append_hex_byte(r.pattern, 0x07); atom(1); return {};
      case 'v': ++i; append_hex_byte(r.pattern, 0x0b); atom(1); return {};  // PCRE2's \v is a class
      case 'p': case 'P':
        return fail(fmt::format("Unicode class \\{}: vigil matches bytes, without Unicode properties", c));
      case 'C': return fail("\\C (any byte) has no equivalent");
      case 'Q': ++i; return quoted();
      case '8': case '9': return fail(fmt::format("backreference \\{} (Go RE2 has none)", c));
      default: break;
    }
    if (c == 'x' || is_octal(c)) {
      auto v = numeric_escape();
      if (!v) return v.error();
      append_rune(r.pattern, *v);
      atom(1);
      return {};
    }
    if (static_cast<unsigned char>(c) < 0x80 && !is_word(c) && c >= 0x20) {
      ++i;
      r.pattern += '\\';
      r.pattern += c;
      atom(1);
      return {};
    }
    return fail(fmt::format("escape \\{} is not Go regexp syntax", c));
  }

  // A bracket class; in[i] is just after '['.
  Result<void> char_class() {
    std::string out = "[";
    if (at(i, '^')) {
      out += '^';
      ++i;
    }
    bool first = true;
    while (true) {
      if (i >= in.size()) return fail("missing closing ]");
      const char c = in[i];
      const auto uc = static_cast<unsigned char>(c);
      if (c == ']' && !first) {
        ++i;
        break;
      }
      first = false;
      if (c == '[' && at(i + 1, ':')) {
        const auto close = in.find(":]", i + 2);
        if (close == std::string_view::npos) return fail("missing closing :]");
        auto name = in.substr(i + 2, close - i - 2);
        if (!name.empty() && name.front() == '^') name.remove_prefix(1);
        if (std::find(kPosixClasses.begin(), kPosixClasses.end(), name) == kPosixClasses.end()) {
          return fail(fmt::format("unknown class [:{}:]", name));
        }
        out += in.substr(i, close + 2 - i);
        i = close + 2;
        continue;
      }
      if (c == '\\') {
        ++i;
        if (i >= in.size()) return fail("trailing backslash");
        const char e = in[i];
        if (std::string_view("dDsSwWfnrt").find(e) != std::string_view::npos) {
          out += '\\';
          out += e;
          ++i;
        } else if (e == 'a' || e == 'v') {
          append_hex_byte(out, e == 'a' ? 0x07 : 0x0b);
          ++i;
        } else if (e == 'p' || e == 'P') {
          return fail(fmt::format("Unicode class \\{}: vigil matches bytes, without Unicode properties", e));
        } else if (e == 'x' || is_octal(e)) {
          auto v = numeric_escape();
          if (!v) return v.error();
          if (*v >= 0x80) return fail("non-ASCII character in a class: vigil classes match single bytes");
          append_hex_byte(out, static_cast<unsigned char>(*v));
        } else if (static_cast<unsigned char>(e) < 0x80 && !is_word(e) && e >= 0x20) {
          out += '\\';
          out += e;
          ++i;
        } else {
          return fail(fmt::format("escape \\{} is not Go regexp syntax", e));
        }
        continue;
      }
      if (uc >= 0x80) return fail("non-ASCII character in a class: vigil classes match single bytes");
      if (uc < 0x20 || uc == 0x7f) {
        append_hex_byte(out, uc);
      } else if (c == '[' || c == ']') {
        out += '\\';
        out += c;
      } else {
        out += c;
      }
      ++i;
    }
    r.pattern += out;
    r.pattern += ']';
    atom(1);
    return {};
  }

  Result<void> group_open() {  // in[i] is '('
    ++i;
    if (at(i, '?') && at(i + 1, ':')) {  // (?:...)
      r.pattern += "(?:";
      i += 2;
      inner.push_back(1);
      last_weight = 0;
      return {};
    }
    if (!at(i, '?')) {
      r.pattern += '(';
      ++r.groups;
      inner.push_back(1);
      last_weight = 0;
      return {};
    }
    const auto rest = in.substr(i);
    if (rest.rfind("?P<", 0) == 0 || (rest.rfind("?<", 0) == 0 && !at(i + 2, '=') && !at(i + 2, '!'))) {
      const auto start = i + (in[i + 1] == 'P' ? 3 : 2);
      const auto close = in.find('>', start);
      if (close == std::string_view::npos || close == start) return fail("bad named group");
      for (std::size_t k = start; k < close; ++k) {
        if (!is_word(in[k])) return fail("bad named group name");
      }
      // A plain group keeps Go's numbering in both engines, whatever they think of names.
      i = close + 1;
      r.pattern += '(';
      ++r.groups;
      inner.push_back(1);
      last_weight = 0;
      return {};
    }
    if (rest.rfind("?=", 0) == 0 || rest.rfind("?!", 0) == 0 || rest.rfind("?<", 0) == 0) {
      return fail("lookaround is not Go RE2 syntax (gitleaks rejects it too)");
    }
    if (rest.rfind("?P", 0) == 0) return fail("named backreference (Go RE2 has none)");
    std::size_t k = i + 1;
    std::string flags;
    while (k < in.size() && std::string_view("imsU-").find(in[k]) != std::string_view::npos) flags += in[k++];
    if (k >= in.size() || (in[k] != ')' && in[k] != ':') || flags.empty() || flags == "-" || flags.back() == '-') {
      return fail("unknown group syntax '(?' (Go RE2 knows (?flags), (?flags:...) and (?P<name>...))");
    }
    if (flags.find('U') != std::string::npos) {
      return fail("(?U) (ungreedy by default) has no equivalent in vigil's engines");
    }
    r.pattern += "(?";
    r.pattern += flags;
    r.pattern += in[k];
    if (in[k] == ':') {
      inner.push_back(1);
      last_weight = 0;
    }
    i = k + 1;
    return {};
  }

  // {n}, {n,}, {n,m} at in[i]; Go treats anything else starting with '{' as a literal.
  Result<bool> counted_repeat() {
    std::size_t k = i + 1;
    auto number = [&](long& v) {
      const std::size_t s = k;
      v = 0;
      while (k < in.size() && std::isdigit(static_cast<unsigned char>(in[k])) && k - s < 8) v = v * 10 + (in[k++] - '0');
      return k > s;
    };
    long lo = 0, hi = -1;
    if (!number(lo)) return false;
    if (at(k, ',')) {
      ++k;
      if (!at(k, '}')) {
        if (!number(hi)) return false;
      }
    } else {
      hi = lo;
    }
    if (!at(k, '}')) return false;
    if (lo > kMaxRepeat || hi > kMaxRepeat || (hi >= 0 && hi < lo)) {
      return fail(fmt::format("invalid repeat count {{{}}} (Go allows at most 1000)", in.substr(i + 1, k - i - 1)));
    }
    if (last_weight == 0) return fail("repeat count without anything to repeat");
    const long bound = std::max<long>(hi >= 0 ? hi : lo, 1);
    const long total = bound * last_weight;
    if (total > kMaxRepeat) return fail("nested repeat counts multiply beyond 1000 (Go rejects this too)");
    inner.back() = std::max(inner.back(), total);
    last_weight = total;
    r.pattern += in.substr(i, k + 1 - i);
    i = k + 1;
    return true;
  }

  Result<TranslatedRegex> run() {
    if (in.size() > kMaxRegexBytes) return fail("regex longer than 16 KiB");
    while (i < in.size()) {
      const char c = in[i];
      const auto uc = static_cast<unsigned char>(c);
      Result<void> step;
      switch (c) {
        case '\\': ++i; step = escape(); break;
        case '[': ++i; step = char_class(); break;
        case '(': step = group_open(); break;
        case ')': {
          if (inner.size() <= 1) return fail("unexpected )");
          const long w = inner.back();
          inner.pop_back();
          r.pattern += ')';
          ++i;
          atom(w);
          break;
        }
        case '{': {
          auto rep = counted_repeat();
          if (!rep) return rep.error();
          if (!*rep) {
            r.pattern += "\\{";
            ++i;
            atom(1);
          }
          break;
        }
        case '}': r.pattern += "\\}"; ++i; atom(1); break;
        case '|': r.pattern += '|'; ++i; last_weight = 0; break;
        case '^': case '$': r.pattern += c; ++i; last_weight = 0; break;
        case '*': case '+': case '?': r.pattern += c; ++i; break;
        case '.': r.pattern += '.'; ++i; atom(1); break;
        default:
          if (uc >= 0x80) {
            const auto n = std::min(utf8_len(uc), in.size() - i);
            append_raw_utf8(r.pattern, in.substr(i, n));
            i += n;
          } else {
            append_rune(r.pattern, uc);
            ++i;
          }
          atom(1);
      }
      if (!step) return step.error();
    }
    if (inner.size() != 1) return fail("missing closing )");
    return std::move(r);
  }
};

// ---- path regex -> globs ----------------------------------------------------------------------

// One alternative: a sequence of glob pieces, with the anchors kept as markers.
struct GlobSeq {
  std::vector<std::string> pieces;  // "^" and "$" are anchors; "**" spans; anything else is glob text
};

struct GlobParser {
  std::string_view in;
  std::size_t i = 0;
  bool ci = false;
  bool ok = true;
  int depth = 0;

  static std::string glob_literal(char c) {
    if (c == '*' || c == '?' || c == '[' || c == '\\') return std::string("\\") + c;
    return std::string(1, c);
  }

  // A set of bytes as one glob element: a literal, '?' (any byte but '/'), or a class.
  static std::string glob_set(std::bitset<256> set) {
    if (set.count() == 1 && set.test('/')) return "/";
    set.reset('/');  // '?' and classes never match '/' in a vigil glob
    std::bitset<256> printable;
    for (int c = 0x20; c < 0x7f; ++c) printable.set(static_cast<std::size_t>(c));
    set &= printable;  // bytes outside printable ASCII are dropped: the glob then allows less
    if (set.none()) return {};
    if ((set ^ (printable & ~std::bitset<256>().set('/'))).none()) return "?";
    if (set.count() == 1) {
      for (int c = 0x20; c < 0x7f; ++c) {
        if (set.test(static_cast<std::size_t>(c))) return glob_literal(static_cast<char>(c));
      }
    }
    // ']' first (literal there), '-' last (literal there), '!' and '^' never first.
    std::string body;
    const bool close = set.test(']'), dash = set.test('-'), bang = set.test('!'), caret = set.test('^');
    set.reset(']');
    set.reset('-');
    set.reset('!');
    set.reset('^');
    for (int c = 0x20; c < 0x7f;) {
      if (!set.test(static_cast<std::size_t>(c))) {
        ++c;
        continue;
      }
      int e = c;
      while (e + 1 < 0x7f && set.test(static_cast<std::size_t>(e + 1))) ++e;
      if (e - c >= 2) {
        body += static_cast<char>(c);
        body += '-';
        body += static_cast<char>(e);
      } else {
        for (int k = c; k <= e; ++k) body += static_cast<char>(k);
      }
      c = e + 1;
    }
    std::string out = "[";
    if (close) out += ']';
    out += body;
    if (bang) out += '!';
    if (caret) out += '^';
    if (dash) out += '-';
    if (out.size() > 1 && (out[1] == '!' || out[1] == '^')) return {};  // only '!'/'^' with others absent: handled as literal above
    return out + "]";
  }

  std::bitset<256> one_char(char c) const {
    std::bitset<256> s;
    s.set(static_cast<unsigned char>(c));
    if (ci && std::isalpha(static_cast<unsigned char>(c))) {
      s.set(static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(c))));
      s.set(static_cast<unsigned char>(std::toupper(static_cast<unsigned char>(c))));
    }
    return s;
  }

  static std::bitset<256> range(int lo, int hi) {
    std::bitset<256> s;
    for (int c = lo; c <= hi; ++c) s.set(static_cast<std::size_t>(c));
    return s;
  }

  bool class_escape(char e, std::bitset<256>& s) const {
    if (e == 'd') {
      s |= range('0', '9');
    } else if (e == 'w') {
      s |= range('0', '9') | range('a', 'z') | range('A', 'Z') | one_char('_');
    } else if (!is_word(e) && static_cast<unsigned char>(e) >= 0x20 && static_cast<unsigned char>(e) < 0x7f) {
      s |= one_char(e);
    } else {
      return false;
    }
    return true;
  }

  // A bracket class at in[i] == '['; returns the byte set.
  std::optional<std::bitset<256>> parse_class() {
    ++i;
    bool neg = false;
    if (i < in.size() && in[i] == '^') {
      neg = true;
      ++i;
    }
    std::bitset<256> s;
    bool first = true;
    while (true) {
      if (i >= in.size()) return std::nullopt;
      char c = in[i];
      if (c == ']' && !first) {
        ++i;
        break;
      }
      first = false;
      if (c == '[') return std::nullopt;  // POSIX classes: not worth it for paths
      if (c == '\\') {
        if (i + 1 >= in.size() || !class_escape(in[i + 1], s)) return std::nullopt;
        i += 2;
        continue;
      }
      if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
      if (i + 2 < in.size() && in[i + 1] == '-' && in[i + 2] != ']') {
        char hi = in[i + 2];
        if (hi == '\\' || static_cast<unsigned char>(hi) >= 0x80 || hi < c) return std::nullopt;
        for (int k = c; k <= hi; ++k) s |= one_char(static_cast<char>(k));
        i += 3;
        continue;
      }
      s |= one_char(c);
      ++i;
    }
    if (neg) s = ~s;
    return s;
  }

  static std::vector<GlobSeq> product(const std::vector<GlobSeq>& a, const std::vector<GlobSeq>& b, bool& ok) {
    if (a.size() * b.size() > kMaxGlobs) {
      ok = false;
      return {};
    }
    std::vector<GlobSeq> out;
    for (const auto& x : a) {
      for (const auto& y : b) {
        GlobSeq s = x;
        s.pieces.insert(s.pieces.end(), y.pieces.begin(), y.pieces.end());
        out.push_back(std::move(s));
      }
    }
    return out;
  }

  // Alternatives until ')' or the end.
  std::vector<GlobSeq> alternation() {
    std::vector<GlobSeq> all;
    while (ok) {
      auto seq = sequence();
      if (!ok) return {};
      all.insert(all.end(), seq.begin(), seq.end());
      if (all.size() > kMaxGlobs) {
        ok = false;
        return {};
      }
      if (i < in.size() && in[i] == '|') {
        ++i;
        continue;
      }
      break;
    }
    return all;
  }

  // Applies '?' (optional) after an item; other quantifiers have no glob form except after '.'.
  std::vector<GlobSeq> maybe_optional(std::vector<GlobSeq> item) {
    if (i < in.size() && in[i] == '?') {
      ++i;
      if (i < in.size() && in[i] == '?') ++i;  // lazy: same set of paths
      item.push_back(GlobSeq{});
      return item;
    }
    if (i < in.size() && (in[i] == '*' || in[i] == '+' || in[i] == '{')) ok = false;
    return item;
  }

  std::vector<GlobSeq> sequence() {
    std::vector<GlobSeq> acc{GlobSeq{}};
    auto single = [](std::string piece) { return std::vector<GlobSeq>{GlobSeq{{std::move(piece)}}}; };
    while (ok && i < in.size() && in[i] != '|' && in[i] != ')') {
      const char c = in[i];
      std::vector<GlobSeq> item;
      if (c == '(') {
        if (++depth > 8) {
          ok = false;
          return {};
        }
        ++i;
        if (in.substr(i).rfind("?i)", 0) == 0) {  // flag group: only (?i) is understood
          ci = true;
          i += 3;
          --depth;
          continue;
        }
        if (in.substr(i).rfind("?:", 0) == 0) {
          i += 2;
        } else if (in.substr(i).rfind("?i:", 0) == 0) {
          ci = true;  // approximation: applies to the rest, which only ever allows more case forms
          i += 3;
        } else if (in.substr(i).rfind("?P<", 0) == 0 || in.substr(i).rfind("?<", 0) == 0) {
          const auto close = in.find('>', i);
          if (close == std::string_view::npos) {
            ok = false;
            return {};
          }
          i = close + 1;
        } else if (i < in.size() && in[i] == '?') {
          ok = false;
          return {};
        }
        item = alternation();
        if (!ok || i >= in.size() || in[i] != ')') {
          ok = false;
          return {};
        }
        ++i;
        --depth;
        item = maybe_optional(std::move(item));
      } else if (c == '^' || c == '$') {
        ++i;
        item = single(std::string(1, c));
      } else if (c == '.') {
        ++i;
        if (i < in.size() && (in[i] == '*' || in[i] == '+')) {
          const bool plus = in[i] == '+';
          ++i;
          if (i < in.size() && in[i] == '?') ++i;
          item = plus ? std::vector<GlobSeq>{GlobSeq{{"?", "**"}}} : single("**");
        } else {
          item = maybe_optional(single("?"));
        }
      } else if (c == '[') {
        auto set = parse_class();
        if (!set) {
          ok = false;
          return {};
        }
        const bool any_but_slash = (~*set).count() == 1 && !set->test('/');
        if (any_but_slash && i < in.size() && (in[i] == '*' || in[i] == '+')) {  // [^/]* and [^/]+
          const bool plus = in[i] == '+';
          ++i;
          if (i < in.size() && in[i] == '?') ++i;
          item = plus ? std::vector<GlobSeq>{GlobSeq{{"?", "*"}}} : single("*");
        } else {
          auto g = glob_set(*set);
          if (g.empty()) {
            ok = false;
            return {};
          }
          item = maybe_optional(single(std::move(g)));
        }
      } else if (c == '\\') {
        if (i + 1 >= in.size()) {
          ok = false;
          return {};
        }
        const char e = in[i + 1];
        i += 2;
        if (e == 'A') {
          item = single("^");
        } else if (e == 'z') {
          item = single("$");
        } else {
          std::bitset<256> s;
          if (!class_escape(e, s)) {
            ok = false;
            return {};
          }
          item = maybe_optional(single(glob_set(s)));
        }
      } else if (c == '*' || c == '+' || c == '?' || c == '{' || static_cast<unsigned char>(c) >= 0x80 ||
                 static_cast<unsigned char>(c) < 0x20) {
        ok = false;
        return {};
      } else {
        ++i;
        item = maybe_optional(single(glob_set(one_char(c))));
      }
      if (!ok) return {};
      if (item.size() == 1) {  // the common case: append in place instead of copying every sequence
        for (auto& x : acc) x.pieces.insert(x.pieces.end(), item[0].pieces.begin(), item[0].pieces.end());
      } else {
        acc = product(acc, item, ok);
      }
    }
    return acc;
  }
};

std::optional<std::string> seq_to_glob(const GlobSeq& s) {
  std::vector<std::string> p = s.pieces;
  const bool start = !p.empty() && p.front() == "^";
  if (start) p.erase(p.begin());
  const bool end = !p.empty() && p.back() == "$";
  if (end) p.pop_back();
  std::string body;
  for (const auto& piece : p) {
    if (piece == "^" || piece == "$") return std::nullopt;  // an anchor in the middle
    body += piece;
  }
  // A glob that allows every path is never what an allowlist means; refuse it.
  if (body.empty() || body.find_first_not_of('*') == std::string::npos) return std::nullopt;
  std::string g = (start ? "/" : "**") + body + (end ? "" : "**");
  // "***" is an error in a vigil glob and means nothing more than "**".
  for (std::size_t k; (k = g.find("***")) != std::string::npos;) g.erase(k, 1);
  // A leading "/" then "**" is the same as an unanchored "**".
  if (g.rfind("/**", 0) == 0) g.erase(0, 1);
  return g;
}

// A vigil glob is a wildmatch: "**" spans directories only as a whole component ("a/**/b"); inside
// a component ("gen/?**.pb.go") it is a '*'. So a "**" that stands for the regex's ".*" inside a
// component becomes two globs: one where it crosses no '/' ("*") and one where it crosses at least
// one ("*/**/*"). A glob without '/' matches a basename, where the two readings agree. Returns
// nullopt past 16 variants (the regex then has no glob form).
std::optional<std::vector<std::string>> expand_inner_double_stars(const std::string& g) {
  if (g.find('/') == std::string::npos) return std::vector<std::string>{g};
  // The glob cut at each inner "**": parts[0] ** parts[1] ** ... parts[n].
  std::vector<std::string> parts{""};
  for (std::size_t i = 0; i < g.size();) {
    const bool stars = g.compare(i, 2, "**") == 0;
    const bool whole = stars && (i == 0 || g[i - 1] == '/') && (i + 2 == g.size() || g[i + 2] == '/');
    if (stars && !whole) {
      parts.emplace_back();
      i += 2;
    } else {
      const std::size_t n = stars ? 2 : 1;
      parts.back() += g.substr(i, n);
      i += n;
    }
  }
  if (parts.size() > 5) return std::nullopt;
  std::vector<std::string> out{parts[0]};
  for (std::size_t k = 1; k < parts.size(); ++k) {
    std::vector<std::string> next;
    for (const auto& v : out) {
      next.push_back(v + "*" + parts[k]);
      next.push_back(v + "*/**/*" + parts[k]);
    }
    out = std::move(next);
  }
  return out;
}

}  // namespace

Result<TranslatedRegex> translate_go_regex(std::string_view go) {
  Translator t;
  t.in = go;
  return t.run();
}

std::optional<std::vector<std::string>> go_path_regex_to_globs(std::string_view go) {
  if (go.empty() || go.size() > 512) return std::nullopt;
  GlobParser p;
  p.in = go;
  auto seqs = p.alternation();
  if (!p.ok || p.i != go.size() || seqs.empty()) return std::nullopt;
  std::vector<std::string> globs;
  for (const auto& s : seqs) {
    const auto g = seq_to_glob(s);
    if (!g) return std::nullopt;
    const auto variants = expand_inner_double_stars(*g);
    if (!variants) return std::nullopt;
    for (const auto& v : *variants) {
      if (std::find(globs.begin(), globs.end(), v) == globs.end()) globs.push_back(v);
    }
  }
  return globs;
}

}  // namespace vigil
