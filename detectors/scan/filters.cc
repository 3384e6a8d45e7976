#include "detectors/scan/filters.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <string>

#include "detectors/scan/credential.h"
#include "detectors/util/hash.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

int base62_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  if (c >= 'a' && c <= 'z') return c - 'a' + 36;
  return -1;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace

bool valid_base62_crc32(std::string_view token) {
  const auto us = token.rfind('_');
  const std::string_view body = us == std::string_view::npos ? token : token.substr(us + 1);
  if (body.size() < 7) return false;
  const auto entropy = body.substr(0, body.size() - 6);
  const auto check = body.substr(body.size() - 6);
  std::uint64_t v = 0;
  for (char c : check) {
    const int d = base62_value(c);
    if (d < 0) return false;
    v = v * 62 + static_cast<std::uint64_t>(d);
  }
  return v == crc32(entropy);
}

bool valid_jwt(std::string_view token) {
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || token.find('.', dot + 1) == std::string_view::npos) return false;
  const auto header = decode_base64(token.substr(0, dot), true);
  if (!header) return false;
  const auto h = trim(*header);
  return !h.empty() && h.front() == '{' && h.find("\"alg\"") != std::string_view::npos;
}

bool real_uri_password(std::string_view whole_match, std::string_view password) {
  const std::string p = lower(password);
  // Templates and references: ${DB_PASS}, {{ pass }}, %(pass)s, %s, <password>, [password], $PASS.
  for (const std::string_view t : {"${", "{{", "}}", "%(", "<", ">", "[", "]", "****", "xxxx", "...", "\\"}) {
    if (p.find(t) != std::string::npos) return false;
  }
  if (p == "%s" || p == "%v" || p == "%d") return false;
  if (p.front() == '$' &&
      std::all_of(p.begin() + 1, p.end(), [](unsigned char c) { return std::isalnum(c) != 0 || c == '_'; })) {
    return false;
  }
  // Judged as the server will read it: percent-escapes decoded ("he%2F%2Fo" is "he//o").
  std::string d;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '%' && i + 2 < p.size() && std::isxdigit(static_cast<unsigned char>(p[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(p[i + 2]))) {
      d += static_cast<char>(std::stoi(p.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      d += p[i];
    }
  }
  if (d.size() < 6) return false;
  // Words that mark a value as a stand-in, also spelt with digits for letters (p4ssw0rd, s3cr3t).
  std::string plain = d;
  for (auto& c : plain) {
    switch (c) {
      case '4':
      case '@': c = 'a'; break;
      case '0': c = 'o'; break;
      case '3': c = 'e'; break;
      case '1':
      case '!': c = 'i'; break;
      case '5':
      case '$': c = 's'; break;
      case '7': c = 't'; break;
      default: break;
    }
  }
  for (const std::string_view w : {"password", "passwd", "passwort", "changeme", "change_me", "change-me", "placeholder",
                                   "example", "your", "redacted", "dummy", "secret", "replace", "sample"}) {
    if (d.find(w) != std::string::npos || plain.find(w) != std::string::npos) return false;
  }
  // All lower-case letters and short: a word ("proxypass", "tiger", "guest"), not a generated secret.
  if (p.size() < 12 && std::all_of(p.begin(), p.end(), [](unsigned char c) { return c >= 'a' && c <= 'z'; })) return false;
  if (std::all_of(p.begin(), p.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) return false;  // a port
  if (std::all_of(p.begin(), p.end(), [&](char c) { return c == p.front(); })) return false;
  // The user name repeated as the password (guest:guest).
  const auto scheme = whole_match.find("://");
  const auto user_from = scheme == std::string_view::npos ? 0 : scheme + 3;
  const auto colon = whole_match.find(':', user_from);
  if (colon != std::string_view::npos && lower(whole_match.substr(user_from, colon - user_from)) == p) return false;
  return true;
}

bool looks_like_placeholder(std::string_view secret) {
  const std::string s = lower(secret);
  static const std::array<std::string_view, 22> kWords = {
      "example", "xxxx", "changeme", "change_me", "placeholder", "your_", "your-", "yourkey",
      "dummy", "sample", "redacted", "insert", "replace", "fake", "foobar", "password",
      "secret", "token", "<", ">", "****", "....."};
  for (auto w : kWords) {
    if (s.find(w) != std::string::npos) return true;
  }
  // Templating and variable references: ${VAR}, {{ x }}, %(x)s, $VAR, <%= %>.
  if (s.find("${") != std::string::npos || s.find("{{") != std::string::npos ||
      s.find("%(") != std::string::npos || (!s.empty() && s.front() == '$')) {
    return true;
  }
  if (is_uuid(s)) return true;
  // Code, not a credential: a snake_case identifier (crypto_ccm_setkey, ksmbd_gen_key) or a
  // value that names a key rather than holding one.
  const auto underscores = std::count(s.begin(), s.end(), '_');
  const bool no_upper = std::none_of(secret.begin(), secret.end(), [](unsigned char c) { return std::isupper(c) != 0; });
  if ((underscores >= 2 && no_upper) || s.find("key") != std::string::npos) return true;
  // A run of the same character over a third of the value.
  std::size_t run = 1, best = 1;
  for (std::size_t i = 1; i < s.size(); ++i) {
    run = s[i] == s[i - 1] ? run + 1 : 1;
    best = std::max(best, run);
  }
  return best * 3 >= s.size();
}

double normalized_entropy(std::string_view s) {
  if (s.size() < 2) return 0.0;
  double alphabet = 95;
  switch (classify_alphabet(s)) {
    case Alphabet::Hex: alphabet = 16; break;
    case Alphabet::Alnum: alphabet = 62; break;
    case Alphabet::Base64:
    case Alphabet::Base64Url: alphabet = 64; break;
    case Alphabet::Other: alphabet = 95; break;
  }
  const double max_bits = std::log2(std::min(alphabet, static_cast<double>(s.size())));
  return max_bits <= 0 ? 0.0 : shannon_entropy(s) / max_bits;
}

bool accept_match(const Rule& rule, std::string_view whole_match, std::string_view secret, std::string_view before) {
  if (secret.empty()) return false;
  if (!rule.keywords.empty()) {
    const std::string m = lower(whole_match);
    const bool any = std::any_of(rule.keywords.begin(), rule.keywords.end(),
                                 [&](const std::string& k) { return m.find(k) != std::string::npos; });
    if (!any) return false;
  }
  if (rule.validator == Validator::Base62Crc32 && !valid_base62_crc32(secret)) return false;
  if (rule.validator == Validator::Jwt && !valid_jwt(secret)) return false;
  if (rule.validator == Validator::UriPassword && !real_uri_password(whole_match, secret)) return false;
  // Vendors' documentation examples carry the word in capitals (AWS's AKIAIOSFODNN7EXAMPLE and
  // its secret ...bPxRfiCYEXAMPLEKEY); a random token holds those seven letters by chance with
  // odds of about 1 in 10^12 per position.
  if (secret.find("EXAMPLE") != std::string_view::npos) return false;
  if (rule.generic) {
    // A value assigned to a public key's name is meant to be published (Stripe's publishable key,
    // a JWT verification key): it is not a secret, whatever its entropy.
    const std::string m = lower(before) + lower(whole_match);
    if (m.find("publishable") != std::string::npos || m.find("public_key") != std::string::npos ||
        m.find("publickey") != std::string::npos || m.find("public-key") != std::string::npos) {
      return false;
    }
    if (rule.validator == Validator::Credential || rule.validator == Validator::Password ||
        rule.validator == Validator::HttpAuth) {
      // The context before the secret: `before` and the match up to the secret, which are
      // adjacent in the scanned buffer (a copy when a caller passes them apart).
      std::string ctx;
      std::string_view prefix;
      const bool inside = secret.data() >= whole_match.data() && secret.data() <= whole_match.data() + whole_match.size();
      const auto lead = inside ? whole_match.substr(0, static_cast<std::size_t>(secret.data() - whole_match.data()))
                               : std::string_view{};
      if (!before.empty() && before.data() + before.size() == whole_match.data()) {
        prefix = std::string_view(before.data(), before.size() + lead.size());
      } else {
        ctx = std::string(before) + std::string(lead);
        prefix = ctx;
      }
      const double e = rule.entropy > 0 ? rule.entropy : 0.7;
      if (rule.validator == Validator::Credential) return accept_named_credential(prefix, secret, e);
      if (rule.validator == Validator::HttpAuth) return accept_http_credential(prefix, secret, e);
      return plausible_password(secret, "") || plausible_token(secret, e);
    }
    // Generic detectors: entropy is a fraction of the alphabet's maximum, plus noise filters.
    if (looks_like_placeholder(secret)) return false;
    const auto alpha = classify_alphabet(secret);
    const bool has_digit = std::any_of(secret.begin(), secret.end(),
                                       [](unsigned char c) { return std::isdigit(c) != 0; });
    const bool has_alpha = std::any_of(secret.begin(), secret.end(),
                                       [](unsigned char c) { return std::isalpha(c) != 0; });
    if (!has_digit || !has_alpha) return false;
    if (alpha == Alphabet::Other) return false;
    return normalized_entropy(secret) >= (rule.entropy > 0 ? rule.entropy : 0.85);
  }
  return shannon_entropy(secret) >= rule.entropy;
}

}  // namespace vigil
