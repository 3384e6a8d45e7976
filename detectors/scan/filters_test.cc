// URI passwords: real-looking passwords with awkward characters are findings; templates,
// references, masks, stand-in words, short words, ports and user-as-password are not.
#include <doctest/doctest.h>

#include <string>

#include "detectors/scan/filters.h"

using namespace vigil;

TEST_CASE("uri password: real-looking passwords, whatever their characters or host") {
  for (const char* pw : {"Qz7@rT2!pLm9", "%40Vx9k%21Lq2Zt", "Lp4)Wq9#zN2v", "Hj8:Xc3!Rm5t", "hunter2hunter2x", "s9Kd2mQx"}) {
    INFO(pw);
    CHECK(real_uri_password(std::string("postgres://app:") + pw + "@l", pw));
    CHECK(real_uri_password(std::string("redis://:") + pw + "@localhost", pw));
  }
}

TEST_CASE("uri password: placeholders, templates, references, defaults and ports are not findings") {
  for (const char* pw : {"${DB_PASS}", "{{db_pass}}", "%(password)s", "%s", "$DB_PASSWORD", "<password>", "[password]",
                         "********", "xxxxxxxx", "password1", "P@ssw0rd!", "changeme123", "your-password", "mysecret99",
                         "tiger", "proxypass", "5432", "aaaaaaaa", "example123", "p4ssw0rd", "S3cr3t!99", "he%2F%2Fo"}) {
    INFO(pw);
    CHECK_FALSE(real_uri_password(std::string("postgres://app:") + pw + "@h", pw));
  }
  CHECK_FALSE(real_uri_password("amqp://Guest7x:Guest7x@h", "Guest7x"));  // the user name again
}
