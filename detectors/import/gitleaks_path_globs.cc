// Gitleaks import: a path regex (searched in the repository-relative path) to vigil globs that
// match the same paths, or nothing when there is no faithful glob form.
#include "detectors/import/gitleaks_path_globs.h"

#include <algorithm>
#include <bitset>
#include <cctype>

#include "detectors/import/gitleaks_text.h"

namespace vigil {

namespace {

using gitleaks::is_word;

constexpr std::size_t kMaxGlobs = 64;

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
