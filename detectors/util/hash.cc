#include "detectors/util/hash.h"

// The low-level SHA-256 functions, deprecated in OpenSSL 3 in favour of EVP, compute the same
// digest without EVP's provider machinery: its first use initialises libcrypto (config, provider
// and algorithm tables), ~4 M instructions that were a tenth of a whole pre-commit run.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <array>

namespace vigil {

Sha256::Sha256() : ctx_(new SHA256_CTX) { SHA256_Init(static_cast<SHA256_CTX*>(ctx_)); }
Sha256::~Sha256() { delete static_cast<SHA256_CTX*>(ctx_); }

Sha256& Sha256::update(std::string_view bytes) {
  SHA256_Update(static_cast<SHA256_CTX*>(ctx_), bytes.data(), bytes.size());
  return *this;
}

std::string Sha256::hex() {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> md{};
  const unsigned int n = SHA256_DIGEST_LENGTH;
  SHA256_Final(md.data(), static_cast<SHA256_CTX*>(ctx_));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (unsigned int i = 0; i < n; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) { return Sha256().update(bytes).hex(); }

std::uint32_t crc32(std::string_view bytes) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char ch : bytes) c = table[(c ^ ch) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

}  // namespace vigil
