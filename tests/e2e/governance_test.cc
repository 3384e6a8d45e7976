// End-to-end governance: modes change exit codes (not findings), waivers expire on an injected
// clock, `vigil waivers check` finds stale and expired waivers, VIGIL_SKIP is recorded and
// reported, `vigil report` numbers match a known audit log, and the HTML page renders in Chromium.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::source_dir;
using vigil::test::TempDir;
using vigil::test::TempRepo;

namespace {

std::string secret_line(unsigned seed = 1) { return "GITHUB_TOKEN=" + fake_github_pat(seed) + "\n"; }

// The fingerprints of a JSON Lines scan, in order.
std::vector<std::string> fingerprints(const std::string& jsonl) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < jsonl.size()) {
    const auto nl = jsonl.find('\n', pos);
    auto j = nlohmann::json::parse(jsonl.substr(pos, nl - pos), nullptr, false);
    if (!j.is_discarded() && j.value("type", "") == "finding") out.push_back(j["data"]["fingerprint"]);
    pos = nl == std::string::npos ? jsonl.size() : nl + 1;
  }
  return out;
}

std::string fixture() { return source_dir() + "/tests/fixtures/governance/audit.jsonl"; }

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("governance: a mode change alters the exit code and not the findings") {
    TempRepo repo;
    repo.write("app.env", secret_line());
    std::vector<std::vector<std::string>> seen;
    for (const auto& [mode, code] : {std::pair{"enforce", 1}, std::pair{"warn", 0}, std::pair{"observe", 0}}) {
      repo.write(".vigil.toml", std::string("[settings]\nmode = \"") + mode + "\"\n");
      const auto r = repo.run("$VIGIL scan --format json app.env");
      CHECK_MESSAGE(r.status == code, mode);
      seen.push_back(fingerprints(r.out));
    }
    REQUIRE(seen[0].size() == 1);
    CHECK(seen[1] == seen[0]);
    CHECK(seen[2] == seen[0]);
    // A family mode does the same for one provider only.
    repo.write(".vigil.toml", "[families.github]\nmode = \"warn\"\n");
    CHECK(repo.run("$VIGIL scan -q app.env").status == 0);
  }

  TEST_CASE("governance: a waiver lets a commit through before it expires, and blocks it after, naming its owner") {
    TempRepo repo;
    repo.write("README.md", "hi\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    repo.write("pay.env", secret_line(3));
    const auto fp = fingerprints(repo.run("$VIGIL scan --format json pay.env").out);
    REQUIRE(fp.size() == 1);
    repo.write(".vigil.toml", "[[waivers]]\nid = \"PAY-12\"\nfingerprint = \"" + fp[0] +
                                  "\"\nowner = \"erin@example.com\"\nreason = \"sandbox key, PAY-12\"\n"
                                  "created = 2026-03-01\nexpires = 2026-03-31\n");
    REQUIRE(repo.run("git add -A").status == 0);
    const auto late = repo.run("VIGIL_NOW=2026-04-01 git commit -q -m pay");
    CHECK(late.status == 1);
    CHECK(late.err.find("waiver 'PAY-12'") != std::string::npos);
    CHECK(late.err.find("erin@example.com") != std::string::npos);
    CHECK(late.err.find("expired on 2026-03-31") != std::string::npos);
    CHECK(repo.run("VIGIL_NOW=2026-03-31 git commit -q -m pay").status == 0);
    // A second key on the same line is not covered by the first key's waiver.
    repo.write("pay.env", "A=" + fake_github_pat(3) + " B=" + fake_github_pat(4) + "\n");
    CHECK(repo.run("git add -A && VIGIL_NOW=2026-03-15 git commit -q -m two").status == 1);
  }

  TEST_CASE("governance: vigil waivers check reports stale, expired and expiring waivers, and exit 1") {
    TempRepo repo;
    repo.write("pay.env", secret_line(5));
    const std::string waivers =
        "[[waivers]]\nid = \"LIVE\"\nrule = \"github.pat\"\npath = \"pay.env\"\nowner = \"a@example.com\"\n"
        "reason = \"r\"\nexpires = 2026-06-30\n"
        "[[waivers]]\nid = \"GONE\"\nrule = \"github.pat\"\npath = \"old/*.env\"\nowner = \"b@example.com\"\n"
        "reason = \"r\"\nexpires = 2026-06-30\n"
        "[[waivers]]\nid = \"SOON\"\nrule = \"github.pat\"\npath = \"*.env\"\nowner = \"c@example.com\"\n"
        "reason = \"r\"\nexpires = 2026-03-05\n"
        "[[waivers]]\nid = \"OLD\"\nrule = \"github.pat\"\npath = \"pay.env\"\nowner = \"d@example.com\"\n"
        "reason = \"r\"\nexpires = 2026-02-01\n";
    repo.write(".vigil.toml", waivers);
    REQUIRE(repo.run("git add -A").status == 0);
    const auto r = repo.run("VIGIL_NOW=2026-03-01 $VIGIL waivers check --within 7 --format json");
    CHECK(r.status == 1);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["waivers"].size() == 4);
    CHECK(j["waivers"][0]["state"] == "ok");
    CHECK(j["waivers"][1]["state"] == "stale");
    CHECK(j["waivers"][2]["state"] == "expiring");
    CHECK(j["waivers"][3]["state"] == "expired");
    CHECK(j["problems"] == 3);
    // Healthy waivers pass the check; list never fails on hygiene.
    repo.write(".vigil.toml", waivers.substr(0, waivers.find("[[waivers]]\nid = \"GONE\"")));
    CHECK(repo.run("VIGIL_NOW=2026-03-01 $VIGIL waivers check").status == 0);
    repo.write(".vigil.toml", waivers);
    const auto list = repo.run("VIGIL_NOW=2026-03-01 $VIGIL waivers list");
    CHECK(list.status == 0);
    CHECK(list.out.find("expired") != std::string::npos);
    // A waiver without an owner is a config error naming file and line: the gate exits 2.
    repo.write(".vigil.toml", "\n[[waivers]]\nrule = \"github.pat\"\npath = \"x\"\nreason = \"r\"\nexpires = 2026-06-30\n");
    const auto bad = repo.run("$VIGIL scan pay.env");
    CHECK(bad.status == 2);
    CHECK(bad.err.find(".vigil.toml:2:") != std::string::npos);
    CHECK(repo.run("$VIGIL waivers check --no-scan").status == 1);
  }

  TEST_CASE("governance: VIGIL_SKIP with a reason lets a commit through, recorded in the audit log and the report") {
    TempRepo repo;
    REQUIRE(repo.run("git config user.email dev@example.com").status == 0);
    repo.write("README.md", "hi\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    repo.write("a.env", secret_line(7));
    REQUIRE(repo.run("git add -A").status == 0);
    const auto no_reason = repo.run("VIGIL_SKIP=github.pat git commit -q -m a");
    CHECK(no_reason.status == 1);
    CHECK(no_reason.err.find("VIGIL_SKIP_REASON") != std::string::npos);
    const auto ok = repo.run("VIGIL_SKIP=github.pat VIGIL_SKIP_REASON='test fixture, INC-9' git commit -q -m a");
    CHECK(ok.status == 0);
    CHECK(ok.err.find("(bypassed)") != std::string::npos);
    CHECK(ok.err.find("dev@example.com") != std::string::npos);
    CHECK(repo.run("$VIGIL audit verify").status == 0);
    const auto rep = repo.run("$VIGIL report --format json");
    REQUIRE(rep.status == 0);
    const auto j = nlohmann::json::parse(rep.out);
    REQUIRE(j["bypasses"].size() == 1);
    CHECK(j["bypasses"][0]["by"] == "dev@example.com");
    CHECK(j["bypasses"][0]["reason"] == "test fixture, INC-9");
    CHECK(j["bypasses"][0]["via"] == "VIGIL_SKIP");
    CHECK(j["bypasses"][0]["rules"][0] == "github.pat");
    CHECK(j["rules_versions"].size() == 1);
    CHECK(j["logs"][0]["integrity"] == "intact");
    // The policy can switch skips off.
    repo.write(".vigil.toml", "[settings]\nallow_skip = false\n");
    repo.write("b.env", secret_line(8));
    REQUIRE(repo.run("git add -A").status == 0);
    const auto refused = repo.run("VIGIL_SKIP=github.pat VIGIL_SKIP_REASON=x git commit -q -m b");
    CHECK(refused.status == 1);
    CHECK(refused.err.find("allow_skip") != std::string::npos);
  }

  TEST_CASE("governance: vigil report numbers match a known audit log") {
    TempDir dir;
    const auto r = sh(dir.path(), "$VIGIL report --since 2026-03-01 --until 2026-03-05 --format json " + fixture());
    REQUIRE(r.status == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["gate_runs"]["total"] == 13);
    CHECK(j["gate_runs"]["passed"] == 6);
    CHECK(j["gate_runs"]["blocked"] == 5);
    CHECK(j["gate_runs"]["bypassed"] == 2);
    CHECK(j["pass_rate"].get<double>() == doctest::Approx(6.0 / 13.0));
    CHECK(j["blocks_by_rule"]["github.pat"] == 2);
    CHECK(j["blocks_by_rule"]["aws.access-key-id"] == 1);
    CHECK(j["blocks_by_rule"]["stripe.secret-key"] == 2);
    CHECK(j["blocks_by_severity"]["critical"] == 4);
    CHECK(j["blocks_by_severity"]["high"] == 1);
    CHECK(j["bypasses"].size() == 2);
    CHECK(j["bypasses"][0]["reason"] == "INC-42 hotfix, key already rotated");
    CHECK(j["bypasses"][0]["via"] == "push option");
    CHECK(j["bypasses"][1]["via"] == "VIGIL_SKIP");
    CHECK(j["waivers"]["waived_findings"] == 1);
    CHECK(j["waivers"]["inline_allows"] == 1);
    CHECK(j["waivers"]["expired_waiver_hits"] == 1);
    CHECK(j["findings_by_repo"]["/srv/git/payments.git"] == 6);
    CHECK(j["findings_by_repo"]["/srv/git/web.git"] == 3);
    CHECK(j["time_to_fix"]["resolved"] == 2);
    CHECK(j["time_to_fix"]["median_seconds"].get<double>() == doctest::Approx(2700));
    CHECK(j["time_to_fix"]["resolved_by_bypass"] == 1);
    CHECK(j["time_to_fix"]["unresolved"] == 1);
    CHECK(j["controls"]["iso27001:A.8.25"]["gate_runs"] == 13);
    CHECK(j["controls"]["iso27001:A.8.32"]["gate_runs"] == 12);
    CHECK(j["controls"]["iso27001:A.5.17"]["findings"] == 10);
    CHECK(j["controls"]["iso27001:A.5.17"]["blocks"] == 5);
    CHECK(j["rules_versions"]["aaaa11112222"] == 10);
    CHECK(j["rules_versions"]["bbbb33334444"] == 3);
    CHECK(j["logs"][0]["integrity"] == "not chained");
    // Without a window, the February block counts too, and alice's wait spans nine days.
    const auto all = nlohmann::json::parse(sh(dir.path(), "$VIGIL report --format json " + fixture()).out);
    CHECK(all["gate_runs"]["total"] == 14);
    CHECK(all["time_to_fix"]["resolved"] == 3);
    const auto text = sh(dir.path(), "$VIGIL report --since 2026-03-01 --until 2026-03-05 " + fixture());
    CHECK(text.out.find("pass rate: 46.2%") != std::string::npos);
    CHECK(text.out.find("median 45m 00s over 2 fixed") != std::string::npos);
    CHECK(sh(dir.path(), "$VIGIL report --since 2026-13-01 " + fixture()).status == 2);
  }

  TEST_CASE("governance: the HTML report is self-contained and renders in headless Chromium") {
    TempDir dir;
    const std::string html = dir.path() + "/report.html";
    REQUIRE(sh(dir.path(), "$VIGIL report --since 2026-03-01 --until 2026-03-05 -f html -o " + html + " " + fixture()).status == 0);
    const std::string page = dir.read("report.html");
    CHECK(page.find("<svg id=\"chart-days\"") != std::string::npos);
    CHECK(page.find("<script") == std::string::npos);
    CHECK(page.find("http://") == std::string::npos);  // no external resource (the SVG namespace is implicit in HTML)
    CHECK(page.find("https://") == std::string::npos);
    REQUIRE_MESSAGE(sh(dir.path(), "command -v chromium").status == 0, "chromium is missing: run .ci/setup-deps");
    const std::string flags = "--headless --no-sandbox --disable-gpu --disable-background-networking "
                              "--disable-component-update --disable-sync --no-first-run --user-data-dir=" +
                              dir.path() + "/profile --window-size=1200,900 ";
    const auto dom = sh(dir.path(), "chromium " + flags + "--dump-dom file://" + html + " 2>/dev/null");
    REQUIRE(dom.status == 0);
    CHECK(dom.out.find("id=\"pass-rate\">46.2%<") != std::string::npos);
    CHECK(dom.out.find("id=\"bypass-count\">2<") != std::string::npos);
    const auto shot = sh(dir.path(), "chromium " + flags + "--screenshot=" + dir.path() + "/shot.png file://" + html);
    REQUIRE(shot.status == 0);
    std::error_code ec;
    const auto size = std::filesystem::file_size(dir.path() + "/shot.png", ec);
    CHECK(!ec);
    CHECK(size > 20000);  // a blank 1200x900 page compresses to a few KB; charts and tables do not
    const std::string png = dir.read("shot.png");
    CHECK(png.compare(1, 3, "PNG") == 0);
  }
}
