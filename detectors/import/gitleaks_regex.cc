// Gitleaks import: Go (RE2) regexp syntax to Hyperscan/PCRE2 syntax, one pass over the pattern.
#include "detectors/import/gitleaks_regex.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "detectors/import/gitleaks_text.h"

namespace vigil {

namespace {

using namespace gitleaks;

constexpr std::size_t kMaxRegexBytes = 16 * 1024;
constexpr long kMaxRepeat = 1000;  // Go's limit, for one count and for nested counts multiplied

Error fail(std::string what) { return make_error(ErrorCode::Config, std::move(what)); }

const std::array<std::string_view, 14> kPosixClasses = {"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph",
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
      case 'b':
      case 'B':
        ++i;
        r.pattern += '\\';
        r.pattern += c;
        last_weight = 0;
        return {};
      case 'd':
      case 'D':
      case 's':
      case 'S':
      case 'w':
      case 'W':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        ++i;
        r.pattern += '\\';
        r.pattern += c;
        atom(1);
        return {};
      case 'a':
        ++i;
        append_hex_byte(r.pattern, 0x07);
        atom(1);
        return {};
      case 'v':
        ++i;
        append_hex_byte(r.pattern, 0x0b);
        atom(1);
        return {};  // PCRE2's \v is a class
      case 'p':
      case 'P':
        return fail(fmt::format("Unicode class \\{}: vigil matches bytes, without Unicode properties", c));
      case 'C': return fail("\\C (any byte) has no equivalent");
      case 'Q': ++i; return quoted();
      case '8':
      case '9': return fail(fmt::format("backreference \\{} (Go RE2 has none)", c));
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
        case '\\':
          ++i;
          step = escape();
          break;
        case '[':
          ++i;
          step = char_class();
          break;
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
        case '}':
          r.pattern += "\\}";
          ++i;
          atom(1);
          break;
        case '|':
          r.pattern += '|';
          ++i;
          last_weight = 0;
          break;
        case '^':
        case '$':
          r.pattern += c;
          ++i;
          last_weight = 0;
          break;
        case '*':
        case '+':
        case '?':
          r.pattern += c;
          ++i;
          break;
        case '.':
          r.pattern += '.';
          ++i;
          atom(1);
          break;
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

}  // namespace

Result<TranslatedRegex> translate_go_regex(std::string_view go) {
  Translator t;
  t.in = go;
  return t.run();
}

}  // namespace vigil
