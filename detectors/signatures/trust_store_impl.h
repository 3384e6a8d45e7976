// The inside of TrustStore, shared by the files that implement it per format: trust_store.cc (life
// cycle and dispatch), gpg_verify.cc (OpenPGP and X.509 via gpgme), ssh_verify.cc (SSH).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "detectors/signatures/gpg_context.h"
#include "detectors/signatures/pgpsig.h"
#include "detectors/signatures/sshsig.h"
#include "detectors/signatures/verifier.h"

namespace vigil {

struct TrustStore::Impl {
  std::string home;
  gpg::CtxPtr pgp;  // set when OpenPGP keys were given
  gpg::CtxPtr cms;  // set when CA certificates were given
  std::size_t pgp_keys = 0;
  std::size_t cas = 0;
  bool ssh = false;
  std::string allowed_signers;               // path
  std::string allowed_signers_anytime;       // path; empty unless some entry has a validity window
  std::vector<sshsig::Signer> fast_signers;  // entries the in-process check may use
  bool ssh_fast_path = true;
  std::map<std::string, gpg::KeyInfo> pgp_info;          // by (sub)key fingerprint
  std::vector<pgpsig::PublicKey> pgp_fast_keys;          // for the in-process check (pgpsig.h)
  mutable std::map<std::string, gpg::KeyInfo> cms_info;  // signer certs, filled on first sight

  ~Impl();  // stops any gpg-agent started in the private home, then removes it

  /// Per format (gpg_verify.cc, ssh_verify.cc): fill the store from the trusted key files.
  Result<void> import_openpgp(const std::vector<KeyFile>& files);
  Result<void> import_x509(const std::vector<KeyFile>& files);
  Result<void> write_allowed_signers(const std::vector<KeyFile>& files);

  SignatureVerdict verify_gpg(const git::SignedObject& o, bool x509, bool must_match) const;
  SignatureVerdict verify_ssh(const git::SignedObject& o, bool must_match) const;
};

}  // namespace vigil
