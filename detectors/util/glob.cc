#include "detectors/util/glob.h"

#include <bitset>
#include <vector>

namespace vigil {

namespace {

// The pattern compiled to a sequence of steps; matching runs them as an NFA over the set of text
// positions reachable before each step, so no pattern can make it backtrack exponentially (git's
// own recursive matcher relies on early aborts instead).
enum class Step : unsigned char {
  Byte,       // one byte, exactly
  Class,      // one byte in `set` (never '/'): '?' and bracket classes
  Star,       // any run of bytes without '/'
  StarStar,   // any run of bytes ("**" as a whole component, not followed by '/')
  DirsSlash,  // "**/": nothing, or any run of bytes that ends with '/'
  Never,      // a malformed class or a trailing '\': no text matches from here on
};

struct Token {
  Step step = Step::Byte;
  unsigned char byte = 0;
  std::bitset<256> set;
};

// ASCII only and independent of the locale, as git's own ctype: "space" is " \t\n\r" there (no
// '\v' or '\f'), and no byte above 0x7f is in any class.
bool posix_class(std::string_view name, unsigned char c) {
  const bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';
  const bool graph = c > 0x20 && c < 0x7f;
  if (name == "alnum") return upper || lower || digit;
  if (name == "alpha") return upper || lower;
  if (name == "blank") return c == ' ' || c == '\t';
  if (name == "cntrl") return c < 0x20 || c == 0x7f;
  if (name == "digit") return digit;
  if (name == "graph") return graph;
  if (name == "lower") return lower;
  if (name == "print") return graph || c == ' ';
  if (name == "punct") return graph && !upper && !lower && !digit;
  if (name == "space") return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  if (name == "upper") return upper;
  if (name == "xdigit") return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  return false;
}

bool known_posix_class(std::string_view name) {
  for (const char* n : {"alnum", "alpha", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space",
                        "upper", "xdigit"}) {
    if (name == n) return true;
  }
  return false;
}

// Parses the class whose '[' is at pat[i]; on success fills `set` and returns the index after its
// ']'. Follows git's wildmatch.c byte for byte: a ']' first in the class is literal, '-' makes a
// range only between two members, "[:" without a closing ":]" is a literal '['. Returns npos when
// the class is malformed (git's WM_ABORT_ALL).
std::size_t parse_class(std::string_view pat, std::size_t i, std::bitset<256>& set, std::string* unknown = nullptr) {
  constexpr auto npos = std::string_view::npos;
  auto at = [&](std::size_t k) -> unsigned char { return k < pat.size() ? static_cast<unsigned char>(pat[k]) : 0; };
  std::size_t p = i + 1;
  unsigned char pc = at(p);
  const bool negated = pc == '!' || pc == '^';
  if (negated) pc = at(++p);
  std::bitset<256> in;
  unsigned char prev = 0;
  do {
    if (pc == 0) return npos;
    if (pc == '\\') {
      pc = at(++p);
      if (pc == 0) return npos;
      in.set(pc);
    } else if (pc == '-' && prev != 0 && at(p + 1) != 0 && at(p + 1) != ']') {
      pc = at(++p);
      if (pc == '\\') {
        pc = at(++p);
        if (pc == 0) return npos;
      }
      for (unsigned c = prev; c <= pc; ++c) in.set(c);
      pc = 0;
    } else if (pc == '[' && at(p + 1) == ':') {
      const std::size_t name_begin = p + 2;
      std::size_t q = name_begin;
      while (at(q) != 0 && at(q) != ']') ++q;
      if (at(q) == 0) return npos;
      if (q < name_begin + 1 || at(q - 1) != ':') {
        // No ":]": the '[' is an ordinary member, and scanning resumes after it.
        in.set('[');
        prev = '[';
        pc = at(++p);
        if (pc == ']') break;
        continue;
      }
      const auto name = pat.substr(name_begin, q - 1 - name_begin);
      if (!known_posix_class(name)) {
        if (unknown) *unknown = "[:" + std::string(name) + ":]";
        return npos;
      }
      for (unsigned c = 1; c < 256; ++c) {
        if (posix_class(name, static_cast<unsigned char>(c))) in.set(c);
      }
      p = q;
      pc = 0;
    } else {
      in.set(pc);
    }
    prev = pc;
    pc = at(++p);
  } while (pc != ']');
  set = negated ? ~in : in;
  set.reset('/');
  return p + 1;
}

std::vector<Token> compile(std::string_view pat) {
  std::vector<Token> out;
  std::size_t p = 0;
  while (p < pat.size()) {
    const char c = pat[p];
    Token t;
    if (c == '*') {
      const std::size_t first = p;
      while (p < pat.size() && pat[p] == '*') ++p;
      const bool doubled = p - first >= 2;
      const bool after_slash = first == 0 || pat[first - 1] == '/';
      const bool before_slash = p == pat.size() || pat[p] == '/' || (pat[p] == '\\' && p + 1 < pat.size() && pat[p + 1] == '/');
      if (doubled && after_slash && before_slash) {
        if (p < pat.size() && pat[p] == '/') {
          t.step = Step::DirsSlash;
          ++p;  // the '/' belongs to the step
        } else {
          t.step = Step::StarStar;  // end of pattern, or "**\/" (git tries no zero-directory match there)
        }
      } else {
        t.step = Step::Star;
      }
      out.push_back(t);
      continue;
    }
    if (c == '?') {
      t.step = Step::Class;
      t.set.set();
      t.set.reset('/');
      ++p;
    } else if (c == '[') {
      const auto next = parse_class(pat, p, t.set);
      if (next == std::string_view::npos) {
        out.push_back(Token{Step::Never, 0, {}});
        return out;
      }
      t.step = Step::Class;
      p = next;
    } else if (c == '\\') {
      if (p + 1 >= pat.size()) {
        out.push_back(Token{Step::Never, 0, {}});
        return out;
      }
      t.byte = static_cast<unsigned char>(pat[p + 1]);
      p += 2;
    } else {
      t.byte = static_cast<unsigned char>(c);
      ++p;
    }
    out.push_back(t);
  }
  return out;
}

}  // namespace

bool wildmatch(std::string_view pattern, std::string_view text) {
  const auto tokens = compile(pattern);
  const std::size_t n = text.size();
  // at[k]: the pattern so far can consume exactly text[0, k).
  std::vector<char> at(n + 1, 0), next(n + 1, 0);
  at[0] = 1;
  for (const auto& t : tokens) {
    std::fill(next.begin(), next.end(), 0);
    bool any = false;
    switch (t.step) {
      case Step::Byte:
      case Step::Class:
        for (std::size_t k = 0; k < n; ++k) {
          if (!at[k]) continue;
          const auto b = static_cast<unsigned char>(text[k]);
          if (t.step == Step::Byte ? b == t.byte : t.set.test(b)) next[k + 1] = any = true;
        }
        break;
      case Step::Star: {
        bool live = false;
        for (std::size_t k = 0; k <= n; ++k) {
          live = live || at[k];
          if (live) next[k] = any = true;
          if (k < n && text[k] == '/') live = false;
        }
        break;
      }
      case Step::StarStar: {
        bool live = false;
        for (std::size_t k = 0; k <= n; ++k) {
          live = live || at[k];
          if (live) next[k] = any = true;
        }
        break;
      }
      case Step::DirsSlash: {
        bool live = false;
        for (std::size_t k = 0; k <= n; ++k) {
          if (at[k]) next[k] = any = true;  // zero directories
          live = live || at[k];
          if (live && k < n && text[k] == '/') next[k + 1] = any = true;
        }
        break;
      }
      case Step::Never:
        return false;
    }
    if (!any) return false;
    at.swap(next);
  }
  return at[n] != 0;
}

bool glob_match(std::string_view pattern, std::string_view path) {
  if (pattern.empty()) return false;
  bool dir_only = false;
  if (pattern.back() == '/') {
    dir_only = true;
    pattern.remove_suffix(1);
    if (pattern.empty()) return false;
  }
  bool anchored = false;
  if (pattern.front() == '/') {
    anchored = true;
    pattern.remove_prefix(1);
  } else if (pattern.find('/') != std::string_view::npos) {
    anchored = true;
  }
  // Each leading directory of the path (as a directory), then the path itself (as a file).
  auto candidate_matches = [&](std::size_t end) {
    const auto whole = path.substr(0, end);
    if (anchored) return wildmatch(pattern, whole);
    const auto slash = whole.rfind('/');
    return wildmatch(pattern, slash == std::string_view::npos ? whole : whole.substr(slash + 1));
  };
  for (std::size_t pos = path.find('/'); pos != std::string_view::npos; pos = path.find('/', pos + 1)) {
    if (candidate_matches(pos)) return true;
  }
  return !dir_only && candidate_matches(path.size());
}

std::optional<std::string> glob_error(std::string_view pattern) {
  if (pattern.empty()) return "empty glob";
  const auto quoted = "'" + std::string(pattern) + "'";
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      if (i + 1 == pattern.size()) return "a trailing '\\' in glob " + quoted + " (it quotes nothing)";
      ++i;
      continue;
    }
    if (pattern[i] == '[') {
      std::bitset<256> set;
      std::string unknown;
      const auto next = parse_class(pattern, i, set, &unknown);
      if (next == std::string_view::npos && unknown.empty()) return "unclosed '[' in glob " + quoted;
      if (next == std::string_view::npos) {
        return "unknown class '" + unknown + "' in glob " + quoted +
               " (use alnum, alpha, blank, cntrl, digit, graph, lower, print, punct, space, upper or xdigit)";
      }
      i = next - 1;
    }
  }
  if (pattern.find("***") != std::string_view::npos) return "'***' in glob " + quoted;
  return std::nullopt;
}

}  // namespace vigil
