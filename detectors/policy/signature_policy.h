// SignaturePolicy: which refs must carry signed commits and tags, where the trusted keys live
// in the repository, and whether the signer must be the committer. The [signatures] table of
// .vigil.toml.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil {

struct SignaturePolicy {
  bool configured = false;           // a [signatures] table was given
  std::vector<std::string> require;  // ref globs ("refs/heads/main", "refs/heads/release/*")
  bool require_tags = false;         // annotated tags pushed to refs/tags/* must be signed
  bool identity_must_match = true;   // signer identity == committer/tagger email
  // Trusted key material inside the repository, read from the old tip (never from the push).
  std::vector<std::string> allowed_signers = {".vigil/allowed_signers"};  // SSH, git's format
  std::vector<std::string> openpgp_keys = {".vigil/keys/*.asc"};          // armored public keys
  std::vector<std::string> x509_cas = {".vigil/certs/*.pem"};             // trusted CA certificates
};

/// True when commits reachable from `ref` (a full name, "refs/heads/main") must be signed.
bool signatures_required(const SignaturePolicy& policy, std::string_view ref);

/// True when an annotated tag at `ref` must be signed (require_tags and ref under refs/tags/).
bool tag_signature_required(const SignaturePolicy& policy, std::string_view ref);

/// Every glob naming trusted key files, for reading them out of a tree.
std::vector<std::string> trusted_key_globs(const SignaturePolicy& policy);

}  // namespace vigil
