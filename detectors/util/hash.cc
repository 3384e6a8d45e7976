#include "detectors/util/hash.h"

// The low-level SHA-256 functions, deprecated in OpenSSL 3 in favour of EVP, compute the same
// digest without EVP's provider machinery: its first use initialises libcrypto (config, provider
// and algorithm tables), ~4 M instructions that were a tenth of a whole pre-commit run.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/rand.h>
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

namespace {

std::string to_hex(const unsigned char* p, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 15]);
  }
  return out;
}

}  // namespace

// RFC 2104 over the same low-level SHA-256 (no EVP start-up cost in a hook).
std::string hmac_sha256_hex(std::string_view key, std::string_view bytes) {
  constexpr std::size_t kBlock = 64;
  std::array<unsigned char, kBlock> k{};
  if (key.size() > kBlock) {
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), k.data());
  } else {
    for (std::size_t i = 0; i < key.size(); ++i) k[i] = static_cast<unsigned char>(key[i]);
  }
  std::array<unsigned char, kBlock> pad{};
  std::array<unsigned char, SHA256_DIGEST_LENGTH> inner{}, outer{};
  SHA256_CTX ctx;
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x36;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, pad.data(), kBlock);
  SHA256_Update(&ctx, bytes.data(), bytes.size());
  SHA256_Final(inner.data(), &ctx);
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x5c;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, pad.data(), kBlock);
  SHA256_Update(&ctx, inner.data(), inner.size());
  SHA256_Final(outer.data(), &ctx);
  OPENSSL_cleanse(k.data(), k.size());
  OPENSSL_cleanse(pad.data(), pad.size());
  return to_hex(outer.data(), outer.size());
}

std::string random_hex(std::size_t n) {
  std::string raw(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(n)) != 1) return {};
  auto out = to_hex(reinterpret_cast<const unsigned char*>(raw.data()), n);
  OPENSSL_cleanse(raw.data(), raw.size());
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

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
