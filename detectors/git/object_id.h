// ObjectId: a git object id as its 20 raw bytes (SHA-1), half the size of its hex spelling and
// with no allocation: history scans hold one per blob they have in flight.
#pragma once

#include <array>
#include <string>

namespace vigil::git {

struct ObjectId {
  std::array<unsigned char, 20> bytes{};
  /// The 40-character hex spelling git prints.
  std::string hex() const {
    static const char digits[] = "0123456789abcdef";
    std::string out(40, '0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      out[2 * i] = digits[bytes[i] >> 4];
      out[2 * i + 1] = digits[bytes[i] & 15];
    }
    return out;
  }
  bool operator==(const ObjectId&) const = default;
};

}  // namespace vigil::git
