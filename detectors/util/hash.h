// Hashing helpers (SHA-256 and HMAC via libcrypto, CRC32) for cache keys, fingerprints, the audit MAC.
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
/// HMAC-SHA256 of `bytes` under `key`, as 64 lower-case hex digits.
std::string hmac_sha256_hex(std::string_view key, std::string_view bytes);
/// `n` bytes from the system's cryptographic random source, as 2n hex digits; empty on failure.
std::string random_hex(std::size_t n);
/// Compares two strings in time independent of where they differ (for MACs).
bool constant_time_equal(std::string_view a, std::string_view b);
std::uint32_t crc32(std::string_view bytes);

}  // namespace vigil
