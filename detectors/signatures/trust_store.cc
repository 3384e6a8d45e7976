// TrustStore's life cycle (a private GNUPGHOME built and removed) and the per-format dispatch; the
// verifiers themselves live in gpg_verify.cc (OpenPGP, X.509) and ssh_verify.cc (SSH).
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "detectors/signatures/sig_text.h"
#include "detectors/signatures/trust_store_impl.h"
#include "detectors/util/process.h"

namespace fs = std::filesystem;

namespace vigil {

// ---------------------------------------------------------------------------------------------
// Names

const char* to_string(SignatureStatus s) {
  switch (s) {
    case SignatureStatus::Good: return "good";
    case SignatureStatus::Unsigned: return "unsigned";
    case SignatureStatus::BadSignature: return "bad signature";
    case SignatureStatus::UnknownKey: return "unknown key";
    case SignatureStatus::ExpiredKey: return "expired key";
    case SignatureStatus::RevokedKey: return "revoked key";
    case SignatureStatus::IdentityMismatch: return "identity mismatch";
  }
  return "?";
}

const char* to_string(SignatureFormat f) {
  switch (f) {
    case SignatureFormat::None: return "none";
    case SignatureFormat::OpenPgp: return "openpgp";
    case SignatureFormat::Ssh: return "ssh";
    case SignatureFormat::X509: return "x509";
    case SignatureFormat::Unknown: return "unknown";
  }
  return "?";
}

const char* signature_rule_id(SignatureStatus s) {
  switch (s) {
    case SignatureStatus::Good: return "";
    case SignatureStatus::Unsigned: return "signature.unsigned";
    case SignatureStatus::BadSignature: return "signature.bad";
    case SignatureStatus::UnknownKey: return "signature.unknown-key";
    case SignatureStatus::ExpiredKey: return "signature.expired-key";
    case SignatureStatus::RevokedKey: return "signature.revoked-key";
    case SignatureStatus::IdentityMismatch: return "signature.identity-mismatch";
  }
  return "";
}

SignatureFormat signature_format(std::string_view sig) {
  if (sig.empty()) return SignatureFormat::None;
  if (sig.rfind("-----BEGIN PGP SIGNATURE-----", 0) == 0 || sig.rfind("-----BEGIN PGP MESSAGE-----", 0) == 0) {
    return SignatureFormat::OpenPgp;
  }
  if (sig.rfind("-----BEGIN SSH SIGNATURE-----", 0) == 0) return SignatureFormat::Ssh;
  if (sig.rfind("-----BEGIN SIGNED MESSAGE-----", 0) == 0) return SignatureFormat::X509;
  return SignatureFormat::Unknown;
}

// ---------------------------------------------------------------------------------------------
// TrustStore

TrustStore::Impl::~Impl() {
  pgp.reset();
  cms.reset();
  if (home.empty()) return;
  // gpgsm starts a gpg-agent (it holds the trustlist); it must not outlive the gate.
  run_process({"gpgconf", "--homedir", home, "--kill", "all"});
  // The agent leaves asynchronously; it removes its socket on the way out. Wait (briefly) so
  // that removing the home does not race with it.
  std::error_code ec;
  for (int i = 0; i < 300 && fs::exists(home + "/S.gpg-agent", ec); ++i) usleep(10000);
  // An agent still on its way out can write into the home while it is removed: try again.
  for (int i = 0; i < 50; ++i) {
    fs::remove_all(home, ec);
    if (!fs::exists(home, ec)) break;
    usleep(20000);
  }
}

TrustStore::TrustStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TrustStore::TrustStore(TrustStore&&) noexcept = default;
TrustStore& TrustStore::operator=(TrustStore&&) noexcept = default;
TrustStore::~TrustStore() = default;
const std::string& TrustStore::home() const { return impl_->home; }
std::size_t TrustStore::openpgp_key_count() const { return impl_->pgp_keys; }
std::size_t TrustStore::x509_ca_count() const { return impl_->cas; }
bool TrustStore::has_allowed_signers() const { return impl_->ssh; }
void TrustStore::set_ssh_fast_path(bool on) { impl_->ssh_fast_path = on; }

Result<TrustStore> TrustStore::build(const TrustedKeys& keys) {
  auto impl = std::make_unique<Impl>();
  // Sockets of gpg-agent live in the home: keep its path short (108-byte sun_path limit).
  std::string base = "/tmp";
  if (const char* t = std::getenv("TMPDIR"); t && *t && std::string_view(t).size() < 60) base = t;
  std::string tmpl = base + "/vigil-gnupg-XXXXXX";
  if (!mkdtemp(tmpl.data())) {
    return make_error(ErrorCode::Io, fmt::format("cannot create a private GNUPGHOME under {}: {} — check TMPDIR",
                                                 base, std::strerror(errno)));
  }
  impl->home = tmpl;
  const std::string& home = impl->home;

  // Never fetch or auto-import keys: only what the trust store was given counts. The trust
  // model is "always" because membership in the store *is* the trust decision.
  if (!sigtext::write_file(home + "/gpg.conf",
                           "trust-model always\nno-auto-key-retrieve\nno-auto-key-locate\nno-auto-key-import\n"
                           "no-autostart\nno-greeting\n") ||
      !sigtext::write_file(home + "/gpgsm.conf",
                           "disable-crl-checks\ndisable-trusted-cert-crl-check\ndisable-policy-checks\n"
                           "disable-dirmngr\n")) {
    return make_error(ErrorCode::Io, fmt::format("cannot write to the private GNUPGHOME {}", home));
  }

  if (auto r = impl->write_allowed_signers(keys.allowed_signers); !r) return r.error();
  if (!keys.openpgp_keys.empty() || !keys.x509_cas.empty()) {
    if (auto r = gpg::init(); !r) return r.error();
  }

  if (!keys.openpgp_keys.empty()) {
    if (auto r = impl->import_openpgp(keys.openpgp_keys); !r) return r.error();
  }
  if (!keys.x509_cas.empty()) {
    if (auto r = impl->import_x509(keys.x509_cas); !r) return r.error();
  }
  return TrustStore(std::move(impl));
}

SignatureVerdict TrustStore::verify(const git::SignedObject& o, bool identity_must_match) const {
  SignatureVerdict v;
  v.format = signature_format(o.signature);
  switch (v.format) {
    case SignatureFormat::None:
      v.status = SignatureStatus::Unsigned;
      v.detail = "no signature";
      return v;
    case SignatureFormat::OpenPgp: return impl_->verify_gpg(o, false, identity_must_match);
    case SignatureFormat::X509: return impl_->verify_gpg(o, true, identity_must_match);
    case SignatureFormat::Ssh: return impl_->verify_ssh(o, identity_must_match);
    case SignatureFormat::Unknown: break;
  }
  v.status = SignatureStatus::BadSignature;
  v.detail = "the signature block is in no format vigil knows (OpenPGP, SSH or X.509)";
  return v;
}

}  // namespace vigil
