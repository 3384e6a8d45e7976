// Credential-name model and value-shape checks for the generic detectors that find passwords and
// secrets by the name they are assigned to (rules/generic.toml, validators "credential",
// "password" and "http-auth").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// What a variable, key, attribute or flag name says about the value given to it.
enum class NameClass {
  None,      // not a credential name (username, host, cache_key)
  Excluded,  // names a credential's metadata, not the credential (password_file, token_type, public_key)
  Password,  // password, passwd, pwd, pass, passphrase, db_pass, keystorePassword
  Secret,    // secret, token, api key, private/consumer/signing key, credential
  Otp,       // totp_secret, otp_seed, mfa_secret, google_authenticator_key: a base32 seed
};

/// Lower-case words of a name in any convention: "oauthTokenSecret", "OAUTH_TOKEN_SECRET",
/// "oauth-token.secret" all give {oauth, token, secret}.
std::vector<std::string> name_words(std::string_view name);

NameClass classify_credential_name(std::string_view name);

/// The name a value is given to, read backwards from the text before the value on its line: the
/// nearest word that is not syntax (`value`, `String`, `const`, `ENV`, `setProperty`...). Handles
/// `name = "v"`, `"name": "v"`, `name => 'v'`, `<name>v`, `set("name", "v")`,
/// `<add key="name" value="v"`, `Name { get; set; } = "v"`, `--name v`.
std::string assigned_name(std::string_view prefix);

/// A value that can be a password: no references, templates, placeholders, code, paths or prose.
/// Low entropy is allowed (`Summer2019!`, `admin123`); letters alone are not (field names, labels).
bool plausible_password(std::string_view value, std::string_view name);

/// A value that can be a key or token: token alphabet, letters and digits, and at least
/// `min_entropy` of its alphabet's maximum entropy (filters.h normalized_entropy).
bool plausible_token(std::string_view value, double min_entropy);

/// A TOTP/HOTP seed: base32 (one case, 2-7), 16+ characters, not a run or a word.
bool plausible_otp_seed(std::string_view value);

/// Base64 of "user:password", with a printable user and a plausible password.
bool plausible_basic_credentials(std::string_view base64);

/// The judgement of a "credential" rule: the name before `value` (on the same line, `prefix`)
/// decides the shape the value must have.
bool accept_named_credential(std::string_view prefix, std::string_view value, double min_entropy);

/// The judgement of an "http-auth" rule: `prefix` ends with the header and scheme (Basic, Bearer,
/// token) or with the header alone.
bool accept_http_credential(std::string_view prefix, std::string_view value, double min_entropy);

}  // namespace vigil
