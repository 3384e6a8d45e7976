// Small text and file helpers shared by the signature verifiers (not part of the module's API).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::sigtext {

std::string lower(std::string s);
/// Writes `content` to `path` (truncating); false on any error.
bool write_file(const std::string& path, std::string_view content);
/// "2026-01-31 12:00 UTC".
std::string format_utc(std::int64_t t);
/// Whether `email` (case-insensitive) is one of `identities` (already lower-case).
bool identity_matches(const std::vector<std::string>& identities, const std::string& email);

}  // namespace vigil::sigtext
