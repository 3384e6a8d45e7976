// gpgme plumbing (see gpg_context.h).
#include "detectors/signatures/gpg_context.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "detectors/signatures/sig_text.h"

namespace vigil::gpg {

std::string message(gpgme_error_t e) { return fmt::format("{} ({})", gpgme_strerror(e), gpgme_strsource(e)); }

DataPtr mem_data(std::string_view bytes) {
  gpgme_data_t d = nullptr;
  // copy = 0: gpgme reads straight from our buffer, which outlives the operation.
  if (gpgme_data_new_from_mem(&d, bytes.data(), bytes.size(), 0) != 0) return nullptr;
  return DataPtr(d);
}

Result<void> init() {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    if (!gpgme_check_version(nullptr)) failure = "gpgme library initialisation failed";
  });
  if (!failure.empty()) return make_error(ErrorCode::Engine, failure);
  return {};
}

Result<CtxPtr> make_ctx(gpgme_protocol_t proto, const std::string& home) {
  if (auto e = gpgme_engine_check_version(proto); e != 0) {
    return make_error(ErrorCode::Engine,
                      fmt::format("{} is not usable ({}) — install it: apt-get install {}",
                                  proto == GPGME_PROTOCOL_CMS ? "gpgsm" : "gpg", gpgme_strerror(e),
                                  proto == GPGME_PROTOCOL_CMS ? "gpgsm" : "gnupg"));
  }
  gpgme_ctx_t c = nullptr;
  if (auto e = gpgme_new(&c); e != 0) return make_error(ErrorCode::Engine, "gpgme_new: " + message(e));
  CtxPtr ctx(c);
  if (auto e = gpgme_set_protocol(c, proto); e != 0) return make_error(ErrorCode::Engine, message(e));
  if (auto e = gpgme_ctx_set_engine_info(c, proto, nullptr, home.c_str()); e != 0) {
    return make_error(ErrorCode::Engine, "cannot point gpgme at the private GNUPGHOME: " + message(e));
  }
  gpgme_set_offline(c, 1);  // never fetch keys or CRLs over the network
  return ctx;
}

/// Records every subkey of `key` (keyed by its fingerprint) in `out`.
void record_key(gpgme_key_t key, std::map<std::string, KeyInfo>& out) {
  KeyInfo base;
  base.revoked = key->revoked != 0;
  if (key->subkeys && key->subkeys->fpr) base.primary_fpr = key->subkeys->fpr;
  const std::int64_t primary_expires = key->subkeys ? key->subkeys->expires : 0;
  for (gpgme_user_id_t u = key->uids; u; u = u->next) {
    if (base.label.empty() && u->uid) base.label = u->uid;
    if (u->revoked || !u->email || !*u->email) continue;
    std::string e = sigtext::lower(u->email);
    // gpgsm reports a certificate's e-mail user ids as "<addr>".
    if (e.size() > 2 && e.front() == '<' && e.back() == '>') e = e.substr(1, e.size() - 2);
    if (std::find(base.emails.begin(), base.emails.end(), e) == base.emails.end()) base.emails.push_back(e);
  }
  for (gpgme_subkey_t s = key->subkeys; s; s = s->next) {
    if (!s->fpr) continue;
    KeyInfo k = base;
    k.revoked = base.revoked || s->revoked != 0;
    k.can_sign = s->can_sign != 0;
    std::int64_t exp = primary_expires;
    if (s->expires > 0 && (exp == 0 || s->expires < exp)) exp = s->expires;
    k.expires = exp;
    out[s->fpr] = std::move(k);
  }
}

}  // namespace vigil::gpg
