// The credential-name model and the value shapes the generic password/secret detectors apply.
#include "detectors/scan/credential.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "detectors/rules/rule_loader.h"
#include "detectors/scan/filters.h"

using namespace vigil;

TEST_CASE("credential names: words are split in every naming convention") {
  const std::vector<std::string> want = {"oauth", "token", "secret"};
  CHECK(name_words("oauthTokenSecret") == want);
  CHECK(name_words("OAUTH_TOKEN_SECRET") == want);
  CHECK(name_words("oauth-token.secret") == want);
  CHECK(name_words("APIKey") == std::vector<std::string>{"api", "key"});
  CHECK(name_words("--db-password") == std::vector<std::string>{"db", "password"});
}

TEST_CASE("credential names: passwords, secrets and OTP seeds are told from their metadata") {
  for (const char* n : {"password", "passwd", "db_pass", "DB_PASS", "keystorePassword", "bind_pw", "pwd",
                        "storepass", "passphrase", "password_confirmation", "spring.datasource.password",
                        "adminPassword2", "MYSQL_ROOT_PASSWORD"}) {
    CAPTURE(n);
    CHECK(classify_credential_name(n) == NameClass::Password);
  }
  for (const char* n : {"consumer_key", "consumer_secret", "oauth_token_secret", "Apitoken", "APIKEY", "secretKey",
                        "signing_key", "client_secret", "private_token", "x-api-key", "SECRET_KEY_BASE",
                        "webhookSecret", "basic_auth", "refresh_token"}) {
    CAPTURE(n);
    CHECK(classify_credential_name(n) == NameClass::Secret);
  }
  for (const char* n : {"totp_secret", "otpSeed", "mfa_secret", "google_authenticator_key"}) {
    CAPTURE(n);
    CHECK(classify_credential_name(n) == NameClass::Otp);
  }
  for (const char* n : {"password_file", "PASSWORD_FIELD", "password_min_length", "token_type", "token_url",
                        "secret_name", "public_key", "publishableKey", "site_key", "access_key_id", "is_password_set",
                        "validatePassword", "PASSWORD_RESET_TIMEOUT", "password_hash"}) {
    CAPTURE(n);
    CHECK(classify_credential_name(n) == NameClass::Excluded);
  }
  for (const char* n : {"username", "host", "cache_key", "sort_key", "key", "compass", "crc16_buypass",
                        "HTTPPasswordMgr", "keyboard", "monkey", "tokenizer"}) {
    CAPTURE(n);
    CHECK((classify_credential_name(n) == NameClass::None || classify_credential_name(n) == NameClass::Excluded));
  }
}

TEST_CASE("credential names: the name is read back from the text before the value") {
  CHECK(assigned_name("db_password = \"") == "db_password");
  CHECK(assigned_name("  \"adminPassword\": \"") == "adminPassword");
  CHECK(assigned_name("conn = connect(host=\"db\", user=\"app\", password=\"") == "password");
  CHECK(assigned_name("        props.setProperty(\"webhookSecret\", \"") == "webhookSecret");
  CHECK(assigned_name("  <add key=\"DbPassword\" value=\"") == "DbPassword");
  CHECK(assigned_name("    public string LicenseKey { get; set; } = \"") == "LicenseKey");
  CHECK(assigned_name("  password: string = \"") == "password");
  CHECK(assigned_name("ENV SIGNING_KEY ") == "SIGNING_KEY");
  CHECK(assigned_name("mysqldump --password=") == "password");
  CHECK(assigned_name("$password = '") == "password");
  CHECK(assigned_name("") == "");
}

TEST_CASE("credential values: low-entropy passwords pass, references and words do not") {
  for (const char* v : {"Summer2019!", "admin123", "P@ssw0rd1", "Dr@gon2021", "root@123", "123456789", "$h@d0w6",
                        "Gk4Rw9Tz2Lq8Vm5Xn7Pb3Jc", "Welcome1!"}) {
    CAPTURE(v);
    CHECK(plausible_password(v, "password"));
  }
  for (const char* v : {"${DB_PASSWORD}", "{{ vault_pw }}", "<PASSWORD>", "your-password-here", "changeme", "********",
                        "xxxxxxxx", "%(password)s", "Password", "Passwort", "new_password", "self.password",
                        "os.environ", "getpass()", "$DB_PASSWORD", "@db.password@", "/run/secrets/db", "secrets/pw.txt",
                        "ENV['PW']", "5f4dcc3b5aa765d61d8327deb882cf99", "admin@example.com", "db01.internal",
                        "-anonymous@", "!vault", "abc", "ghp_Ab3dE9", "sk_live_a8F3kd", "kadmin/server", "pEntry^.pw_passwd", "bm90IG15IHJlYWwgcGFzc3dvcmQ="}) {
    CAPTURE(v);
    CHECK_FALSE(plausible_password(v, "password"));
  }
}

TEST_CASE("credential values: tokens need their alphabet, digits and letters, and entropy") {
  CHECK(plausible_token("mKNhB2RhUHPLkeYdlnfD4kGaZTOGarZY", 0.72));
  CHECK(plausible_token("9114727094-Dau7h4FTUhlVSi7mPGFDFmxLF8Z", 0.72));
  CHECK_FALSE(plausible_token("SOCKS5_NO_ACCEPTABLE_AUTH", 0.72));
  CHECK_FALSE(plausible_token("crypto_ccm_setkey_v2", 0.72));
  CHECK_FALSE(plausible_token("aaaaaaaaaaaaaaaa1", 0.72));
  CHECK_FALSE(plausible_token("YOUR_API_TOKEN_HERE_123", 0.72));
  CHECK_FALSE(plausible_token("short1", 0.72));
  CHECK(plausible_otp_seed("JBUQCIBBGGMFNDVN"));
  CHECK(plausible_otp_seed("svcdgb6cfkuw7f6sptlw3t3era"));
  CHECK_FALSE(plausible_otp_seed("ABCDEFGHABCDEFGH"));
  CHECK_FALSE(plausible_otp_seed("AAAAAAAAAAAAAAAA"));
}

TEST_CASE("credential values: Basic auth must decode to user:password") {
  CHECK(plausible_basic_credentials("amVua2luczphZG1pbjI0NA=="));        // jenkins:admin244
  CHECK_FALSE(plausible_basic_credentials("dXNlcjpwYXNz"));              // user:pass
  CHECK_FALSE(plausible_basic_credentials("aGVsbG8gd29ybGQgdGhlcmU="));  // prose, no colon
  CHECK_FALSE(plausible_basic_credentials("not base64 at all"));
}

TEST_CASE("credential judgement: the name decides the shape, XML needs a whole tag") {
  CHECK(accept_named_credential("db_password = \"", "Summer2019!", 0.72));
  CHECK_FALSE(accept_named_credential("password_field = \"", "new_pass1", 0.72));
  CHECK_FALSE(accept_named_credential("username = \"", "Summer2019!", 0.72));
  CHECK(accept_named_credential("  <password>", "Welcome1!", 0.72));
  CHECK_FALSE(accept_named_credential("socks5h://<username>:<password>", "@proxy-host1", 0.72));
  CHECK_FALSE(accept_named_credential("SOCKS5_NO_ACCEPTABLE_AUTH = ", "SOCKS5_NO_ACCEPTABLE_AUTH", 0.72));
  CHECK(accept_named_credential("props.setProperty(\"webhookSecret\", \"", "9114727094-Dau7h4FTUhlVSi7mPGFDFmxLF8Z", 0.72));
  CHECK_FALSE(accept_named_credential("return (\"pypi\", \"token\", \"", "pypi-AgEIcHlwaS5vcmc9Xk3", 0.72));
  CHECK(accept_http_credential("Authorization: Basic ", "amVua2luczphZG1pbjI0NA==", 0.82));
  CHECK_FALSE(accept_http_credential("Authorization: Basic ", "dXNlcjpwYXNz", 0.82));
  CHECK(accept_http_credential("Authorization: Bearer ", "QN_Bmz7WmfNzW8ulXQYNzw4k", 0.82));
}

TEST_CASE("credential judgement: accept_match reads the name before a generic match") {
  const auto& rules = builtin_rules();
  REQUIRE(rules.ok());
  const Rule* pw = nullptr;
  for (const auto& r : *rules) {
    if (r.id == "generic.password") pw = &r;
  }
  REQUIRE(pw != nullptr);
  // Passed apart (not adjacent in one buffer), the context is joined.
  const std::string before = "conn = connect(user=\"app\", ";
  const std::string whole = "password=\"Summer2019!\"";
  const std::string_view w(whole);
  CHECK(accept_match(*pw, w, w.substr(10, 11), before));
  const std::string whole2 = "password_hint=\"Summer2019!\"";
  const std::string_view w2(whole2);
  CHECK_FALSE(accept_match(*pw, w2, w2.substr(15, 11), before));
}
