#include "detectors/scan/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fmt/format.h>
#include <pcre2.h>

namespace vigil {

struct RegexImpl {
  std::string pattern;
  pcre2_code* code = nullptr;
  pcre2_match_context* mctx = nullptr;
  ~RegexImpl() {
    pcre2_match_context_free(mctx);
    pcre2_code_free(code);
  }
};

Result<Regex> Regex::compile(std::string_view pattern, bool case_insensitive) {
  auto impl = std::make_shared<RegexImpl>();
  impl->pattern = std::string(pattern);
  int err = 0;
  PCRE2_SIZE off = 0;
  impl->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                             case_insensitive ? PCRE2_CASELESS : 0, &err, &off, nullptr);
  if (!impl->code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    return make_error(ErrorCode::Config, fmt::format("invalid regex '{}' at offset {}: {}", pattern, off,
                                                     reinterpret_cast<const char*>(buf)));
  }
  pcre2_jit_compile(impl->code, PCRE2_JIT_COMPLETE);
  impl->mctx = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(impl->mctx, 1000000);
  pcre2_set_depth_limit(impl->mctx, 10000);
  Regex r;
  r.impl_ = std::move(impl);
  return r;
}

Regex::Regex(const Regex&) = default;
Regex& Regex::operator=(const Regex&) = default;
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;
Regex::~Regex() = default;

bool Regex::search(std::string_view text) const {
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
  const int rc = pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0,
                             md, impl_->mctx);
  pcre2_match_data_free(md);
  return rc >= 0;
}

const std::string& Regex::pattern() const { return impl_->pattern; }

}  // namespace vigil
