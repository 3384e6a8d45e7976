// TrustRoots: the keys the server floor names in `[server] trust_root`, which may always sign
// trust-policy changes — the first policy commit of an empty repository included. Key files (SSH
// public keys or allowed_signers lines, armored OpenPGP keys, X.509 CA certificates) and SSH
// fingerprints; a repository can neither add nor remove them (they never come from a push).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "detectors/git/signature_extract.h"
#include "detectors/signatures/verifier.h"
#include "detectors/util/result.h"

namespace vigil {

class TrustRoots {
 public:
  /// Reads the entries: "SHA256:..." is an SSH key fingerprint, anything else a key file path
  /// (relative paths from `base_dir`, the server policy file's directory). A file that cannot be
  /// read or holds no key is a configuration error.
  static Result<TrustRoots> load(const std::vector<std::string>& entries, const std::string& base_dir);

  bool empty() const { return fingerprints_.empty() && !store_; }
  /// A label of the root key that made `object`'s signature (its fingerprint), or nullopt.
  std::optional<std::string> signer(const git::SignedObject& object) const;

 private:
  std::vector<std::string> fingerprints_;  // SSH "SHA256:..."
  std::optional<TrustStore> store_;        // the key files
};

}  // namespace vigil
