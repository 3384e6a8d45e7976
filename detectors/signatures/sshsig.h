// In-process SSH signature check (the SSHSIG format of OpenSSH's PROTOCOL.sshsig) for the common
// case: an ed25519 or RSA key listed in allowed_signers for exactly the committer's email. It only
// ever answers "good"; anything else (wildcard principals, validity windows, certificates,
// ECDSA, a failed check) is left to `ssh-keygen -Y`, which decides exactly as git would. This
// saves a process per commit (about 6 ms each, more on a busy machine).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::sshsig {

/// One allowed_signers entry the fast path may use.
struct Signer {
  std::vector<std::string> principals;  // literal principals only (no '*', '?', '!')
  std::string key_blob;                 // the SSH wire-format public key
};

/// The entries of allowed_signers text that need no more than a literal principal match: no
/// options other than namespaces="…" naming "git" literally. Other entries are skipped.
std::vector<Signer> simple_signers(std::string_view allowed_signers);

/// The key's "SHA256:…" fingerprint when `armored` is a valid SSHSIG over `payload` in namespace
/// "git", by a key of `signers` listed for `principal`; nullopt otherwise (ask ssh-keygen).
std::optional<std::string> verify_fast(const std::vector<Signer>& signers, std::string_view armored,
                                       std::string_view payload, std::string_view principal);

/// The public key blob an SSHSIG signature carries (the key that claims to have made it), or
/// nullopt when `armored` is not an SSHSIG. Says nothing about validity: verify_fast does.
std::optional<std::string> signature_public_key(std::string_view armored);

/// "SHA256:<unpadded base64>" of a public key blob, as ssh-keygen prints it.
std::string fingerprint(std::string_view key_blob);

}  // namespace vigil::sshsig
