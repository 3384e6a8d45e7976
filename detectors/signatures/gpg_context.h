// gpgme plumbing shared by the OpenPGP and X.509 verifiers: RAII handles, engine set-up pointed at
// a private GNUPGHOME, and what vigil keeps of one trusted key or certificate.
#pragma once

#include <gpgme.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "detectors/util/result.h"

namespace vigil::gpg {

std::string message(gpgme_error_t e);

struct DataFree {
  void operator()(gpgme_data_t d) const noexcept { gpgme_data_release(d); }
};
using DataPtr = std::unique_ptr<std::remove_pointer_t<gpgme_data_t>, DataFree>;
struct CtxFree {
  void operator()(gpgme_ctx_t c) const noexcept { gpgme_release(c); }
};
using CtxPtr = std::unique_ptr<std::remove_pointer_t<gpgme_ctx_t>, CtxFree>;
struct KeyFree {
  void operator()(gpgme_key_t k) const noexcept { gpgme_key_unref(k); }
};
using KeyPtr = std::unique_ptr<std::remove_pointer_t<gpgme_key_t>, KeyFree>;

/// A gpgme data object reading `bytes` in place; the bytes must outlive it. Null when out of memory.
DataPtr mem_data(std::string_view bytes);
/// gpgme's one-time library initialisation.
Result<void> init();
/// A context for `proto` whose engine uses `home` as GNUPGHOME, offline.
Result<CtxPtr> make_ctx(gpgme_protocol_t proto, const std::string& home);

/// What we keep of one trusted OpenPGP (sub)key or X.509 certificate.
struct KeyInfo {
  std::string primary_fpr;
  std::vector<std::string> emails;
  bool revoked = false;
  bool can_sign = false;     // this (sub)key may make signatures (its usage flags)
  std::int64_t expires = 0;  // 0 = never; the earlier of the primary's and the signing key's
  std::string label;         // first user id, for messages
};

/// Records every subkey of `key` (keyed by its fingerprint) in `out`.
void record_key(gpgme_key_t key, std::map<std::string, KeyInfo>& out);

}  // namespace vigil::gpg
