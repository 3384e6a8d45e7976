// Signature verification (see verifier.h). gpgme for OpenPGP and CMS, ssh-keygen for SSH.
#include "detectors/signatures/verifier.h"

#include <fcntl.h>
#include <gpgme.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "detectors/signatures/sshsig.h"
#include "detectors/util/process.h"
#include "detectors/util/glob.h"


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

namespace {

// ---------------------------------------------------------------------------------------------
// Helpers

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool write_file(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return static_cast<bool>(out);
}

std::string gpg_message(gpgme_error_t e) { return fmt::format("{} ({})", gpgme_strerror(e), gpgme_strsource(e)); }

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

DataPtr mem_data(std::string_view bytes) {
  gpgme_data_t d = nullptr;
  // copy = 0: gpgme reads straight from our buffer, which outlives the operation.
  if (gpgme_data_new_from_mem(&d, bytes.data(), bytes.size(), 0) != 0) return nullptr;
  return DataPtr(d);
}

Result<void> init_gpgme() {
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
  if (auto e = gpgme_new(&c); e != 0) return make_error(ErrorCode::Engine, "gpgme_new: " + gpg_message(e));
  CtxPtr ctx(c);
  if (auto e = gpgme_set_protocol(c, proto); e != 0) return make_error(ErrorCode::Engine, gpg_message(e));
  if (auto e = gpgme_ctx_set_engine_info(c, proto, nullptr, home.c_str()); e != 0) {
    return make_error(ErrorCode::Engine, "cannot point gpgme at the private GNUPGHOME: " + gpg_message(e));
  }
  gpgme_set_offline(c, 1);  // never fetch keys or CRLs over the network
  return ctx;
}

/// What we keep of one trusted OpenPGP (sub)key or X.509 certificate.
struct KeyInfo {
  std::string primary_fpr;
  std::vector<std::string> emails;
  bool revoked = false;
  std::int64_t expires = 0;  // 0 = never; the earlier of the primary's and the signing key's
  std::string label;         // first user id, for messages
};

/// Records every subkey of `key` (keyed by its fingerprint) in `out`.
void record_key(gpgme_key_t key, std::map<std::string, KeyInfo>& out) {
  KeyInfo base;
  base.revoked = key->revoked != 0;
  if (key->subkeys && key->subkeys->fpr) base.primary_fpr = key->subkeys->fpr;
  const std::int64_t primary_expires = key->subkeys ? key->subkeys->expires : 0;
  for (gpgme_user_id_t u = key->uids; u; u = u->next) {
    if (base.label.empty() && u->uid) base.label = u->uid;
    if (u->revoked || !u->email || !*u->email) continue;
    std::string e = lower(u->email);
    // gpgsm reports a certificate's e-mail user ids as "<addr>".
    if (e.size() > 2 && e.front() == '<' && e.back() == '>') e = e.substr(1, e.size() - 2);
    if (std::find(base.emails.begin(), base.emails.end(), e) == base.emails.end()) base.emails.push_back(e);
  }
  for (gpgme_subkey_t s = key->subkeys; s; s = s->next) {
    if (!s->fpr) continue;
    KeyInfo k = base;
    k.revoked = base.revoked || s->revoked != 0;
    std::int64_t exp = primary_expires;
    if (s->expires > 0 && (exp == 0 || s->expires < exp)) exp = s->expires;
    k.expires = exp;
    out[s->fpr] = std::move(k);
  }
}

std::string format_utc(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

/// allowed_signers text with the valid-before / valid-after options removed, or "" when no
/// line has them. Lets the verifier tell "key not trusted" from "trusted, but not at that date".
std::string without_validity(std::string_view text) {
  bool changed = false;
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    // Tokens split on blanks outside double quotes.
    std::vector<std::string> tokens;
    std::string cur;
    bool quoted = false;
    for (char ch : line) {
      if (ch == '"') quoted = !quoted;
      if (!quoted && (ch == ' ' || ch == '\t')) {
        if (!cur.empty()) tokens.push_back(std::move(cur));
        cur.clear();
      } else {
        cur += ch;
      }
    }
    if (!cur.empty()) tokens.push_back(std::move(cur));
    const auto is_key_type = [](std::string_view t) {
      return t.rfind("ssh-", 0) == 0 || t.rfind("ecdsa-", 0) == 0 || t.rfind("sk-", 0) == 0;
    };
    if (tokens.size() < 3 || tokens[0][0] == '#' || is_key_type(tokens[1])) {
      out += std::string(line) + "\n";
      continue;
    }
    // tokens[1] holds the options: comma-separated outside quotes.
    std::vector<std::string> opts;
    cur.clear();
    quoted = false;
    for (char ch : tokens[1]) {
      if (ch == '"') quoted = !quoted;
      if (!quoted && ch == ',') {
        opts.push_back(std::move(cur));
        cur.clear();
      } else {
        cur += ch;
      }
    }
    opts.push_back(std::move(cur));
    std::string kept;
    for (const auto& o : opts) {
      const std::string lo = lower(o);
      if (lo.rfind("valid-before=", 0) == 0 || lo.rfind("valid-after=", 0) == 0) {
        changed = true;
        continue;
      }
      kept += (kept.empty() ? "" : ",") + o;
    }
    std::string rebuilt = tokens[0];
    if (!kept.empty()) rebuilt += " " + kept;
    for (std::size_t i = 2; i < tokens.size(); ++i) rebuilt += " " + tokens[i];
    out += rebuilt + "\n";
  }
  return changed ? out : std::string();
}

bool identity_matches(const std::vector<std::string>& identities, const std::string& email) {
  const std::string e = lower(email);
  return !e.empty() && std::find(identities.begin(), identities.end(), e) != identities.end();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// TrustStore

struct TrustStore::Impl {
  std::string home;
  CtxPtr pgp;  // set when OpenPGP keys were given
  CtxPtr cms;  // set when CA certificates were given
  std::size_t pgp_keys = 0;
  std::size_t cas = 0;
  bool ssh = false;
  std::string allowed_signers;  // path
  std::string allowed_signers_anytime;  // path; empty unless some entry has a validity window
  std::vector<sshsig::Signer> fast_signers;  // entries the in-process check may use
  bool ssh_fast_path = true;
  std::map<std::string, KeyInfo> pgp_info;         // by (sub)key fingerprint
  mutable std::map<std::string, KeyInfo> cms_info;  // signer certs, filled on first sight

  ~Impl() {
    pgp.reset();
    cms.reset();
    if (home.empty()) return;
    // gpgsm starts a gpg-agent (it holds the trustlist); it must not outlive the gate.
    run_process({"gpgconf", "--homedir", home, "--kill", "all"});
    // The agent leaves asynchronously; it removes its socket on the way out. Wait (briefly) so
    // that removing the home does not race with it.
    std::error_code ec;
    for (int i = 0; i < 100 && fs::exists(home + "/S.gpg-agent", ec); ++i) usleep(10000);
    fs::remove_all(home, ec);
  }

  SignatureVerdict verify_gpg(const git::SignedObject& o, bool x509, bool must_match) const;
  SignatureVerdict verify_ssh(const git::SignedObject& o, bool must_match) const;
};

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
  if (!write_file(home + "/gpg.conf",
                  "trust-model always\nno-auto-key-retrieve\nno-auto-key-locate\nno-auto-key-import\n"
                  "no-autostart\nno-greeting\n") ||
      !write_file(home + "/gpgsm.conf",
                  "disable-crl-checks\ndisable-trusted-cert-crl-check\ndisable-policy-checks\n"
                  "disable-dirmngr\n")) {
    return make_error(ErrorCode::Io, fmt::format("cannot write to the private GNUPGHOME {}", home));
  }

  // SSH: one allowed_signers file, concatenated.
  std::string signers;
  for (const auto& f : keys.allowed_signers) {
    signers += f.text;
    if (!f.text.empty() && f.text.back() != '\n') signers += '\n';
  }
  impl->allowed_signers = home + "/allowed_signers";
  impl->ssh = signers.find_first_not_of(" \t\r\n") != std::string::npos;
  if (!write_file(impl->allowed_signers, signers)) {
    return make_error(ErrorCode::Io, fmt::format("cannot write {}", impl->allowed_signers));
  }
  impl->fast_signers = sshsig::simple_signers(signers);
  if (const auto anytime = without_validity(signers); !anytime.empty()) {
    impl->allowed_signers_anytime = home + "/allowed_signers.anytime";
    if (!write_file(impl->allowed_signers_anytime, anytime)) {
      return make_error(ErrorCode::Io, fmt::format("cannot write {}", impl->allowed_signers_anytime));
    }
  }

  if (!keys.openpgp_keys.empty() || !keys.x509_cas.empty()) {
    if (auto r = init_gpgme(); !r) return r.error();
  }

  if (!keys.openpgp_keys.empty()) {
    auto ctx = make_ctx(GPGME_PROTOCOL_OpenPGP, home);
    if (!ctx) return ctx.error();
    impl->pgp = std::move(*ctx);
    for (const auto& f : keys.openpgp_keys) {
      auto d = mem_data(f.text);
      if (!d) return make_error(ErrorCode::Engine, "gpgme: out of memory");
      if (auto e = gpgme_op_import(impl->pgp.get(), d.get()); e != 0) {
        return make_error(ErrorCode::Config, fmt::format("cannot import the OpenPGP keys of {}: {} — "
                                                         "export them with `gpg --armor --export`", f.source, gpg_message(e)));
      }
      const auto* res = gpgme_op_import_result(impl->pgp.get());
      if (!res || res->considered == 0 || res->imported + res->unchanged == 0) {
        return make_error(ErrorCode::Config, fmt::format("{} holds no usable OpenPGP public key — export one "
                                                         "with `gpg --armor --export EMAIL`", f.source));
      }
    }
    gpgme_ctx_t c = impl->pgp.get();
    if (auto e = gpgme_op_keylist_start(c, nullptr, 0); e != 0) {
      return make_error(ErrorCode::Engine, "cannot list the trusted OpenPGP keys: " + gpg_message(e));
    }
    gpgme_key_t k = nullptr;
    while (gpgme_op_keylist_next(c, &k) == 0) {
      KeyPtr key(k);
      record_key(k, impl->pgp_info);
      ++impl->pgp_keys;
    }
    gpgme_op_keylist_end(c);
  }

  if (!keys.x509_cas.empty()) {
    auto ctx = make_ctx(GPGME_PROTOCOL_CMS, home);
    if (!ctx) return ctx.error();
    impl->cms = std::move(*ctx);
    std::string trustlist;
    for (const auto& f : keys.x509_cas) {
      auto d = mem_data(f.text);
      if (!d) return make_error(ErrorCode::Engine, "gpgme: out of memory");
      if (auto e = gpgme_op_import(impl->cms.get(), d.get()); e != 0) {
        return make_error(ErrorCode::Config, fmt::format("cannot import the CA certificates of {}: {}", f.source,
                                                         gpg_message(e)));
      }
      const auto* res = gpgme_op_import_result(impl->cms.get());
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
      impl->cas += n;
    }
    if (!write_file(home + "/trustlist.txt", trustlist)) {
      return make_error(ErrorCode::Io, fmt::format("cannot write {}/trustlist.txt", home));
    }
    // An agent started during the import would hold the old (empty) trustlist.
    run_process({"gpgconf", "--homedir", home, "--reload", "gpg-agent"});
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
  auto sig = mem_data(o.signature);
  auto text = mem_data(o.payload);
  if (!sig || !text) {
    v.status = SignatureStatus::BadSignature;
    v.detail = "gpgme: out of memory";
    return v;
  }
  const gpgme_error_t err = gpgme_op_verify(ctx, sig.get(), text.get(), nullptr);
  const auto* res = gpgme_op_verify_result(ctx);
  if (err != 0 || !res || !res->signatures) {
    v.status = SignatureStatus::BadSignature;
    v.detail = err != 0 ? "the signature cannot be checked: " + gpg_message(err) : "the signature block holds no signature";
    return v;
  }
  // Copy what we need: the next gpgme operation on this context frees the result.
  const gpgme_signature_t s = res->signatures;
  const gpgme_err_code_t code = gpgme_err_code(s->status);
  const std::string fpr = s->fpr ? s->fpr : "";
  const std::int64_t sig_time = s->timestamp;
  const gpgme_sigsum_t summary = s->summary;
  const gpgme_validity_t validity = s->validity;
  const gpgme_err_code_t validity_reason = gpgme_err_code(s->validity_reason);
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
      v.detail = fmt::format("the signature by {} cannot be verified: {}", fpr, gpgme_strerror(s->status));
      return v;
  }

  // Who signed, from our store (OpenPGP) or from the certificate gpgsm just saw (CMS).
  KeyInfo info;
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
      std::map<std::string, KeyInfo> got;
      if (gpgme_get_key(ctx, fpr.c_str(), &k, 0) == 0 && k) {
        KeyPtr key(k);
        record_key(k, got);
        // gpgsm lists the e-mails of a certificate (subjectAltName, or EMail= in the DN) as
        // extra user ids; record_key picks them up.
      }
      auto g = got.find(fpr);
      KeyInfo ki = g != got.end() ? g->second : KeyInfo{};
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
                           format_utc(info.expires), o.kind == git::SignedKind::Tag ? "tag" : "commit",
                           format_utc(when));
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
  if (must_match && !identity_matches(v.identities, o.email)) {
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

SignatureVerdict TrustStore::Impl::verify_ssh(const git::SignedObject& o, bool must_match) const {
  SignatureVerdict v;
  v.format = SignatureFormat::Ssh;
  if (!ssh) {
    v.status = SignatureStatus::UnknownKey;
    v.detail = "an SSH signature, but no allowed_signers entry is trusted";
    return v;
  }
  // The common case needs no process: an ed25519/RSA key listed literally for the committer.
  if (must_match && !o.email.empty() && ssh_fast_path) {
    if (auto fp = sshsig::verify_fast(fast_signers, o.signature, o.payload, o.email)) {
      v.status = SignatureStatus::Good;
      v.signer = *fp;
      v.identities = {lower(o.email)};
      v.detail = fmt::format("good SSH signature by {} for {}", v.signer, o.email);
      return v;
    }
  }
  // ssh-keygen reads the signature and the payload from files (two writes cost more than the
  // in-process check, so they come after it).
  const std::string sig_path = home + "/ssh.sig";
  const std::string payload_path = home + "/ssh.payload";
  if (!write_file(sig_path, o.signature) || !write_file(payload_path, o.payload)) {
    v.status = SignatureStatus::BadSignature;
    v.detail = fmt::format("cannot write to {}", home);
    return v;
  }
  // As git does: validity options in allowed_signers are judged at the object's date (local time,
  // the format ssh-keygen parses).
  std::string verify_time;
  if (o.time > 0) {
    const std::time_t tt = static_cast<std::time_t>(o.time);
    std::tm tm{};
    localtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
    verify_time = std::string("-Overify-time=") + buf;
  }
  const auto verify_as = [&](const std::string& principal) {
    std::vector<std::string> args = {"ssh-keygen", "-Y", "verify", "-f", allowed_signers, "-I", principal,
                                     "-n", "git", "-s", sig_path};
    if (!verify_time.empty()) args.push_back(verify_time);
    return run_process(args, ProcOptions{payload_path, {}, {}});
  };
  const auto find_principals = [&](const std::string& file) {
    std::vector<std::string> args = {"ssh-keygen", "-Y", "find-principals", "-f", file, "-s", sig_path};
    if (!verify_time.empty()) args.push_back(verify_time);
    auto r = run_process(args);
    std::vector<std::string> out;
    if (r.status != 0) return out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(line);
    }
    return out;
  };
  const auto signer_of = [](const std::string& out) {
    // "Good "git" signature for alice@example.com with ED25519 key SHA256:…"
    const auto p = out.find(" key ");
    if (p == std::string::npos) return std::string();
    std::string k = out.substr(p + 5);
    return k.substr(0, k.find_first_of("\r\n"));
  };

  // Otherwise one process when it is good: verify directly as the committer.
  if (must_match && !o.email.empty()) {
    auto r = verify_as(o.email);
    if (r.status == 0) {
      v.status = SignatureStatus::Good;
      v.signer = signer_of(r.out);
      v.identities = {lower(o.email)};
      v.detail = fmt::format("good SSH signature by {} for {}", v.signer, o.email);
      return v;
    }
    if (r.status < 0) {
      v.status = SignatureStatus::BadSignature;
      v.detail = r.err + " — install openssh-client";
      return v;
    }
  }
  auto principals = find_principals(allowed_signers);
  if (principals.empty()) {
    if (!allowed_signers_anytime.empty() && !find_principals(allowed_signers_anytime).empty()) {
      v.status = SignatureStatus::ExpiredKey;
      v.detail = "the signing key is in allowed_signers, but not valid at the object's date "
                 "(valid-after/valid-before)";
      return v;
    }
    v.status = SignatureStatus::UnknownKey;
    auto fp = run_process({"ssh-keygen", "-Y", "check-novalidate", "-n", "git", "-s", sig_path}, ProcOptions{payload_path, {}, {}});
    v.signer = signer_of(fp.out);
    v.detail = v.signer.empty() ? "the SSH signing key is not in allowed_signers"
                                : fmt::format("the SSH key {} is not in allowed_signers", v.signer);
    return v;
  }
  v.identities = principals;
  auto r = verify_as(principals.front());
  v.signer = signer_of(r.out);
  if (r.status != 0) {
    v.status = SignatureStatus::BadSignature;
    v.detail = "the SSH signature does not match the content (modified after signing?)";
    return v;
  }
  if (must_match) {
    v.status = SignatureStatus::IdentityMismatch;
    v.detail = fmt::format("signed by {} whose principals ({}) do not include the {} <{}>", v.signer,
                           fmt::format("{}", fmt::join(principals, ", ")),
                           o.kind == git::SignedKind::Tag ? "tagger" : "committer", o.email);
    return v;
  }
  v.status = SignatureStatus::Good;
  v.detail = fmt::format("good SSH signature by {} for {}", v.signer, principals.front());
  return v;
}

// ---------------------------------------------------------------------------------------------
// Loading trusted keys

Result<TrustedKeys> load_trusted_keys(const git::Repo& repo, const std::string& rev, const SignaturePolicy& policy) {
  TrustedKeys keys;
  const std::pair<const std::vector<std::string>*, std::vector<KeyFile>*> kinds[] = {
      {&policy.allowed_signers, &keys.allowed_signers},
      {&policy.openpgp_keys, &keys.openpgp_keys},
      {&policy.x509_cas, &keys.x509_cas}};
  for (const auto& [globs, out] : kinds) {
    if (globs->empty()) continue;
    auto files = git::read_files_matching(repo, rev, *globs);
    if (!files) return files.error();
    for (auto& [path, text] : *files) out->push_back(KeyFile{rev + ":" + path, std::move(text)});
  }
  return keys;
}

Result<TrustedKeys> load_trusted_keys_from_dir(const std::string& dir, const SignaturePolicy& policy) {
  TrustedKeys keys;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return make_error(ErrorCode::Config, fmt::format("trusted keys directory '{}' does not exist — check the path", dir));
  }
  std::vector<std::string> rels;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) rels.push_back(fs::relative(it->path(), dir, ec).generic_string());
  }
  std::sort(rels.begin(), rels.end());
  const std::pair<const std::vector<std::string>*, std::vector<KeyFile>*> kinds[] = {
      {&policy.allowed_signers, &keys.allowed_signers},
      {&policy.openpgp_keys, &keys.openpgp_keys},
      {&policy.x509_cas, &keys.x509_cas}};
  for (const auto& rel : rels) {
    for (const auto& [globs, out] : kinds) {
      if (std::any_of(globs->begin(), globs->end(), [&](const std::string& g) { return glob_match(g, rel); })) {
        std::ifstream in(fs::path(dir) / rel, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        if (!in) return make_error(ErrorCode::Io, fmt::format("cannot read {}/{}", dir, rel));
        out->push_back(KeyFile{dir + "/" + rel, ss.str()});
        break;
      }
    }
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Findings

namespace {

const char* rule_name(SignatureStatus s) {
  switch (s) {
    case SignatureStatus::Unsigned: return "Unsigned";
    case SignatureStatus::BadSignature: return "Bad signature";
    case SignatureStatus::UnknownKey: return "Signed by an untrusted key";
    case SignatureStatus::ExpiredKey: return "Signed by an expired key";
    case SignatureStatus::RevokedKey: return "Signed by a revoked key";
    case SignatureStatus::IdentityMismatch: return "Signer is not the committer";
    case SignatureStatus::Good: break;
  }
  return "Good signature";
}

std::string how_to_fix(SignatureStatus s, bool tag) {
  const char* redo = tag ? "re-create the tag with `git tag -s -f <name>`"
                         : "re-sign with `git commit --amend --no-edit -S` (or `git rebase --exec 'git commit --amend --no-edit -S' <base>`)";
  switch (s) {
    case SignatureStatus::Unsigned:
      return fmt::format("sign your {}: `git config commit.gpgsign true` and `git config tag.gpgsign true`; "
                         "for SSH keys also `git config gpg.format ssh` and `git config user.signingkey ~/.ssh/id_ed25519.pub`; "
                         "then {}", tag ? "tags" : "commits", redo);
    case SignatureStatus::BadSignature:
      return fmt::format("the object was changed after it was signed, or the signature is corrupt; {}", redo);
    case SignatureStatus::UnknownKey:
      return fmt::format("add your public key to the trusted keys (.vigil/allowed_signers, .vigil/keys/*.asc or "
                         ".vigil/certs/*.pem) in a change reviewed and merged first — a push cannot trust its own key; "
                         "or sign with a key that is already trusted and {}", redo);
    case SignatureStatus::ExpiredKey:
      return fmt::format("extend the key's expiry (`gpg --quick-set-expire <fpr> 1y`), update the trusted copy, and {}", redo);
    case SignatureStatus::RevokedKey:
      return fmt::format("sign with a key that is not revoked, and {}", redo);
    case SignatureStatus::IdentityMismatch:
      return fmt::format("sign with the key of the committer, or commit as the key's owner "
                         "(`git config user.email` must be an email of the key / principal), then {}", redo);
    case SignatureStatus::Good: break;
  }
  return {};
}

std::string iso8601(std::int64_t t, int offset_minutes) {
  const std::time_t tt = static_cast<std::time_t>(t + offset_minutes * 60);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  const int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  return fmt::format("{}{}{:02}:{:02}", buf, offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
}

std::vector<Finding> verify_all(const git::Repo& repo, const std::vector<std::string>& ids, const TrustStore& trust,
                                const SignaturePolicy& policy, bool tags) {
  std::vector<Finding> out;
  for (const auto& id : ids) {
    auto obj = tags ? git::extract_tag_signature(repo, id) : git::extract_commit_signature(repo, id);
    if (!obj) {
      // Fail closed: what cannot be read cannot be shown to be signed.
      git::SignedObject o;
      o.id = id;
      o.kind = tags ? git::SignedKind::Tag : git::SignedKind::Commit;
      SignatureVerdict v;
      v.status = SignatureStatus::BadSignature;
      v.detail = obj.error().message;
      out.push_back(signature_finding(o, v));
      continue;
    }
    const auto v = trust.verify(*obj, policy.identity_must_match);
    if (v.status != SignatureStatus::Good) out.push_back(signature_finding(*obj, v));
  }
  return out;
}

}  // namespace

Finding signature_finding(const git::SignedObject& o, const SignatureVerdict& v) {
  const bool tag = o.kind == git::SignedKind::Tag;
  Finding f;
  f.rule_id = signature_rule_id(v.status);
  f.rule_name = fmt::format("{} {}", rule_name(v.status), v.status == SignatureStatus::Unsigned
                                                              ? (tag ? "tag" : "commit")
                                                              : (tag ? "(tag)" : "(commit)"));
  f.severity = Severity::High;
  f.confidence = Confidence::High;
  f.tags = {"signature"};
  if (v.format != SignatureFormat::None) f.tags.push_back(to_string(v.format));
  f.commit = o.id;
  if (!o.email.empty() || !o.name.empty()) f.author = fmt::format("{} <{}>", o.name, o.email);
  if (o.time > 0) f.date = iso8601(o.time, o.offset_minutes);
  f.fingerprint = fingerprint(f.rule_id, o.id);
  f.note = v.detail.empty() ? how_to_fix(v.status, tag) : fmt::format("{}. {}", v.detail, how_to_fix(v.status, tag));
  return f;
}

std::vector<Finding> verify_commits(const git::Repo& repo, const std::vector<std::string>& commit_ids,
                                    const TrustStore& trust, const SignaturePolicy& policy) {
  return verify_all(repo, commit_ids, trust, policy, false);
}

std::vector<Finding> verify_tags(const git::Repo& repo, const std::vector<std::string>& tag_ids,
                                 const TrustStore& trust, const SignaturePolicy& policy) {
  return verify_all(repo, tag_ids, trust, policy, true);
}

}  // namespace vigil
