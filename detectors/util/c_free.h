// CFree: a unique_ptr deleter that calls a C library's free function (libgit2, Hyperscan, PCRE2).
#pragma once

namespace vigil {

template <auto Free>
struct CFree {
  template <class T>
  void operator()(T* p) const noexcept {
    if (p) Free(p);
  }
};

}  // namespace vigil
