// Post-confirmation filters: keywords, entropy, checksums, and the generic detectors' noise filters.
#pragma once

#include <string_view>

#include "detectors/rules/rule.h"

namespace vigil {

/// True when a confirmed regex match should become a finding.
/// `before` is up to 48 bytes of the line before the match; the text from the line's start (as
/// far as `before` reaches) to the secret is the context the Credential and HttpAuth validators
/// read the name or header from.
bool accept_match(const Rule& rule, std::string_view whole_match, std::string_view secret,
                  std::string_view before = {});

/// Checksum checks, exposed for tests.
bool valid_base62_crc32(std::string_view token);
bool valid_jwt(std::string_view token);

/// Generic-detector noise: placeholders, templates, UUIDs, repeated characters, words.
bool looks_like_placeholder(std::string_view secret);
/// Validator::UriPassword: false for a URI password that is a template or variable reference
/// (${X}, {{x}}, %s, $X, <x>), masked (****, xxxx), a stand-in word (password, changeme, example,
/// your..., secret), a short all-lower-case word, all digits, one repeated character, or the
/// user name again. `whole_match` is the rule's whole match ("scheme://user:password@h").
bool real_uri_password(std::string_view whole_match, std::string_view password);

/// Entropy of `s` as a fraction of the maximum its alphabet and length allow (0..1).
double normalized_entropy(std::string_view s);

}  // namespace vigil
