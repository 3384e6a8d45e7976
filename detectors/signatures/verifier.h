// Signature verification: decides, for each commit or annotated tag, whether it carries a good
// signature by a key the repository trusts, made by the person the object names. OpenPGP and
// X.509 go through gpgme in a private, temporary GNUPGHOME built from the trusted keys (never the
// user's keyring); SSH goes through `ssh-keygen -Y` with an allowed_signers file, as git does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "detectors/finding.h"
#include "detectors/git/repo.h"
#include "detectors/git/signature_extract.h"
#include "detectors/policy/signature_policy.h"
#include "detectors/util/result.h"

namespace vigil {

enum class SignatureStatus { Good,
                             Unsigned,
                             BadSignature,
                             UnknownKey,
                             ExpiredKey,
                             RevokedKey,
                             IdentityMismatch };
enum class SignatureFormat { None,
                             OpenPgp,
                             Ssh,
                             X509,
                             Unknown };

const char* to_string(SignatureStatus s);
const char* to_string(SignatureFormat f);
/// "signature.unsigned", "signature.bad", ...; empty for Good.
const char* signature_rule_id(SignatureStatus s);
/// From the armor line of a signature block.
SignatureFormat signature_format(std::string_view signature);

struct SignatureVerdict {
  SignatureStatus status = SignatureStatus::Unsigned;
  SignatureFormat format = SignatureFormat::None;
  std::string signer;                   // key fingerprint, SSH key "SHA256:…", or cert subject
  std::vector<std::string> identities;  // the signer's uid emails / allowed_signers principals
  std::string detail;                   // one line: why this status
};

/// One file of trusted key material, as text. `source` names it in messages.
struct KeyFile {
  std::string source;
  std::string text;
};

/// Trusted key material. On a server it comes from the old tip or the server's policy, never from
/// the pushed commits, so a push cannot add its own key and pass.
struct TrustedKeys {
  std::vector<KeyFile> allowed_signers;  // SSH: git's allowed_signers format
  std::vector<KeyFile> openpgp_keys;     // armored OpenPGP public keys
  std::vector<KeyFile> x509_cas;         // PEM CA certificates (the signer certs chain to these)
  bool empty() const { return allowed_signers.empty() && openpgp_keys.empty() && x509_cas.empty(); }
};

/// The key files named by the policy in the tree of `rev` (e.g. the old tip of the pushed ref).
/// A missing `rev` (new repository) yields no keys.
Result<TrustedKeys> load_trusted_keys(const git::Repo& repo, const std::string& rev, const SignaturePolicy& policy);
/// The key files named by the policy under a directory on disk (a server-side policy directory).
Result<TrustedKeys> load_trusted_keys_from_dir(const std::string& dir, const SignaturePolicy& policy);

/// The verifying side: a private GNUPGHOME (created, filled and removed by this object) with the
/// trusted OpenPGP keys imported and the CA certificates marked trusted, plus an allowed_signers
/// file. Build one per gate run, not per commit. Not thread-safe (one gpgme context per protocol).
class TrustStore {
 public:
  static Result<TrustStore> build(const TrustedKeys& keys);
  TrustStore(TrustStore&&) noexcept;
  TrustStore& operator=(TrustStore&&) noexcept;
  ~TrustStore();  // stops any gpg-agent started in the private home, then removes it

  /// The verdict for one object. `identity_must_match`: the signer's identities must include the
  /// object's committer / tagger email (case-insensitive).
  SignatureVerdict verify(const git::SignedObject& object, bool identity_must_match) const;

  /// The private GNUPGHOME (for tests and diagnostics).
  const std::string& home() const;
  std::size_t openpgp_key_count() const;
  std::size_t x509_ca_count() const;
  bool has_allowed_signers() const;
  /// The in-process checks (SSHSIG, sshsig.h; OpenPGP v4, pgpsig.h) are on by default; off, every
  /// signature goes to ssh-keygen or gpg (for comparison and benchmarks).
  void set_ssh_fast_path(bool on);

  struct Impl;

 private:
  explicit TrustStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The finding for a verdict that is not Good: rule id per status, severity high, commit = the
/// object id (the tag object id for tags), path empty, and a note that says how to fix it.
Finding signature_finding(const git::SignedObject& object, const SignatureVerdict& verdict);

/// Verifies each commit; returns findings only for commits that are not Good. A commit that
/// cannot be read yields a "signature.bad" finding saying so (the gate fails closed).
std::vector<Finding> verify_commits(const git::Repo& repo, const std::vector<std::string>& commit_ids,
                                    const TrustStore& trust, const SignaturePolicy& policy);
/// The same for annotated tag objects (ids of tag objects, not of the commits they point at).
std::vector<Finding> verify_tags(const git::Repo& repo, const std::vector<std::string>& tag_ids,
                                 const TrustStore& trust, const SignaturePolicy& policy);

}  // namespace vigil
