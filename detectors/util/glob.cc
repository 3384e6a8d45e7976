#include "detectors/util/glob.h"

#include <vector>

namespace vigil {

namespace {

// Matches one class "[...]" at p (p points after '['); returns the index after ']' or npos.
std::size_t match_class(std::string_view pat, std::size_t p, char c, bool& matched) {
  bool negate = false;
  if (p < pat.size() && (pat[p] == '!' || pat[p] == '^')) {
    negate = true;
    ++p;
  }
  bool any = false;
  bool first = true;
  while (p < pat.size() && (first || pat[p] != ']')) {
    first = false;
    char lo = pat[p];
    char hi = lo;
    if (p + 2 < pat.size() && pat[p + 1] == '-' && pat[p + 2] != ']') {
      hi = pat[p + 2];
      p += 3;
    } else {
      ++p;
    }
    if (c >= lo && c <= hi) any = true;
  }
  if (p >= pat.size()) return std::string_view::npos;
  matched = any != negate;
  return p + 1;
}

// Classic backtracking wildcard match over one string; '*' does not cross '/', "**" does.
bool wild(std::string_view pat, std::string_view s) {
  std::size_t p = 0, i = 0;
  std::size_t star_p = std::string_view::npos, star_i = 0;
  bool star_crosses = false;
  while (i < s.size()) {
    if (p < pat.size() && pat[p] == '*') {
      star_crosses = p + 1 < pat.size() && pat[p + 1] == '*';
      while (p < pat.size() && pat[p] == '*') ++p;
      // "**/" also matches zero directories.
      if (star_crosses && p < pat.size() && pat[p] == '/') {
        if (wild(pat.substr(p + 1), s.substr(i))) return true;
      }
      star_p = p;
      star_i = i;
      continue;
    }
    if (p < pat.size()) {
      bool ok = false;
      std::size_t next = p + 1;
      if (pat[p] == '?') {
        ok = s[i] != '/';
      } else if (pat[p] == '[') {
        bool m = false;
        const auto after = match_class(pat, p + 1, s[i], m);
        if (after == std::string_view::npos) {
          ok = s[i] == '[';
        } else {
          ok = m && s[i] != '/';
          next = after;
        }
      } else if (pat[p] == '\\' && p + 1 < pat.size()) {
        ok = s[i] == pat[p + 1];
        next = p + 2;
      } else {
        ok = pat[p] == s[i];
      }
      if (ok) {
        p = next;
        ++i;
        continue;
      }
    }
    if (star_p != std::string_view::npos && (star_crosses || s[star_i] != '/')) {
      ++star_i;
      i = star_i;
      p = star_p;
      continue;
    }
    return false;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
  if (pattern.empty()) return false;
  bool dir_only = false;
  if (pattern.back() == '/') {
    dir_only = true;
    pattern.remove_suffix(1);
  }
  bool anchored = false;
  if (pattern.front() == '/') {
    anchored = true;
    pattern.remove_prefix(1);
  } else if (pattern.find('/') != std::string_view::npos) {
    anchored = true;
  }
  // A directory pattern matches the directory itself and anything below it.
  auto match_here = [&](std::string_view p) {
    if (wild(p, path)) return true;
    for (std::size_t pos = path.find('/'); pos != std::string_view::npos; pos = path.find('/', pos + 1)) {
      if (wild(p, path.substr(0, pos))) return true;
    }
    return false;
  };
  if (anchored) {
    if (dir_only) {
      for (std::size_t pos = path.find('/'); pos != std::string_view::npos; pos = path.find('/', pos + 1)) {
        if (wild(pattern, path.substr(0, pos))) return true;
      }
      return false;
    }
    return match_here(pattern);
  }
  // Unanchored: try every suffix that starts a path component.
  std::size_t start = 0;
  while (true) {
    const auto sub = path.substr(start);
    if (dir_only) {
      for (std::size_t pos = sub.find('/'); pos != std::string_view::npos; pos = sub.find('/', pos + 1)) {
        if (wild(pattern, sub.substr(0, pos))) return true;
      }
    } else if (wild(pattern, sub)) {
      return true;
    } else {
      for (std::size_t pos = sub.find('/'); pos != std::string_view::npos; pos = sub.find('/', pos + 1)) {
        if (wild(pattern, sub.substr(0, pos))) return true;
      }
    }
    const auto slash = path.find('/', start);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return false;
}

std::optional<std::string> glob_error(std::string_view pattern) {
  if (pattern.empty()) return "empty glob";
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (pattern[i] == '[') {
      const auto close = pattern.find(']', i + 2);
      if (close == std::string_view::npos) return "unclosed '[' in glob '" + std::string(pattern) + "'";
      i = close;
    }
  }
  if (pattern.find("***") != std::string_view::npos) return "'***' in glob '" + std::string(pattern) + "'";
  return std::nullopt;
}

}  // namespace vigil
