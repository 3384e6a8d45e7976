// Fuzz target: glob matching. The input is "<pattern>\n---\n<path>". It goes through glob_error,
// glob_match and wildmatch, and wildmatch's answer is checked against a transcription of git's
// recursive matcher (wildmatch.c's dowild, WM_PATHNAME, no case folding) as the oracle, on
// inputs short enough for that matcher's worst case to stay cheap.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "detectors/util/glob.h"
#include "fuzz/fuzz_util.h"

namespace {

using uchar = unsigned char;
constexpr int kMatch = 0, kNoMatch = 1, kAbortAll = -1, kAbortToStarStar = -2;

bool glob_special(uchar c) { return c == '*' || c == '?' || c == '[' || c == '\\'; }

bool cc_is(const uchar* s, int len, const char* name) {
  return std::strlen(name) == static_cast<std::size_t>(len) && std::strncmp(reinterpret_cast<const char*>(s), name, len) == 0;
}

// git's dowild, kept close to the original so that a difference is a difference in vigil.
int dowild(const uchar* p, const uchar* text) {
  const uchar* pattern = p;
  for (uchar p_ch; (p_ch = *p) != '\0'; text++, p++) {
    int matched, match_slash, negated;
    uchar t_ch, prev_ch;
    if ((t_ch = *text) == '\0' && p_ch != '*') return kAbortAll;
    switch (p_ch) {
      case '\\':
        p_ch = *++p;
        [[fallthrough]];
      default:
        if (t_ch != p_ch) return kNoMatch;
        continue;
      case '?':
        if (t_ch == '/') return kNoMatch;
        continue;
      case '*':
        if (*++p == '*') {
          const uchar* prev_p = p - 2;
          while (*++p == '*') {
          }
          if ((prev_p < pattern || *prev_p == '/') && (*p == '\0' || *p == '/' || (p[0] == '\\' && p[1] == '/'))) {
            if (p[0] == '/' && dowild(p + 1, text) == kMatch) return kMatch;
            match_slash = 1;
          } else {
            match_slash = 0;
          }
        } else {
          match_slash = 0;
        }
        if (*p == '\0') {
          if (!match_slash && std::strchr(reinterpret_cast<const char*>(text), '/')) return kNoMatch;
          return kMatch;
        } else if (!match_slash && *p == '/') {
          const char* slash = std::strchr(reinterpret_cast<const char*>(text), '/');
          if (!slash) return kNoMatch;
          text = reinterpret_cast<const uchar*>(slash);
          break;
        }
        while (true) {
          if (t_ch == '\0') break;
          if (!glob_special(*p)) {
            p_ch = *p;
            while ((t_ch = *text) != '\0' && (match_slash || t_ch != '/')) {
              if (t_ch == p_ch) break;
              text++;
            }
            if (t_ch != p_ch) return match_slash ? kAbortAll : kAbortToStarStar;
          }
          if ((matched = dowild(p, text)) != kNoMatch) {
            if (!match_slash || matched != kAbortToStarStar) return matched;
          } else if (!match_slash && t_ch == '/') {
            return kAbortToStarStar;
          }
          t_ch = *++text;
        }
        return kAbortAll;
      case '[':
        p_ch = *++p;
        if (p_ch == '^') p_ch = '!';
        negated = p_ch == '!' ? 1 : 0;
        if (negated) p_ch = *++p;
        prev_ch = 0;
        matched = 0;
        do {
          if (!p_ch) return kAbortAll;
          if (p_ch == '\\') {
            p_ch = *++p;
            if (!p_ch) return kAbortAll;
            if (t_ch == p_ch) matched = 1;
          } else if (p_ch == '-' && prev_ch && p[1] && p[1] != ']') {
            p_ch = *++p;
            if (p_ch == '\\') {
              p_ch = *++p;
              if (!p_ch) return kAbortAll;
            }
            if (t_ch <= p_ch && t_ch >= prev_ch) matched = 1;
            p_ch = 0;
          } else if (p_ch == '[' && p[1] == ':') {
            const uchar* s;
            int i;
            for (s = p += 2; (p_ch = *p) && p_ch != ']'; p++) {
            }
            if (!p_ch) return kAbortAll;
            i = static_cast<int>(p - s - 1);
            if (i < 0 || p[-1] != ':') {
              p = s - 2;
              p_ch = '[';
              if (t_ch == p_ch) matched = 1;
              continue;
            }
            // git's ctype: ASCII only; its isspace is " \t\n\r".
            const int c = t_ch;
            const bool ascii = c < 0x80;
            if (cc_is(s, i, "alnum")) matched |= ascii && std::isalnum(c);
            else if (cc_is(s, i, "alpha")) matched |= ascii && std::isalpha(c);
            else if (cc_is(s, i, "blank")) matched |= (c == ' ' || c == '\t');
            else if (cc_is(s, i, "cntrl")) matched |= ascii && std::iscntrl(c);
            else if (cc_is(s, i, "digit")) matched |= ascii && std::isdigit(c);
            else if (cc_is(s, i, "graph")) matched |= ascii && std::isgraph(c);
            else if (cc_is(s, i, "lower")) matched |= ascii && std::islower(c);
            else if (cc_is(s, i, "print")) matched |= ascii && std::isprint(c);
            else if (cc_is(s, i, "punct")) matched |= ascii && std::ispunct(c);
            else if (cc_is(s, i, "space")) matched |= (c == ' ' || c == '\t' || c == '\n' || c == '\r');
            else if (cc_is(s, i, "upper")) matched |= ascii && std::isupper(c);
            else if (cc_is(s, i, "xdigit")) matched |= ascii && std::isxdigit(c);
            else return kAbortAll;
            p_ch = 0;
          } else if (t_ch == p_ch) {
            matched = 1;
          }
        } while (prev_ch = p_ch, (p_ch = *++p) != ']');
        if (matched == negated || t_ch == '/') return kNoMatch;
        continue;
    }
  }
  return *text ? kNoMatch : kMatch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = vigil::fuzz::split_parts(std::string_view(reinterpret_cast<const char*>(data), size), 2);
  const auto pattern = parts[0];
  const auto path = parts[1];
  (void)vigil::glob_error(pattern);
  (void)vigil::glob_match(pattern, path);
  const bool got = vigil::wildmatch(pattern, path);
  // The oracle reads C strings and backtracks: compare on short inputs without NUL bytes.
  if (pattern.size() > 40 || path.size() > 40) return 0;
  if (pattern.find('\0') != std::string_view::npos || path.find('\0') != std::string_view::npos) return 0;
  const std::string p(pattern), t(path);
  const bool want = dowild(reinterpret_cast<const uchar*>(p.c_str()), reinterpret_cast<const uchar*>(t.c_str())) == kMatch;
  if (got != want) std::abort();
  return 0;
}
