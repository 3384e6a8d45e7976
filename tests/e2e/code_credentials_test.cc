// End-to-end: credentials the way source and config files hold them (low-entropy passwords under
// project names, recorded HTTP fixtures, CLI flags) are blocked by the real pre-commit and
// pre-receive hooks; the hard negatives of the same shape (environment and vault references,
// prompts, labels, validation tests) pass.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::sh;
using vigil::test::TempDir;
using vigil::test::TempRepo;

namespace {

// Built at run time, so this source file holds no literal password for vigil's own self-scan.
std::string weak_password() { return std::string("Summ") + "er2019" + "!"; }
std::string token_value() { return std::string("mKNhB2RhUHPL") + "xYdlnfD4kGaZTOGarZY"; }

void seed_repo(const TempRepo& repo) {
  repo.write("README.md", "orders service\n");
  REQUIRE(repo.commit_all("initial").status == 0);
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("pre-commit blocks a low-entropy password in Python settings, redacted") {
    TempRepo repo;
    seed_repo(repo);
    repo.write("app/settings.py", "import os\n\nDATABASES = {\n    'default': {\n        'USER': 'orders',\n"
                                  "        'PASSWORD': '" +
                                      weak_password() + "',\n    }\n}\n");
    const auto r = repo.commit_all("settings");
    CHECK(r.status == 1);
    CHECK(r.err.find("app/settings.py:6:") != std::string::npos);
    CHECK(r.err.find("generic.password") != std::string::npos);
    CHECK(r.err.find(weak_password()) == std::string::npos);  // never in full
    CHECK(repo.run("git rev-list --count HEAD").out == "1\n");
  }

  TEST_CASE("pre-commit blocks passwords and tokens in properties, XML, Dockerfile and a VCR cassette") {
    const std::string pw = weak_password();
    struct Case {
      const char* path;
      std::string text;
    };
    const Case cases[] = {
        {"src/main/resources/application.properties", "server.port=8080\nspring.datasource.password=" + pw + "\n"},
        {"web.config", "<appSettings>\n  <add key=\"DbPassword\" value=\"" + pw + "\" />\n</appSettings>\n"},
        {"Dockerfile", "FROM python:3.12-slim\nENV DB_PASSWORD " + pw + "\n"},
        {"tests/cassettes/orders.yaml", "interactions:\n- request:\n    headers:\n      Authorization:\n      - Bearer " +
                                            token_value() + "\n"},
        {"lib/client.rb", "module Acme\n  config.oauth_token_secret = '" + token_value() + "'\nend\n"},
    };
    for (const auto& c : cases) {
      CAPTURE(c.path);
      TempRepo repo;
      seed_repo(repo);
      repo.write(c.path, c.text);
      const auto r = repo.commit_all("add");
      CHECK(r.status == 1);
      CHECK(r.err.find(c.path) != std::string::npos);
    }
  }

  TEST_CASE("pre-commit passes references, prompts, labels and validation tests of the same shape") {
    TempRepo repo;
    seed_repo(repo);
    repo.write("app/settings.py", "import os\nfrom getpass import getpass\n\n"
                                  "DB_PASSWORD = os.environ['DB_PASSWORD']\npassword = getpass('Password: ')\n"
                                  "PASSWORD_FIELD = 'new_password'\nPASSWORD_MIN_LENGTH = 12\n");
    repo.write("config/app.yaml", "db:\n  password: ${DB_PASSWORD}\n  admin_password: \"{{ vault_admin_password }}\"\n"
                                  "  password_file: /run/secrets/db\n");
    repo.write("locales/de.json", "{\n  \"password\": \"Passwort\",\n  \"passwordHint\": \"Mindestens 8 Zeichen\"\n}\n");
    repo.write("tests/test_forms.py", "def test_short_password(client):\n"
                                      "    resp = client.post('/login', data={'password': pw})\n"
                                      "    assert form.errors['password'] == ['This field is required.']\n");
    repo.write(".env.example", "DB_PASSWORD=changeme\nAPI_TOKEN=<your-token>\n");
    repo.write("tests/cassettes/orders.yaml", "      Authorization: ['Bearer <TOKEN>']\n");
    const auto r = repo.commit_all("config");
    CHECK(r.status == 0);
    CHECK(r.err.empty());
  }

  TEST_CASE("rules explain names each context validator") {
    TempRepo repo;
    for (const char* id_and_name : {"generic.http-auth|http-auth", "generic.password|credential",
                                    "generic.cli-password|password"}) {
      const std::string s(id_and_name);
      const auto bar = s.find('|');
      const auto r = repo.run("$VIGIL rules explain " + s.substr(0, bar));
      CHECK(r.status == 0);
      CHECK(r.out.find("validator:   " + s.substr(bar + 1) + "\n") != std::string::npos);
    }
  }

  TEST_CASE("attack: a hard-coded low-entropy password pushed with client hooks skipped") {
    TempDir dir;
    const std::string bin = vigil::test::bin_dir();
    REQUIRE(sh(dir.path(), "git init -q --bare srv.git && ln -s " + bin + "/vigil-pre-receive srv.git/hooks/pre-receive && "
                                                                          "git clone -q srv.git work 2>/dev/null && cd work && echo base > README && git add README && "
                                                                          "git commit -q -m base && git push -q origin HEAD:main 2>/dev/null")
                .status == 0);
    dir.write("policy.toml", "[server]\ndeadline_ms = 300000\n");
    REQUIRE(sh(dir.path(), "git -C srv.git config vigil.policy " + dir.path() + "/policy.toml").status == 0);
    const auto before = sh(dir.path() + "/srv.git", "git rev-parse main").out;
    dir.write("work/src/Db.java", "public class Db {\n    private static final String DB_PASSWORD = \"" + weak_password() +
                                      "\";\n}\n");
    REQUIRE(sh(dir.path() + "/work", "git add src/Db.java && git commit -q --no-verify -m db").status == 0);
    const auto r = sh(dir.path() + "/work", "git push -q --no-verify origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("generic.password") != std::string::npos);
    CHECK(r.err.find(weak_password()) == std::string::npos);
    CHECK(sh(dir.path() + "/srv.git", "git rev-parse main").out == before);  // nothing landed
  }
}
