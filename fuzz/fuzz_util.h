// Shared helpers for the libFuzzer targets: split one input into parts, and a private temp dir.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::fuzz {

/// Splits `data` at every "\n---\n" (at most `max_parts` parts, the last one keeps the rest), so
/// one input can carry several texts (a policy and a message, a signature and its payload) and
/// seeds stay readable.
inline std::vector<std::string_view> split_parts(std::string_view data, std::size_t max_parts) {
  static constexpr std::string_view kSep = "\n---\n";
  std::vector<std::string_view> out;
  while (out.size() + 1 < max_parts) {
    const auto at = data.find(kSep);
    if (at == std::string_view::npos) break;
    out.push_back(data.substr(0, at));
    data.remove_prefix(at + kSep.size());
  }
  out.push_back(data);
  out.resize(max_parts);
  return out;
}

/// A fresh directory under $TMPDIR (or /tmp), made once per process.
inline std::string make_temp_dir(const char* tag) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/vigil-fuzz-" + tag + "-XXXXXX";
  if (!mkdtemp(tmpl.data())) std::abort();
  return tmpl;
}

}  // namespace vigil::fuzz
