#include "detectors/scan/credential.h"

#include <algorithm>
#include <iterator>
#include <cctype>

#include "detectors/scan/filters.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return is_upper(c) || is_lower(c); }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains(std::string_view s, std::string_view w) { return s.find(w) != std::string_view::npos; }
bool ends_with(std::string_view s, std::string_view w) {
  return s.size() >= w.size() && s.substr(s.size() - w.size()) == w;
}

template <std::size_t N>
bool one_of(std::string_view w, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), w) != std::end(set);
}

// Last words that name something about a credential rather than the credential itself.
constexpr std::string_view kMetaSuffix[] = {
    "file", "files", "path", "paths", "dir", "directory", "field", "fields", "label", "hint", "prompt",
    "placeholder", "length", "len", "min", "max", "minlength", "maxlength", "policy", "policies", "regex",
    "regexp", "pattern", "type", "types", "id", "ids", "name", "names", "url", "uri", "urls", "endpoint", "env",
    "var", "variable", "param", "params", "parameter", "count", "size", "ttl", "timeout", "expiry",
    "expires", "expiration", "expire", "expired", "lifetime", "enabled", "enable", "disabled", "required",
    "reset", "changed", "encoder", "hash", "hashed", "hashes", "digest", "format", "mode", "version",
    "algorithm", "algo", "alg", "provider", "manager", "service", "handler", "validator", "validation",
    "strength", "age", "rotation", "text", "message", "msg", "title", "error", "errors", "input", "box",
    "column", "attr", "attribute", "prefix", "suffix", "ref", "reference", "index", "idx", "class", "period",
    "digits", "bits", "location", "generator", "template", "rule", "rules", "option", "options", "flag",
    "query", "schema", "salt", "kind", "status", "state", "source", "method", "level", "callback", "cache",
    "list", "form", "button", "icon", "link", "page", "route", "mask", "masked", "visible", "toggle",
    "attempts", "history", "date", "at", "time", "usage", "store", "selector", "command", "cmd", "arn"};
// First words of functions and booleans: `is_password_set`, `get_token`, `validatePassword`.
constexpr std::string_view kVerbPrefix[] = {
    "is", "has", "should", "show", "hide", "use", "enable", "disable", "with", "no", "get", "fetch", "generate",
    "validate", "check", "verify", "hash", "encrypt", "decrypt", "encode", "decode", "read", "load", "require",
    "allow", "forgot"};
// Words that make a plain "key" a secret one.
constexpr std::string_view kKeyQualifier[] = {
    "api", "access", "secret", "private", "consumer", "signing", "sign", "signature", "encryption", "encrypt",
    "crypt", "master", "app", "application", "client", "auth", "license", "licence", "hmac", "jwt", "session",
    "cookie", "webhook", "account", "shared", "storage", "subscription", "admin", "root", "developer", "live",
    "merchant", "partner", "server", "ssh", "aes", "cipher", "rest", "integration", "bot", "deploy", "psk",
    "otp", "totp", "mfa", "x"};
constexpr std::string_view kOtpWords[] = {"otp", "totp", "hotp", "mfa", "2fa", "twofa", "authenticator"};
// Syntax around a value that is not its name (assigned_name skips them).
constexpr std::string_view kSyntaxWords[] = {
    "value", "values", "content", "default", "set", "get", "put", "setproperty", "setenv", "setdefault", "add",
    "property", "string", "str", "const", "let", "var", "val", "final", "static", "private", "public",
    "protected", "readonly", "export", "env", "arg", "define", "char", "new", "def", "string?", "text",
    "header", "headers", "setheader", "setrequestheader", "append", "insert", "with"};

// What may follow the credential's own word in its name: `password_confirmation`, `SECRET_KEY_BASE`,
// `api_token_prod`. Anything else names something else (`HTTPPasswordMgr`, `password_policy_doc`).
constexpr std::string_view kTrailingOk[] = {
    "confirm", "confirmation", "again", "repeat", "plain", "plaintext", "raw", "value", "val", "str", "string",
    "literal", "default", "prod", "production", "dev", "development", "test", "testing", "staging", "stage",
    "local", "qa", "encoded", "b64", "base64", "base", "hex", "live", "sandbox", "v1", "v2", "old", "new", "current"};
// A word ending in "pass" is a password only after these (dbpass, adminpass, storepass): compass,
// buypass and passes of other kinds are not.
constexpr std::string_view kPassOwners[] = {
    "db", "admin", "root", "user", "mail", "smtp", "ftp", "ldap", "redis", "sa", "api", "app", "master", "key",
    "store", "bind", "proxy", "sys", "my", "web", "mq", "auth", "login", "sudo", "src", "dest", "srcstore",
    "deststore", "srckey", "destkey", "keystore", "truststore", "mysql", "pg", "sql", "ssh", "vnc", "wifi", "wlan"};

bool password_word(std::string_view w) {
  if (contains(w, "password") || contains(w, "passwd") || contains(w, "passphrase") || contains(w, "passcode") ||
      contains(w, "pwd") || contains(w, "pswd") || contains(w, "passwort")) {
    return true;
  }
  if (w == "pw" || w == "pass" || w == "psw" || w == "psk") return true;  // psk: a WPA pre-shared key
  return ends_with(w, "pass") && one_of(w.substr(0, w.size() - 4), kPassOwners);
}

bool secret_word(std::string_view w) {
  if (w.rfind("tokeniz", 0) == 0 || w.rfind("secretar", 0) == 0) return false;
  return contains(w, "secret") || contains(w, "token") || contains(w, "apikey") || contains(w, "credential") ||
         w == "creds" || contains(w, "privatekey") || contains(w, "accesskey") || contains(w, "authkey") ||
         contains(w, "signingkey") || contains(w, "consumerkey") || contains(w, "licensekey");
}

// `a.b.c`, `self.password`, `getPassword()`: code that names a value instead of holding one.
bool identifier_chain(std::string_view v) {
  std::size_t i = 0;
  int parts = 0;
  while (i < v.size()) {
    if (!(is_alpha(v[i]) || v[i] == '_' || v[i] == '$')) return false;
    while (i < v.size() && (is_alnum(v[i]) || v[i] == '_' || v[i] == '$')) ++i;
    // Pascal's p^.field, Kotlin's a!!.b, TypeScript's a?.b and a!.b.
    while (i < v.size() && (v[i] == '^' || v[i] == '!' || v[i] == '?')) ++i;
    ++parts;
    if (i == v.size()) break;
    if (v.substr(i) == "()") return true;
    if (v[i] != '.' && !(v[i] == '-' && i + 1 < v.size() && v[i + 1] == '>')) return false;
    i += v[i] == '.' ? 1 : 2;
  }
  return parts >= 2;
}

bool file_like(std::string_view lv) {
  constexpr std::string_view kExt[] = {
      ".txt", ".pem", ".key", ".jks", ".p12", ".pfx", ".json", ".yml", ".yaml", ".env", ".properties",
      ".conf", ".cfg", ".ini", ".xml", ".gpg", ".crt", ".cer", ".der", ".keystore", ".asc", ".secret"};
  return std::any_of(std::begin(kExt), std::end(kExt), [&](std::string_view e) { return ends_with(lv, e); });
}

bool templated(std::string_view lv) {
  constexpr std::string_view kMarks[] = {"${", "{{", "}}", "$(", "%(", "%s", "%d", "<%", "#{",
                                         "((", "))", "{0}", "{}", "://", "enc(", "env("};
  return std::any_of(std::begin(kMarks), std::end(kMarks), [&](std::string_view m) { return contains(lv, m); });
}

bool placeholder_word(std::string_view lv) {
  constexpr std::string_view kWords[] = {
      "xxx", "***", "...", "changeme", "change_me", "change-me", "changeit", "your", "example", "placeholder",
      "redacted", "filtered", "dummy", "sample", "replace", "<", ">", "todo", "fixme", "undefined"};
  return std::any_of(std::begin(kWords), std::end(kWords), [&](std::string_view w) { return contains(lv, w); });
}

// Base64 of prose ("not my real password"): documentation dressed as a secret. Random bytes never
// decode to printable text with spaces.
bool encodes_prose(std::string_view v) {
  if (v.size() < 12 || v.size() % 4 != 0) return false;
  const auto a = classify_alphabet(v);
  if (a != Alphabet::Base64 && a != Alphabet::Alnum && a != Alphabet::Hex) return false;
  const auto d = decode_base64(v, false);
  if (!d || d->empty()) return false;
  const bool printable = std::all_of(d->begin(), d->end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= ' ' && u < 0x7f;
  });
  return printable && d->find(' ') != std::string::npos;
}

// Vendor token prefixes: the provider rules own these formats, so a value that starts with one and
// that no provider rule matched is a truncated or malformed example (ghp_abc123), not a password.
bool vendor_prefixed(std::string_view v) {
  constexpr std::string_view kPrefixes[] = {
      "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "gldt-", "glrt-", "xoxb-", "xoxp-",
      "xoxa-", "xoxr-", "xoxs-", "xapp-", "sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_",
      "pk_test_", "whsec_", "AKIA", "ASIA", "npm_", "pypi-", "dckr_pat_", "hf_", "sk-ant-", "sk-proj-",
      "shpat_", "shpss_", "AIza", "dop_v1_", "hvs.", "glsa_", "pul-", "dapi", "lin_api_", "PMAK-"};
  return std::any_of(std::begin(kPrefixes), std::end(kPrefixes),
                     [&](std::string_view p) { return v.substr(0, p.size()) == p; });
}

// In the pair form `f("name", "value")` the name must open the argument list: in a tuple or a
// list ("pypi", "token", "pypi-...") a string next to the word "token" is not its value.
bool pair_is_first_argument(std::string_view prefix) {
  std::size_t i = prefix.size();
  auto skip_space = [&] {
    while (i > 0 && (prefix[i - 1] == ' ' || prefix[i - 1] == '\t')) --i;
  };
  if (i > 0 && (prefix[i - 1] == '"' || prefix[i - 1] == '\'')) --i;  // the value's opening quote
  skip_space();
  if (i == 0 || prefix[i - 1] != ',') return true;  // not the pair form
  --i;
  skip_space();
  if (i == 0 || (prefix[i - 1] != '"' && prefix[i - 1] != '\'')) return true;
  if (i < 2) return false;
  const auto open = prefix.rfind(prefix[i - 1], i - 2);  // the name's opening quote
  if (open == std::string_view::npos) return false;
  i = open;
  skip_space();
  return i > 0 && (prefix[i - 1] == '(' || prefix[i - 1] == '[' || prefix[i - 1] == '{');
}

}  // namespace

std::vector<std::string> name_words(std::string_view name) {
  std::vector<std::string> words;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(lower(cur));
    cur.clear();
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!is_alnum(c)) {
      flush();
      continue;
    }
    // camelCase and APIKey boundaries: aB, and AB followed by b (the B starts a word).
    if (!cur.empty() && is_upper(c) &&
        (is_lower(cur.back()) || is_digit(cur.back()) ||
         (is_upper(cur.back()) && i + 1 < name.size() && is_lower(name[i + 1])))) {
      flush();
    }
    cur += c;
  }
  flush();
  return words;
}

NameClass classify_credential_name(std::string_view name) {
  const auto words = name_words(name);
  if (words.empty()) return NameClass::None;
  std::string joined;
  for (const auto& w : words) joined += w;
  const std::string& last = words.back();
  if (one_of(last, kMetaSuffix) || one_of(std::string_view(words.front()), kVerbPrefix)) {
    return NameClass::Excluded;
  }
  if (contains(joined, "public") || contains(joined, "publishable") || contains(joined, "sitekey") ||
      contains(joined, "pubkey") || contains(joined, "keyid") || (words.size() > 1 && words.front() == "site")) {
    return NameClass::Excluded;
  }
  // The credential's word ends the name, give or take a trailing number or a kTrailingOk word.
  std::size_t end = words.size();
  while (end > 1 && (one_of(std::string_view(words[end - 1]), kTrailingOk) ||
                     std::all_of(words[end - 1].begin(), words[end - 1].end(), [](char c) { return is_digit(c); }))) {
    --end;
  }
  const std::string& head = words[end - 1];
  if (password_word(head)) return NameClass::Password;
  const bool otp = std::any_of(words.begin(), words.end(), [](const std::string& w) { return one_of(w, kOtpWords); });
  if (otp && (head == "seed" || head == "key" || head == "secret")) return NameClass::Otp;
  if (secret_word(head) || (end == words.size() && secret_word(joined) && !password_word(joined))) {
    return NameClass::Secret;
  }
  if (end > 1 && (head == "key" || head == "keys") && one_of(words[end - 2], kKeyQualifier)) {
    return NameClass::Secret;
  }
  if (end > 1 && head == "auth" && (words[end - 2] == "basic" || words[end - 2] == "http" || words[end - 2] == "proxy" || words[end - 2] == "bearer")) {
    return NameClass::Secret;  // basic_auth, http_auth
  }
  return NameClass::None;
}

std::string assigned_name(std::string_view prefix) {
  auto name_char = [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-' || c == '$' || c == '@'; };
  std::size_t i = prefix.size();
  for (int tokens = 0; tokens < 6 && i > 0; ++tokens) {
    while (i > 0 && !name_char(prefix[i - 1])) --i;
    const std::size_t end = i;
    while (i > 0 && name_char(prefix[i - 1])) --i;
    std::string_view tok = prefix.substr(i, end - i);
    while (!tok.empty() && (tok.front() == '-' || tok.front() == '.' || tok.front() == '$' || tok.front() == '@')) {
      tok.remove_prefix(1);
    }
    while (!tok.empty() && (tok.back() == '-' || tok.back() == '.')) tok.remove_suffix(1);
    if (tok.empty()) continue;
    if (one_of(std::string_view(lower(tok)), kSyntaxWords)) continue;
    return std::string(tok);
  }
  return {};
}

bool plausible_password(std::string_view v, std::string_view name) {
  if (v.size() < 6 || v.size() > 64) return false;
  bool letter = false, digit = false, symbol = false;
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7f || c == '"' || c == '\'' || c == '`') return false;
    if (is_alpha(c)) {
      letter = true;
    } else if (is_digit(c)) {
      digit = true;
    } else if (std::string_view("_-./\\:").find(c) == std::string_view::npos) {
      symbol = true;  // separators of names and paths do not make a word a password
    }
  }
  // References, masks, paths, YAML tags and anchors start this way; a password rarely does. `$`
  // and `@` start a reference only when a name follows ($DB_PASS, @db.password@).
  if (std::string_view("%{<([*&!~/\\:-").find(v.front()) != std::string_view::npos) return false;
  if (v.front() == '$' || v.front() == '@') {
    const auto rest = v.substr(1);
    if (v.back() == '@' || identifier_chain(rest) ||
        (!rest.empty() && !is_digit(rest.front()) &&
         std::all_of(rest.begin(), rest.end(), [](char c) { return is_alnum(c) || c == '_'; }))) {
      return false;
    }
  }
  const std::string lv = lower(v);
  if (templated(lv) || placeholder_word(lv) || file_like(lv) || identifier_chain(v) || encodes_prose(v) ||
      vendor_prefixed(v)) {
    return false;
  }
  if ((v.find('(') != std::string_view::npos && v.find(')') != std::string_view::npos) ||
      (v.find('[') != std::string_view::npos && v.find(']') != std::string_view::npos) ||
      (v.find('{') != std::string_view::npos && v.find('}') != std::string_view::npos) ||
      v.find("::") != std::string_view::npos) {
    return false;  // a call, an index or a template: getenv("X"), ENV['X'], $Config{x}, A::B
  }
  // key=value inside the value (secret=password from a query string), not base64 padding.
  const auto eq = v.find('=');
  if (eq != std::string_view::npos && v.find_first_not_of('=', eq) != std::string_view::npos) return false;
  if (!letter) return !symbol && v.size() >= 6 && std::all_of(v.begin(), v.end(), [](char c) { return is_digit(c); });
  // Letters alone, or letters with _ - . only: a field name, a label, a word, an identifier.
  if (!digit && !symbol) return false;
  // A hash of a password is not the password (md5/sha1/sha256 hex).
  if (classify_alphabet(v) == Alphabet::Hex && (v.size() == 32 || v.size() == 40 || v.size() == 64)) return false;
  // An e-mail address or a host name with digits (db01.internal) is a login or a host.
  const auto at = v.find('@');
  if (at != std::string_view::npos && v.find('.', at) != std::string_view::npos && at > 0 &&
      std::all_of(v.begin() + static_cast<std::ptrdiff_t>(at) + 1, v.end(),
                  [](char c) { return is_alnum(c) || c == '.' || c == '-'; })) {
    return false;
  }
  if (!name.empty() && lower(name) == lv) return false;
  return true;
}

bool plausible_token(std::string_view v, double min_entropy) {
  if (v.size() < 16 || v.size() > 512) return false;
  for (char c : v) {
    if (!(is_alnum(c) || std::string_view("+/=_.~-").find(c) != std::string_view::npos)) return false;
  }
  const std::string lv = lower(v);
  if (placeholder_word(lv) || templated(lv) || identifier_chain(v) || file_like(lv) || encodes_prose(v) ||
      vendor_prefixed(v)) {
    return false;
  }
  for (std::string_view w : {"password", "secret", "token", "apikey", "api_key", "fake", "foobar", "insert"}) {
    if (contains(lv, w)) return false;
  }
  // snake_case code (crypto_ccm_setkey), and runs of one character over a third of the value.
  if (std::count(v.begin(), v.end(), '_') >= 2 && !std::any_of(v.begin(), v.end(), [](char c) { return is_upper(c); })) {
    return false;
  }
  std::size_t run = 1, best = 1;
  for (std::size_t i = 1; i < lv.size(); ++i) {
    run = lv[i] == lv[i - 1] ? run + 1 : 1;
    best = std::max(best, run);
  }
  if (best * 3 >= v.size()) return false;
  const bool digit = std::any_of(v.begin(), v.end(), [](char c) { return is_digit(c); });
  const bool letter = std::any_of(v.begin(), v.end(), [](char c) { return is_alpha(c); });
  if (!digit || !letter) return false;
  // A CONSTANT_NAME (SOCKS5_NO_ACCEPTABLE_AUTH) is code, not a token.
  if (std::count(v.begin(), v.end(), '_') >= 2 &&
      std::all_of(v.begin(), v.end(), [](char c) { return is_upper(c) || is_digit(c) || c == '_'; })) {
    return false;
  }
  return normalized_entropy(v) >= min_entropy;
}

bool plausible_otp_seed(std::string_view v) {
  std::size_t n = v.size();
  while (n > 0 && v[n - 1] == '=') --n;
  if (n < 16 || n > 128) return false;
  const auto body = v.substr(0, n);
  const bool upper_case = std::all_of(body.begin(), body.end(), [](char c) { return is_upper(c) || (c >= '2' && c <= '7'); });
  const bool lower_case = std::all_of(body.begin(), body.end(), [](char c) { return is_lower(c) || (c >= '2' && c <= '7'); });
  if (!upper_case && !lower_case) return false;
  // A random seed repeats few of its characters; runs (ABCDEFGH...) and words do not pass the
  // entropy bar and the placeholder words.
  std::string distinct(body);
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  return distinct.size() * 2 >= std::min<std::size_t>(n, 32) && normalized_entropy(body) >= 0.8 &&
         !placeholder_word(lower(body));
}

bool plausible_basic_credentials(std::string_view b64) {
  const auto decoded = decode_base64(b64, false);
  if (!decoded || decoded->size() < 3) return false;
  const std::string& s = *decoded;
  if (!std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && static_cast<unsigned char>(c) < 0x7f; })) {
    return false;
  }
  const auto colon = s.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 64) return false;
  const std::string_view pw = std::string_view(s).substr(colon + 1);
  return plausible_password(pw, "") || plausible_token(pw, 0.7);
}

bool accept_named_credential(std::string_view prefix, std::string_view value, double min_entropy) {
  // An XML element's text: the name must be the whole tag (<password>v), not a word before '>'
  // in prose or a URL template (<username>:<password>@host).
  if (!prefix.empty() && prefix.back() == '>') {
    const auto lt = prefix.rfind('<');
    if (lt == std::string_view::npos) return false;
    const auto tag = prefix.substr(lt + 1, prefix.size() - lt - 2);
    if (tag.empty() || !std::all_of(tag.begin(), tag.end(), [](char c) {
          return is_alnum(c) || c == '_' || c == '-' || c == '.' || c == ':';
        })) {
      return false;
    }
    if (lt > 0 && (prefix[lt - 1] == ':' || is_alnum(prefix[lt - 1]))) return false;
  }
  if (!pair_is_first_argument(prefix)) return false;
  const std::string name = assigned_name(prefix);
  if (lower(name) == lower(value)) return false;  // X = X: a constant named after itself
  switch (classify_credential_name(name)) {
    case NameClass::Password:
      return plausible_password(value, name) || plausible_token(value, min_entropy);
    case NameClass::Secret:
      // A short secret (8 to 15 characters) under a name that ends in "secret": held
      // to the password shape, with 8+ characters.
      return plausible_token(value, min_entropy) ||
             (value.size() >= 8 && name_words(name).back() == "secret" && plausible_password(value, name));
    case NameClass::Otp:
      return plausible_otp_seed(value) || plausible_token(value, min_entropy);
    case NameClass::None:
    case NameClass::Excluded:
      break;
  }
  return false;
}

bool accept_http_credential(std::string_view prefix, std::string_view value, double min_entropy) {
  std::size_t e = prefix.size();
  while (e > 0 && !is_alpha(prefix[e - 1])) --e;
  std::size_t b = e;
  while (b > 0 && is_alpha(prefix[b - 1])) --b;
  const std::string scheme = lower(prefix.substr(b, e - b));
  if (scheme == "basic") return plausible_basic_credentials(value);
  return plausible_token(value, min_entropy);
}

}  // namespace vigil
