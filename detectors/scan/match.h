// Match: one confirmed secret inside a byte buffer, before git or policy context is added.
#pragma once

#include <cstddef>
#include <string>

namespace vigil {

struct Match {
  std::size_t rule = 0;   // index into Scanner::rules()
  std::size_t begin = 0;  // whole match, byte offsets in the scanned buffer
  std::size_t end = 0;
  std::size_t secret_begin = 0;  // the secret group (for decoded matches: the encoded span)
  std::size_t secret_end = 0;
  std::string secret;    // the secret bytes (decoded where an encoding was peeled)
  std::string encoding;  // "" or e.g. "base64", "base64>percent"
};

}  // namespace vigil
