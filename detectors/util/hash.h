// Hashing helpers (SHA-256 via libcrypto, CRC32) used for cache keys and fingerprints.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

/// Incremental SHA-256; hex() finishes and returns 64 lower-case hex digits.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256& update(std::string_view bytes);
  std::string hex();

 private:
  void* ctx_;
};

std::string sha256_hex(std::string_view bytes);
std::uint32_t crc32(std::string_view bytes);

}  // namespace vigil
