// `vigil report --db`: the governance report over the evidence database equals the report over
// the same files; metrics carry their [report] targets and statuses; teams group repositories;
// waivers of kind false-positive pushed through a real server count in the false-positive rate.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "detectors/policy/config.h"
#include "detectors/policy/server_policy.h"
#include "tests/support/evidence_fixture.h"
#include "tests/support/temp_repo.h"

using nlohmann::json;
using vigil::test::AuditLogSpec;
using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;
using vigil::test::TempPostgres;
using vigil::test::write_audit_log;

namespace {

const std::string kKey = "0123456789abcdef0123456789abcdef";

std::string make_log(const TempDir& dir, const std::string& name, std::size_t n, unsigned seed) {
  std::filesystem::create_directories(dir.path() + "/" + name);
  const std::string path = dir.path() + "/" + name + "/vigil-audit.jsonl";
  write_audit_log(path, AuditLogSpec{n, "srv/" + name + ".git", kKey, seed});
  return path;
}

json run_json(const TempDir& dir, const std::string& cmd) {
  auto r = sh(dir.path(), cmd);
  REQUIRE_MESSAGE(r.status == 0, r.err);
  auto j = json::parse(r.out, nullptr, false);
  REQUIRE(!j.is_discarded());
  return j;
}

std::vector<std::string> sorted_dumps(const json& arr) {
  std::vector<std::string> out;
  for (const auto& e : arr) out.push_back(e.dump());
  std::sort(out.begin(), out.end());
  return out;
}

const json& metric(const json& report, const std::string& id) {
  for (const auto& m : report["evidence"]["metrics"]) {
    if (m["id"] == id) return m;
  }
  FAIL("no metric " << id);
  static json none;
  return none;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("evidence: report --db over logs of several servers equals the report over the files") {
    TempDir dir;
    const auto a = make_log(dir, "pay", 800, 21), b = make_log(dir, "web", 600, 22);
    const json files = run_json(dir, "$VIGIL report --format json " + a + " " + b);
    std::vector<std::string> urls{"sqlite://" + dir.path() + "/ev.db"};
    if (TempPostgres::shared().ok()) urls.push_back(TempPostgres::shared().fresh_db_url());
    for (const auto& url : urls) {
      CAPTURE(url);
      REQUIRE(sh(dir.path(), "$VIGIL audit ship --db '" + url + "' " + a + " " + b).status == 0);
      const json db = run_json(dir, "$VIGIL report --format json --db '" + url + "'");
      for (const char* k : {"gate_runs", "pass_rate", "blocks_by_rule", "blocks_by_severity", "waivers",
                            "findings_by_repo", "time_to_fix", "controls", "by_day", "rules_versions"}) {
        const bool same = db[k] == files[k];
        CHECK_MESSAGE(same, k);
      }
      // Records of two servers at the same second may come in either order.
      CHECK(sorted_dumps(db["bypasses"]) == sorted_dumps(files["bypasses"]));
      CHECK(db["gate_runs"]["total"] == 1400);
      CHECK(db["evidence"]["repositories"].size() == 2);
      CHECK(db["evidence"]["repositories"]["srv/pay.git"]["total"]["runs"] == 800);
      // A window and a repository filter narrow it the same way.
      const json win_files = run_json(dir, "$VIGIL report --format json --since 2026-03-03 --until 2026-03-05 " + a);
      const json win_db = run_json(dir, "$VIGIL report --format json --since 2026-03-03 --until 2026-03-05 --db '" + url +
                                            "' --repo 'srv/pay.git'");
      CHECK(win_db["gate_runs"] == win_files["gate_runs"]);
      CHECK(sorted_dumps(win_db["bypasses"]) == sorted_dumps(win_files["bypasses"]));
      // Text and HTML render; the HTML marks each metric with a status.
      auto text = sh(dir.path(), "$VIGIL report --db '" + url + "'");
      CHECK(text.out.find("metrics (target / alert):") != std::string::npos);
      CHECK(text.out.find("srv/web.git") != std::string::npos);
      auto html = sh(dir.path(), "$VIGIL report --format html --db '" + url + "'");
      CHECK(html.out.find("id=\"kpi-pass_rate\" data-status=") != std::string::npos);
      CHECK(html.out.find("<svg class=\"spark\"") != std::string::npos);
    }
  }

  TEST_CASE("evidence: [report] targets set each metric's status, and teams group repositories") {
    TempDir dir;
    const auto a = make_log(dir, "pay-api", 400, 31), b = make_log(dir, "pay-web", 300, 32), c = make_log(dir, "blog", 200, 33);
    const std::string url = dir.path() + "/ev.db";
    REQUIRE(sh(dir.path(), "$VIGIL audit ship --db " + url + " " + a + " " + b + " " + c).status == 0);
    const json plain = run_json(dir, "$VIGIL report --format json --db " + url);
    const double pass = plain["pass_rate"].get<double>() * 100.0;
    REQUIRE(pass > 70.0);
    REQUIRE(pass < 95.0);
    // Defaults: target 95, alert 90.
    CHECK(metric(plain, "pass_rate")["status"] == (pass < 90.0 ? "red" : "amber"));
    CHECK(metric(plain, "pass_rate")["target"] == 95.0);
    dir.write("lenient.toml", "[report]\npass_rate_target = 70\npass_rate_alert = 60\n[report.teams]\npayments = [\"srv/pay-*\"]\n");
    const json lenient = run_json(dir, "$VIGIL report --format json --db " + url + " --policy lenient.toml");
    CHECK(metric(lenient, "pass_rate")["status"] == "green");
    const auto& teams = lenient["evidence"]["teams"];
    CHECK(teams["payments"]["total"]["runs"] == 700);
    CHECK(teams["(no team)"]["total"]["runs"] == 200);
    dir.write("strict.toml", "[report]\npass_rate_target = 99.5\npass_rate_alert = 99\n");
    const json strict = run_json(dir, "$VIGIL report --format json --db " + url + " --policy strict.toml");
    CHECK(metric(strict, "pass_rate")["status"] == "red");
    // Weekly values are there for the trend.
    CHECK(metric(strict, "pass_rate")["weekly"].size() >= 1);
    // A threshold on the wrong side of its target is a one-line error.
    dir.write("bad.toml", "[report]\npass_rate_target = 90\npass_rate_alert = 95\n");
    auto bad = sh(dir.path(), "$VIGIL report --db " + url + " --policy bad.toml");
    CHECK(bad.status == 2);
    CHECK(bad.err.find("pass_rate_alert is above pass_rate_target") != std::string::npos);
    dir.write("typo.toml", "[report]\npass_rate_targt = 90\n");
    auto typo = sh(dir.path(), "$VIGIL report --db " + url + " --policy typo.toml");
    CHECK(typo.status == 2);
    CHECK(typo.err.find("did you mean 'pass_rate_target'") != std::string::npos);
  }

  TEST_CASE("evidence: a waiver of kind false-positive pushed to a real server counts in the false-positive rate") {
    TempDir dir;
    const std::string bin = vigil::test::bin_dir();
    REQUIRE(sh(dir.path(), "git init -q --bare srv.git && ln -s " + bin + "/vigil-pre-receive srv.git/hooks/pre-receive && "
                                                                          "git clone -q srv.git work 2>/dev/null")
                .status == 0);
    dir.write("policy.toml", "[server]\ndeadline_ms = 300000\n");
    REQUIRE(sh(dir.path(), "git -C srv.git config vigil.policy " + dir.path() + "/policy.toml").status == 0);
    const std::string work = dir.path() + "/work";
    // The secret's fingerprint, then a waiver for it, landed as the old tip.
    dir.write("work/test.env", "TOKEN=" + fake_github_pat(41) + "\n");
    auto scan = sh(work, "$VIGIL scan --format json test.env");
    std::string fp;
    for (std::size_t pos = 0; pos < scan.out.size();) {
      const auto nl = scan.out.find('\n', pos);
      auto j = json::parse(scan.out.substr(pos, nl - pos), nullptr, false);
      if (!j.is_discarded() && j.value("type", "") == "finding") fp = j["data"]["fingerprint"];
      pos = nl == std::string::npos ? scan.out.size() : nl + 1;
    }
    REQUIRE(!fp.empty());
    std::filesystem::rename(work + "/test.env", dir.path() + "/test.env");
    dir.write("work/.vigil.toml", "[[waivers]]\nid = \"FP-1\"\nfingerprint = \"" + fp + "\"\nowner = \"sec@example.com\"\n"
                                                                                        "reason = \"test fixture, not a live token\"\nexpires = 2099-12-31\nkind = \"false-positive\"\n");
    REQUIRE(sh(work, "git add -A && git commit -q --no-verify -m policy && git push -q origin HEAD:main").status == 0);
    std::filesystem::rename(dir.path() + "/test.env", work + "/test.env");
    REQUIRE(sh(work, "git add -A && git commit -q --no-verify -m fixture").status == 0);
    auto push = sh(work, "git push --no-verify origin HEAD:main");
    REQUIRE_MESSAGE(push.status == 0, push.err);
    // It landed, and the audit record says why and of what kind.
    CHECK(sh(dir.path() + "/srv.git", "git rev-parse main").out == sh(work, "git rev-parse HEAD").out);
    const std::string log = dir.path() + "/srv.git/vigil-audit.jsonl";
    CHECK(dir.read("srv.git/vigil-audit.jsonl").find("\"kind\":\"false-positive\"") != std::string::npos);
    const std::string url = dir.path() + "/ev.db";
    auto ship = sh(dir.path(), "$VIGIL audit ship --db " + url + " " + log);
    REQUIRE_MESSAGE(ship.status == 0, ship.err);
    const json r = run_json(dir, "$VIGIL report --format json --db " + url);
    CHECK(metric(r, "false_positive_rate")["value"] == 100.0);
    CHECK(metric(r, "false_positive_rate")["status"] == "red");
    CHECK(r["evidence"]["all"]["waivers"]["false_positive"] == 1);
    // A critical/high secret that was let through as a false positive did not "reach" main.
    CHECK(metric(r, "protected_findings")["value"] == 0.0);
    CHECK(metric(r, "protected_findings")["status"] == "green");
  }

  TEST_CASE("evidence: an inline allow names its kind, and a scan result shipped carries it") {
    TempDir dir;
    dir.write("a.env", "TOKEN=" + fake_github_pat(42) + " # vigil:allow github.pat false-positive documented example\n");
    auto scan = sh(dir.path(), "$VIGIL scan --format json a.env > scan.json");
    REQUIRE(scan.status == 0);
    CHECK(dir.read("scan.json").find("\"kind\":\"false-positive\"") != std::string::npos);
    const std::string url = dir.path() + "/ev.db";
    auto ship = sh(dir.path(), "$VIGIL audit ship --db " + url + " --repo ci/app --scan-results scan.json");
    REQUIRE_MESSAGE(ship.status == 0, ship.err);
    auto again = sh(dir.path(), "$VIGIL audit ship --db " + url + " --repo ci/app --scan-results scan.json");
    CHECK(again.out.find("already in the database") != std::string::npos);
    const json r = run_json(dir, "$VIGIL report --format json --db " + url);
    CHECK(r["gate_runs"]["by_hook"]["scan"] == 1);
    CHECK(r["evidence"]["repositories"]["ci/app"]["total"]["false_positives"] == 1);
    // A waiver kind that is not one is a config error naming the two.
    dir.write(".vigil.toml", "[[waivers]]\nrule = \"github.pat\"\npath = \"a.env\"\nowner = \"a@b.example\"\nreason = \"x\"\n"
                             "expires = 2099-01-01\nkind = \"meh\"\n");
    auto bad = sh(dir.path(), "$VIGIL scan a.env");
    CHECK(bad.status == 2);
    CHECK(bad.err.find("use \"false-positive\" or \"accepted-risk\"") != std::string::npos);
  }

  TEST_CASE("attack: a repository's [report] loosens the server's targets") {
    auto floor = vigil::parse_config("[report]\npass_rate_target = 97\nfalse_positive_alert = 20\n"
                                     "[report.teams]\nsec = [\"srv/*\"]\n",
                                     "server.toml", vigil::RuleDetail::Scan);
    REQUIRE(floor);
    auto repo = vigil::parse_config("[report]\npass_rate_target = 50\npass_rate_alert = 10\nfalse_positive_alert = 90\n"
                                    "protected_branches = [\"refs/heads/prod\"]\n[report.teams]\nmine = [\"**\"]\n",
                                    ".vigil.toml", vigil::RuleDetail::Scan);
    REQUIRE(repo);
    std::vector<std::string> notes;
    const auto out = vigil::tighten(*floor, *repo, notes);
    CHECK(out.report.pass_rate_target == 97.0);
    CHECK(out.report.pass_rate_alert == 90.0);
    CHECK(out.report.false_positive_alert == 20.0);
    CHECK(out.report.teams.count("mine") == 0);
    CHECK(out.report.teams.count("sec") == 1);
    // Adding a protected branch only tightens: it is kept.
    CHECK(std::count(out.report.protected_branches.begin(), out.report.protected_branches.end(), "refs/heads/prod") == 1);
    CHECK(std::count(out.report.protected_branches.begin(), out.report.protected_branches.end(), "refs/heads/main") == 1);
    auto noted = [&](const std::string& part) {
      return std::any_of(notes.begin(), notes.end(), [&](const std::string& n) { return n.find(part) != std::string::npos; });
    };
    CHECK(noted("pass_rate_target = 50"));
    CHECK(noted("false_positive_alert = 90"));
    CHECK(noted("[report.teams]"));
  }
}
