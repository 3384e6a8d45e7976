// Regex: a small PCRE2-JIT wrapper for policy checks (allow regexes, message and name rules).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "detectors/util/result.h"

namespace vigil {

struct RegexImpl;

/// Immutable and thread-safe after compile(); matching allocates its own match data.
class Regex {
 public:
  static Result<Regex> compile(std::string_view pattern, bool case_insensitive = false);
  Regex(const Regex&);
  Regex& operator=(const Regex&);
  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;
  ~Regex();
  /// True when the pattern matches anywhere in `text` (bounded by match limits).
  bool search(std::string_view text) const;
  const std::string& pattern() const;

 private:
  Regex() = default;
  std::shared_ptr<RegexImpl> impl_;
};

}  // namespace vigil
