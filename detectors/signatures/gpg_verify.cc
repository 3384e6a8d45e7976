// OpenPGP and X.509 (CMS) verification through gpgme, in the TrustStore's private GNUPGHOME: the
// trusted keys are imported there, the CA certificates marked trusted in gpg-agent's trustlist.
#include <gpgme.h>

#include <fmt/format.h>

#include <algorithm>

#include "detectors/signatures/sig_text.h"
#include "detectors/signatures/trust_store_impl.h"
#include "detectors/util/process.h"

namespace vigil {

Result<void> TrustStore::Impl::import_openpgp(const std::vector<KeyFile>& files) {
  auto ctx = gpg::make_ctx(GPGME_PROTOCOL_OpenPGP, home);
  if (!ctx) return ctx.error();
  pgp = std::move(*ctx);
  for (const auto& f : files) {
    auto d = gpg::mem_data(f.text);
    if (!d) return make_error(ErrorCode::Engine, "gpgme: out of memory");
    if (auto e = gpgme_op_import(pgp.get(), d.get()); e != 0) {
      return make_error(ErrorCode::Config, fmt::format("cannot import the OpenPGP keys of {}: {} — "
                                                       "export them with `gpg --armor --export`",
                                                       f.source, gpg::message(e)));
    }
    const auto* res = gpgme_op_import_result(pgp.get());
    if (!res || res->considered == 0 || res->imported + res->unchanged == 0) {
      return make_error(ErrorCode::Config, fmt::format("{} holds no usable OpenPGP public key — export one "
                                                       "with `gpg --armor --export EMAIL`",
                                                       f.source));
    }
    for (auto& k : pgpsig::parse_public_keys(f.text)) pgp_fast_keys.push_back(std::move(k));
  }
  gpgme_ctx_t c = pgp.get();
  if (auto e = gpgme_op_keylist_start(c, nullptr, 0); e != 0) {
    return make_error(ErrorCode::Engine, "cannot list the trusted OpenPGP keys: " + gpg::message(e));
  }
  gpgme_key_t k = nullptr;
  while (gpgme_op_keylist_next(c, &k) == 0) {
    gpg::KeyPtr key(k);
    gpg::record_key(k, pgp_info);
    ++pgp_keys;
  }
  gpgme_op_keylist_end(c);
  return {};
}

Result<void> TrustStore::Impl::import_x509(const std::vector<KeyFile>& files) {
  auto ctx = gpg::make_ctx(GPGME_PROTOCOL_CMS, home);
  if (!ctx) return ctx.error();
  cms = std::move(*ctx);
  std::string trustlist;
  for (const auto& f : files) {
    auto d = gpg::mem_data(f.text);
    if (!d) return make_error(ErrorCode::Engine, "gpgme: out of memory");
    if (auto e = gpgme_op_import(cms.get(), d.get()); e != 0) {
      return make_error(ErrorCode::Config, fmt::format("cannot import the CA certificates of {}: {}", f.source,
                                                       gpg::message(e)));
    }
    const auto* res = gpgme_op_import_result(cms.get());
    std::size_t n = 0;
    for (auto* s = res ? res->imports : nullptr; s; s = s->next) {
      if (s->result != 0 || !s->fpr) continue;
      // gpg-agent's trustlist: fingerprint and "S" (trusted for S/MIME, i.e. CMS signatures).
      trustlist += fmt::format("{} S relax\n", s->fpr);
      ++n;
    }
    if (n == 0) {
      return make_error(ErrorCode::Config,
                        fmt::format("{} holds no X.509 certificate — give the CA certificate in PEM form", f.source));
    }
    cas += n;
  }
  if (!sigtext::write_file(home + "/trustlist.txt", trustlist)) {
    return make_error(ErrorCode::Io, fmt::format("cannot write {}/trustlist.txt", home));
  }
  // An agent started during the import would hold the old (empty) trustlist.
  run_process({"gpgconf", "--homedir", home, "--reload", "gpg-agent"});
  return {};
}

SignatureVerdict TrustStore::Impl::verify_gpg(const git::SignedObject& o, bool x509, bool must_match) const {
  SignatureVerdict v;
  v.format = x509 ? SignatureFormat::X509 : SignatureFormat::OpenPgp;
  gpgme_ctx_t ctx = x509 ? cms.get() : pgp.get();
  if (!ctx) {
    v.status = SignatureStatus::UnknownKey;
    v.detail = x509 ? "an X.509 signature, but no CA certificate is trusted"
                    : "an OpenPGP signature, but no OpenPGP key is trusted";
    return v;
  }
  // What the signature says, from the in-process check (OpenPGP, a key gpg imported and lets
  // sign) or from gpg itself.
  gpgme_err_code_t code = GPG_ERR_NO_ERROR;
  std::string fpr;
  std::int64_t sig_time = 0;
  gpgme_sigsum_t summary = static_cast<gpgme_sigsum_t>(0);
  gpgme_validity_t validity = GPGME_VALIDITY_UNKNOWN;
  gpgme_err_code_t validity_reason = GPG_ERR_NO_ERROR;
  const char* gpg_status = nullptr;
  bool fast = false;
  if (!x509 && ssh_fast_path && !pgp_fast_keys.empty()) {
    if (auto ok = pgpsig::verify_fast(pgp_fast_keys, o.signature, o.payload)) {
      auto it = pgp_info.find(ok->fingerprint);
      if (it != pgp_info.end() && it->second.can_sign) {
        fast = true;
        fpr = ok->fingerprint;
        sig_time = ok->created;
      }
    }
  }
  if (!fast) {
    auto sig = gpg::mem_data(o.signature);
    auto text = gpg::mem_data(o.payload);
    if (!sig || !text) {
      v.status = SignatureStatus::BadSignature;
      v.detail = "gpgme: out of memory";
      return v;
    }
    const gpgme_error_t err = gpgme_op_verify(ctx, sig.get(), text.get(), nullptr);
    const auto* res = gpgme_op_verify_result(ctx);
    if (err != 0 || !res || !res->signatures) {
      v.status = SignatureStatus::BadSignature;
      v.detail = err != 0 ? "the signature cannot be checked: " + gpg::message(err) : "the signature block holds no signature";
      return v;
    }
    // Copy what we need: the next gpgme operation on this context frees the result.
    const gpgme_signature_t s = res->signatures;
    code = gpgme_err_code(s->status);
    fpr = s->fpr ? s->fpr : "";
    sig_time = s->timestamp;
    summary = s->summary;
    validity = s->validity;
    validity_reason = gpgme_err_code(s->validity_reason);
    gpg_status = gpgme_strerror(s->status);
  }
  v.signer = fpr;

  switch (code) {
    case GPG_ERR_NO_ERROR:
    case GPG_ERR_KEY_EXPIRED:
    case GPG_ERR_SIG_EXPIRED:
    case GPG_ERR_CERT_REVOKED:
      break;  // the signature itself is valid; the key decides below
    case GPG_ERR_NO_PUBKEY:
      v.status = SignatureStatus::UnknownKey;
      v.detail = fmt::format("signed by {} {}, which is not among the trusted keys", x509 ? "certificate" : "key", fpr);
      return v;
    case GPG_ERR_BAD_SIGNATURE:
      v.status = SignatureStatus::BadSignature;
      v.detail = fmt::format("the signature by {} does not match the content (modified after signing?)", fpr);
      return v;
    default:
      v.status = SignatureStatus::BadSignature;
      v.detail = fmt::format("the signature by {} cannot be verified: {}", fpr, gpg_status ? gpg_status : "?");
      return v;
  }

  // Who signed, from our store (OpenPGP) or from the certificate gpgsm just saw (CMS).
  gpg::KeyInfo info;
  if (!x509) {
    auto it = pgp_info.find(fpr);
    if (it == pgp_info.end()) {
      // Can only happen if gpg knew a key we did not list; treat it as not trusted.
      v.status = SignatureStatus::UnknownKey;
      v.detail = fmt::format("signed by key {}, which is not among the trusted keys", fpr);
      return v;
    }
    info = it->second;
  } else {
    auto it = cms_info.find(fpr);
    if (it == cms_info.end()) {
      gpgme_key_t k = nullptr;
      std::map<std::string, gpg::KeyInfo> got;
      if (gpgme_get_key(ctx, fpr.c_str(), &k, 0) == 0 && k) {
        gpg::KeyPtr key(k);
        gpg::record_key(k, got);
        // gpgsm lists the e-mails of a certificate (subjectAltName, or EMail= in the DN) as
        // extra user ids; record_key picks them up.
      }
      auto g = got.find(fpr);
      gpg::KeyInfo ki = g != got.end() ? g->second : gpg::KeyInfo{};
      it = cms_info.emplace(fpr, std::move(ki)).first;
    }
    info = it->second;
  }
  v.identities = info.emails;
  if (!info.label.empty()) v.signer = fmt::format("{} ({})", fpr, info.label);

  if (code == GPG_ERR_CERT_REVOKED || info.revoked || (summary & GPGME_SIGSUM_KEY_REVOKED)) {
    v.status = SignatureStatus::RevokedKey;
    v.detail = fmt::format("signed by {}, which has been revoked", v.signer);
    return v;
  }
  // A key that expired after the signature was made still vouches for it; one that had expired
  // before the object was signed (by the signature's own time or the object's date) does not.
  const std::int64_t when = std::max(sig_time, o.time);
  if (info.expires > 0 && info.expires <= when) {
    v.status = SignatureStatus::ExpiredKey;
    v.detail = fmt::format("signed by {}, which expired on {}, before the {} was made ({})", v.signer,
                           sigtext::format_utc(info.expires), o.kind == git::SignedKind::Tag ? "tag" : "commit",
                           sigtext::format_utc(when));
    return v;
  }
  if (x509) {
    // For CMS the chain to a trusted CA is the trust decision; gpgsm reports it as validity.
    if (summary & GPGME_SIGSUM_KEY_EXPIRED) {
      v.status = SignatureStatus::ExpiredKey;
      v.detail = fmt::format("the certificate {} has expired", v.signer);
      return v;
    }
    if (!(summary & GPGME_SIGSUM_VALID) && validity < GPGME_VALIDITY_FULL) {
      v.status = SignatureStatus::UnknownKey;
      v.detail = fmt::format("the certificate {} does not chain to a trusted CA ({})", v.signer,
                             validity_reason ? gpgme_strerror(validity_reason) : "not trusted");
      return v;
    }
  }
  if (must_match && !sigtext::identity_matches(v.identities, o.email)) {
    v.status = SignatureStatus::IdentityMismatch;
    v.detail = fmt::format("signed by {} whose identities ({}) do not include the {} <{}>", v.signer,
                           v.identities.empty() ? std::string("none") : fmt::format("{}", fmt::join(v.identities, ", ")),
                           o.kind == git::SignedKind::Tag ? "tagger" : "committer", o.email);
    return v;
  }
  v.status = SignatureStatus::Good;
  v.detail = fmt::format("good signature by {}", v.signer);
  return v;
}
}  // namespace vigil
