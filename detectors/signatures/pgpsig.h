// In-process OpenPGP signature check for the common case: a v4 detached binary signature (what
// `git commit -S` makes) by an Ed25519 (legacy EdDSA) or RSA key of the trusted key files. Like
// sshsig.h it only ever answers "valid, by this key, at this time"; anything else (other
// algorithms, v5/v6 packets, a failed check) goes to gpg through gpgme, which decides exactly. Saves
// one gpg process per commit (about 15 ms each on a loaded machine: 1,000 commits took 15 s).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::pgpsig {

/// One public (sub)key the fast path can use.
struct PublicKey {
  std::string fingerprint;  // v4 fingerprint, upper-case hex (as gpgme prints it)
  int algorithm = 0;        // 1 = RSA, 22 = EdDSA (Ed25519)
  std::string material;     // Ed25519: the 32-byte point; RSA: n
  std::string exponent;     // RSA: e
};

/// The usable keys of armored public key blocks (every primary key and subkey; others skipped).
std::vector<PublicKey> parse_public_keys(std::string_view armored);

struct Valid {
  std::string fingerprint;   // of the key that made it
  std::int64_t created = 0;  // the signature's creation time
};

/// Valid when `armored` is one good v4 binary signature over `payload` by a key of `keys`.
std::optional<Valid> verify_fast(const std::vector<PublicKey>& keys, std::string_view armored, std::string_view payload);

}  // namespace vigil::pgpsig
