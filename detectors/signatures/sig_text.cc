// Text and file helpers for the verifiers (see sig_text.h).
#include "detectors/signatures/sig_text.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>

namespace vigil::sigtext {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool write_file(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return static_cast<bool>(out);
}

std::string format_utc(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

bool identity_matches(const std::vector<std::string>& identities, const std::string& email) {
  const std::string e = lower(email);
  return !e.empty() && std::find(identities.begin(), identities.end(), e) != identities.end();
}

}  // namespace vigil::sigtext
