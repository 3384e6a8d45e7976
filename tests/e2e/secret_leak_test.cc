// End-to-end: secrets never leak. Known fake secrets are planted in files, in history, in commit
// messages and in a push; every command and every report format runs over them; then every
// captured stdout and stderr, every report file, the audit log (and its .head) and the whole
// cache dir (rules database and incremental-scan cache) are searched for each full secret.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/temp_repo.h"

namespace fs = std::filesystem;
using vigil::test::CmdResult;
using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

const char* const kFormats[] = {"text", "json", "sarif", "junit", "csv", "gitlab"};

std::string random_text(std::mt19937& rng, std::string_view alphabet, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
  return s;
}

std::string base64(std::string_view in) {
  static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    for (int k = 18; k >= 0; k -= 6) out += kB64[(v >> k) & 63];
  }
  if (i < in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    if (i + 1 < in.size()) v |= (unsigned char)in[i + 1] << 8;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Every planted secret by name. Built at run time, so this source holds no literal secret.
struct Secrets {
  std::map<std::string, std::string> all;
  std::string pem;       // the whole private key block
  std::string pem_json;  // the same key as a one-line JSON string (\n escapes)
  Secrets() {
    std::mt19937 rng(20240611u);
    const std::string alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    all["github.pat (file)"] = fake_github_pat(101);
    all["github.pat (history)"] = fake_github_pat(102);
    all["github.pat (message)"] = fake_github_pat(103);
    all["github.pat (push)"] = fake_github_pat(104);
    all["github.pat (base64)"] = fake_github_pat(105);
    all["github.pat (push option)"] = fake_github_pat(106);
    all["base64 form"] = base64("token: " + fake_github_pat(105));
    all["aws key id"] = "AKIA" + random_text(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
    all["aws secret key"] = random_text(rng, alnum + "+/", 40);
    all["slack token"] = "xoxb-" + random_text(rng, "0123456789", 12) + "-" + random_text(rng, "0123456789", 13) + "-" +
                         random_text(rng, alnum, 24);
    all["generic password"] = random_text(rng, alnum, 24);
    std::vector<std::string> body = {"MIIEpAIBAAKCAQEA" + random_text(rng, alnum + "+/", 48)};
    for (int i = 0; i < 6; ++i) body.push_back(random_text(rng, alnum + "+/", 64));
    body.push_back(random_text(rng, alnum + "+/", 36) + "==");
    pem = "-----BEGIN RSA PRIVATE KEY-----\n";
    pem_json = "-----BEGIN RSA PRIVATE KEY-----\\n";
    for (std::size_t i = 0; i < body.size(); ++i) {
      // Any one body line is key material: none may appear, not just the whole block.
      all["private key line " + std::to_string(i + 1)] = body[i];
      pem += body[i] + "\n";
      pem_json += body[i] + "\\n";
    }
    pem += "-----END RSA PRIVATE KEY-----\n";
    pem_json += "-----END RSA PRIVATE KEY-----";
  }
};

const Secrets& secrets() {
  static const Secrets s;
  return s;
}

// Everything a run printed, by label, plus the files to search at the end.
struct Capture {
  std::vector<std::pair<std::string, std::string>> texts;
  CmdResult run(const std::string& label, const std::string& cwd, const std::string& cmd, const std::string& in = {}) {
    auto r = sh(cwd, cmd, in);
    texts.emplace_back(label + " (stdout)", r.out);
    texts.emplace_back(label + " (stderr)", r.err);
    return r;
  }
  // Every regular file under `root` (recursively), by path.
  void add_files(const std::string& root) {
    std::error_code ec;
    if (fs::is_regular_file(root, ec)) {
      std::ifstream in(root, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      texts.emplace_back(root, ss.str());
      return;
    }
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_regular_file(ec)) add_files(it->path().string());
    }
  }
  // The assertion of this file: no planted secret, in full, anywhere that was captured.
  void check_no_secret() const {
    std::size_t leaks = 0;
    for (const auto& [where, text] : texts) {
      for (const auto& [name, secret] : secrets().all) {
        if (text.find(secret) == std::string::npos) continue;
        ++leaks;
        FAIL_CHECK("the " << name << " leaked into " << where);
      }
    }
    CHECK(leaks == 0);
  }
};

// A work tree with every secret planted in files, one in history only, and a shared cache dir
// of its own (so the whole cache can be searched), seeded from the suite's compiled database.
struct Planted {
  TempDir dir;
  std::string env;  // "export ...;" prefix for every command
  std::string repo() const { return dir.path() + "/w"; }
  std::string cache() const { return dir.path() + "/cache"; }
  Planted() {
    const auto& s = secrets().all;
    env = "export VIGIL_CACHE_DIR='" + cache() + "'; ";
    const std::string seed_cache = "${VIGIL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vigil}";
    REQUIRE(sh(dir.path(), "mkdir -p cache && cp " + seed_cache + "/*.hsdb cache/ 2>/dev/null; "
                                                                  "git init -q w && cd w && $VIGIL install >/dev/null")
                .status == 0);
    dir.write("w/config/app.env", "GITHUB_TOKEN=" + s.at("github.pat (file)") + "\n");
    dir.write("w/aws/credentials", "[default]\naws_access_key_id = " + s.at("aws key id") +
                                       "\naws_secret_access_key = " + s.at("aws secret key") + "\n");
    dir.write("w/keys/id_rsa", secrets().pem);
    dir.write("w/keys/key.json", "{\"key\": \"" + secrets().pem_json + "\"}\n");
    dir.write("w/slack.txt", "SLACK_BOT_TOKEN=" + s.at("slack token") + "\n");
    dir.write("w/db.py", "db_password = \"" + s.at("generic password") + "\"\n");
    dir.write("w/blob.txt", "data = " + s.at("base64 form") + "\n");
    // History only: added, committed, then removed.
    dir.write("w/old.env", "TOKEN=" + s.at("github.pat (history)") + "\n");
    REQUIRE(sh(repo(), "git add old.env && git commit -q --no-verify -m old && git rm -q old.env && "
                       "git commit -q --no-verify -m 'remove old'")
                .status == 0);
  }
};

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("secrets never leak: vigil scan of a directory, a file, stdin and history, in every format") {
    Planted p;
    Capture c;
    const std::string& e = p.env;
    const std::string out = p.dir.path() + "/reports";
    REQUIRE(sh(p.dir.path(), "mkdir reports").status == 0);
    for (const std::string f : kFormats) {
      auto r = c.run("scan . --format " + f, p.repo(), e + "$VIGIL scan --format " + f + " .");
      CHECK(r.status == 1);  // the secrets were found: the check below is not vacuous
      c.run("scan . -o", p.repo(), e + "$VIGIL scan --format " + f + " --output " + out + "/dir." + f + " .");
      c.run("scan FILE", p.repo(), e + "$VIGIL scan --format " + f + " -o " + out + "/file." + f + " keys/key.json blob.txt");
      c.run("scan -", p.repo(), e + "$VIGIL scan --format " + f + " -", secrets().pem_json + "\n" + secrets().pem);
      r = c.run("scan --history", p.repo(), e + "$VIGIL scan --history --format " + f + " -o " + out + "/history." + f + " .");
      CHECK(r.status == 1);
    }
    // Text reports name what they found, so the search covers real findings.
    const auto dir_text = p.dir.read("reports/dir.text");
    for (const char* rule : {"github.pat", "aws.access-key-id", "aws.secret-access-key", "pem.rsa-private-key",
                             "slack.bot-token", "generic.password", "base64"}) {
      CHECK_MESSAGE(dir_text.find(rule) != std::string::npos, rule);
    }
    CHECK(p.dir.read("reports/history.text").find("old.env") != std::string::npos);
    // Incremental history scans keep a cache of clean blobs: search it too.
    c.run("scan --history --incremental", p.repo(), e + "$VIGIL scan --history --incremental . ; $VIGIL scan --history --incremental .");
    c.run("scan --jobs 1 -q", p.repo(), e + "$VIGIL scan -q -j 1 --no-gitignore .");
    c.run("scan --fail-on info", p.repo(), e + "$VIGIL scan --fail-on info --format json .");
    c.add_files(out);
    c.add_files(p.cache());
    c.check_no_secret();
  }

  TEST_CASE("secrets never leak: baseline, waivers, rules explain/test/list and hooks on staged secrets") {
    Planted p;
    Capture c;
    const std::string& e = p.env;
    const auto& s = secrets().all;
    // baseline create, then a scan against it.
    auto r = c.run("baseline create", p.repo(), e + "$VIGIL baseline create -o ../baseline .");
    CHECK(r.status == 0);
    CHECK(p.dir.read("baseline").find("github.pat") != std::string::npos);
    c.run("scan --baseline", p.repo(), e + "$VIGIL scan --baseline ../baseline --format json .");
    // waivers: one by rule and path, one stale, one expired.
    p.dir.write("w/.vigil.toml",
                "[[waivers]]\nrule = \"github.pat\"\npath = \"config/app.env\"\nowner = \"a@example.com\"\n"
                "reason = \"test token, SEC-1\"\nexpires = 2999-01-01\n"
                "[[waivers]]\nrule = \"slack.bot-token\"\npath = \"nowhere/*\"\nowner = \"a@example.com\"\n"
                "reason = \"stale\"\nexpires = 2999-01-01\n"
                "[[waivers]]\nrule = \"aws.secret-access-key\"\npath = \"aws/*\"\nowner = \"a@example.com\"\n"
                "reason = \"expired\"\nexpires = 2001-01-01\n");
    REQUIRE(sh(p.repo(), "git add -A").status == 0);
    r = c.run("waivers list", p.repo(), e + "$VIGIL waivers list; $VIGIL waivers list -f json");
    CHECK(r.out.find("github.pat") != std::string::npos);
    r = c.run("waivers check", p.repo(), e + "$VIGIL waivers check; $VIGIL waivers check -f json");
    CHECK(r.status == 1);
    // rules: a custom rule whose examples hold planted secrets (one fails to match, so it is printed).
    p.dir.write("acme.toml", "[[rules]]\nid = 'acme.key'\nregex = '''(acme_[a-z0-9]{20})'''\nsecret_group = 1\n"
                             "examples = ['k = " +
                                 s.at("slack token") + "']\n"
                                                       "negative_examples = ['k = " +
                                 s.at("aws key id") + "']\n");
    r = c.run("rules test", p.repo(), e + "$VIGIL rules test ../acme.toml");
    CHECK(r.status == 1);
    CHECK(r.out.find("positive example not detected") != std::string::npos);
    c.run("rules explain/list", p.repo(),
          e + "$VIGIL rules explain github.pat; $VIGIL rules explain generic.assignment; $VIGIL rules list ../acme.toml");
    // pre-commit in every format, through `vigil scan --staged` and a real `git commit`.
    for (const std::string f : kFormats) {
      if (f == "text" || f == "json") {  // the same gate as the hook: two formats suffice
        r = c.run("scan --staged " + f, p.repo(), e + "$VIGIL scan --staged --format " + f);
        CHECK(r.status == 1);
      }
      r = c.run("git commit (pre-commit) " + f, p.repo(), e + "VIGIL_FORMAT=" + f + " git commit -q -m 'add config'");
      CHECK(r.status != 0);
    }
    // commit-msg: a secret in the subject and the body, with a subject policy that quotes the subject.
    p.dir.write("w/.vigil.toml", "[messages]\nsubject = \"^(feat|fix): \"\n");
    REQUIRE(sh(p.repo(), "git reset -q && echo hi > README && git add README .vigil.toml").status == 0);
    p.dir.write("msg", "add token " + s.at("github.pat (message)") + "\n\nbody " + s.at("slack token") + "\n");
    for (const std::string f : kFormats) {
      r = c.run("git commit (commit-msg) " + f, p.repo(), e + "VIGIL_FORMAT=" + f + " git commit -q -F ../msg");
      CHECK(r.status != 0);
    }
    CHECK(r.err.empty() == false);
    r = c.run("vigil-commit-msg text", p.repo(), e + "vigil_msg=$(dirname $VIGIL)/vigil-commit-msg; $vigil_msg ../msg");
    CHECK(r.status == 1);
    CHECK(r.err.find("messages.subject") != std::string::npos);  // the finding that quotes the subject
    CHECK(r.err.find("github.pat") != std::string::npos);
    // VIGIL_SKIP: the audited laptop bypass of staged secrets, with a reason.
    r = c.run("VIGIL_SKIP", p.repo(), e + "git add -A && VIGIL_SKIP=github,aws,pem,slack,generic VIGIL_SKIP_REASON='demo' git commit -q -m 'feat: skip'");
    CHECK(r.status == 0);
    CHECK(p.dir.read("w/.git/vigil-audit.jsonl").find("VIGIL_SKIP") != std::string::npos);
    c.add_files(p.dir.path() + "/baseline");
    c.add_files(p.repo() + "/.git/vigil-audit.jsonl");
    c.add_files(p.repo() + "/.git/vigil-audit.jsonl.head");
    c.add_files(p.cache());
    c.check_no_secret();
  }

  TEST_CASE("secrets never leak: pre-push, pre-receive and update through real pushes, the audit log and vigil report") {
    Planted p;
    Capture c;
    const std::string& e = p.env;
    const auto& s = secrets().all;
    const std::string bin = vigil::test::bin_dir();
    // Two servers: one judges with pre-receive, one with update.
    p.dir.write("policy.toml", "[server]\ndeadline_ms = 300000\nbypass = true\nbypass_max_severity = \"critical\"\n"
                               "[messages]\nsubject = \"^(feat|fix): \"\n");
    REQUIRE(sh(p.dir.path(), "git init -q --bare srv.git && git init -q --bare upd.git && "
                             "ln -s " +
                                 bin + "/vigil-pre-receive srv.git/hooks/pre-receive && "
                                       "ln -s " +
                                 bin + "/vigil-update upd.git/hooks/update && "
                                       "for r in srv.git upd.git; do git -C $r config vigil.policy $PWD/policy.toml; "
                                       "git -C $r config receive.advertisePushOptions true; done")
                .status == 0);
    p.dir.write("w/push.env", "PUSH_TOKEN=" + s.at("github.pat (push)") + "\n");
    p.dir.write("msg", "add token " + s.at("github.pat (message)") + "\n\nbody " + s.at("slack token") + "\n");
    REQUIRE(sh(p.repo(), "git add -A && git commit -q --no-verify -F ../msg && "
                         "git remote add origin ../srv.git && git remote add upd ../upd.git && "
                         "$VIGIL install --hook pre-push >/dev/null")
                .status == 0);
    for (const std::string f : kFormats) {
      auto r = c.run("git push (pre-push) " + f, p.repo(), e + "VIGIL_FORMAT=" + f + " git push origin HEAD:main");
      CHECK(r.status != 0);
      CHECK(r.err.find("remote:") == std::string::npos);
      r = c.run("git push (pre-receive) " + f, p.repo(), e + "VIGIL_FORMAT=" + f + " git push --no-verify origin HEAD:main");
      CHECK(r.status != 0);
      CHECK(r.err.find("remote:") != std::string::npos);
      r = c.run("git push (update) " + f, p.repo(), e + "VIGIL_FORMAT=" + f + " git push --no-verify upd HEAD:main");
      CHECK(r.status != 0);
    }
    // A bypass whose reason holds a secret (pasted by mistake) is recorded without it.
    auto r = c.run("git push -o vigil.bypass", p.repo(),
                   e + "git push --no-verify -o 'vigil.bypass=rotated " + s.at("github.pat (push option)") + "' origin HEAD:main");
    CHECK(r.status == 0);
    CHECK(r.err.find("recorded bypass") != std::string::npos);
    const auto audit = p.dir.read("srv.git/vigil-audit.jsonl");
    CHECK(audit.find("\"decision\":\"reject\"") != std::string::npos);
    CHECK(audit.find("\"decision\":\"bypass\"") != std::string::npos);
    CHECK(audit.find("pem.rsa-private-key") != std::string::npos);
    CHECK(p.dir.read("upd.git/vigil-audit.jsonl").find("\"hook\":\"update\"") != std::string::npos);
    c.run("audit verify", p.dir.path(), e + "$VIGIL audit verify srv.git/vigil-audit.jsonl; $VIGIL audit verify upd.git/vigil-audit.jsonl");
    c.run("scan json for report", p.repo(), e + "$VIGIL scan --format json -o ../scan.json .");
    for (const char* f : {"text", "json", "html"}) {
      r = c.run(std::string("report ") + f, p.dir.path(),
                e + "$VIGIL report -f " + f + " srv.git/vigil-audit.jsonl upd.git/vigil-audit.jsonl --scan-results scan.json; "
                                              "$VIGIL report -f " +
                    f + " -o report." + f + " srv.git/vigil-audit.jsonl");
      CHECK(r.status == 0);
    }
    for (const char* f : {"srv.git/vigil-audit.jsonl", "srv.git/vigil-audit.jsonl.head", "upd.git/vigil-audit.jsonl",
                          "upd.git/vigil-audit.jsonl.head", "report.text", "report.json", "report.html", "scan.json"}) {
      c.add_files(p.dir.path() + "/" + f);
    }
    c.add_files(p.cache());
    c.check_no_secret();
  }
}
