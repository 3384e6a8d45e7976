// Baseline file: format, parse, and matching by fingerprint.
#include "detectors/policy/baseline.h"

#include <doctest/doctest.h>

#include <algorithm>

using namespace vigil;

namespace {

Finding finding(std::string rule, std::string secret, std::string path, std::size_t line,
                Disposition d = Disposition::Block) {
  Finding f;
  f.rule_id = rule;
  f.path = std::move(path);
  f.line = line;
  f.fingerprint = fingerprint(rule, secret);
  f.disposition = d;
  return f;
}

}  // namespace

TEST_CASE("a baseline is sorted, unique, and holds no line numbers or secrets") {
  std::vector<Finding> fs = {finding("github.pat", "secret-two", "b.env", 9), finding("github.pat", "secret-one", "./a.env", 3),
                             finding("github.pat", "secret-one", "./a.env", 3),
                             finding("aws.access-key", "secret-three", "dir with space/c.env", 1),
                             finding("github.pat", "allowed-one", "d.env", 1, Disposition::Allowed),
                             finding("github.pat", "waived-one", "e.env", 1, Disposition::Waived)};
  const auto text = format_baseline(baseline_from_findings(fs));
  CHECK(text.find("secret-one") == std::string::npos);
  CHECK(text.find("a.env:3") == std::string::npos);
  CHECK(text.find("d.env") == std::string::npos);  // allowed by policy: not recorded
  CHECK(text.find("e.env") == std::string::npos);  // waived: not recorded
  std::vector<std::string> entries;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    const auto line = text.substr(pos, nl - pos);
    if (line[0] != '#') entries.push_back(line);
    pos = nl + 1;
  }
  REQUIRE(entries.size() == 3);
  CHECK(std::is_sorted(entries.begin(), entries.end()));
  CHECK(std::count_if(entries.begin(), entries.end(), [](const std::string& e) {
          return e.size() > 6 && e.compare(e.size() - 6, 6, " a.env") == 0;  // "./" is not recorded
        }) == 1);
  for (const auto& e : entries) CHECK(std::count(e.begin(), e.end(), ' ') == (e.find("dir with space") != std::string::npos ? 4 : 2));
  // Reversed input order gives the same bytes.
  std::reverse(fs.begin(), fs.end());
  CHECK(format_baseline(baseline_from_findings(fs)) == text);
}

TEST_CASE("a baseline parses back to the same entries, in any order") {
  std::vector<Finding> fs = {finding("github.pat", "s1", "x/y.env", 1), finding("generic.secret", "s2", "odd\npath\\\tname", 2)};
  const auto b = baseline_from_findings(fs);
  const auto text = format_baseline(b);
  auto parsed = parse_baseline(text, ".vigil-baseline");
  REQUIRE(parsed.ok());
  CHECK(parsed->entries == b.entries);
  CHECK(parsed->contains(fingerprint("generic.secret", "s2")));
  // A union merge can leave lines unsorted and doubled: still the same baseline.
  std::string shuffled = "# comment\n\n";
  for (auto it = b.entries.rbegin(); it != b.entries.rend(); ++it) {
    const auto one = format_baseline(Baseline{{*it}, {}});
    shuffled += one.substr(one.rfind('\n', one.size() - 2) + 1);
  }
  shuffled += shuffled.substr(shuffled.rfind('\n', shuffled.size() - 2) + 1);
  auto again = parse_baseline(shuffled, "f");
  REQUIRE(again.ok());
  CHECK(again->entries == b.entries);
}

TEST_CASE("a malformed baseline line is an error naming file and line") {
  const std::string good = format_baseline(baseline_from_findings({finding("github.pat", "s", "a", 1)}));
  for (const std::string bad : {"garbage\n", "github.pat:0123 github.pat a\n", "github.pat:0123456789abcdef01234567 github.pat\n",
                                "github.pat:0123456789abcdef01234567 other.rule a\n",
                                "github.pat:0123456789abcdef01234567 github.pat bad\\q\n"}) {
    INFO(bad);
    auto r = parse_baseline(good + bad, "base.txt");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("baseline base.txt:4:") == 0);
    CHECK(r.error().message.find('\n') == std::string::npos);
    CHECK(r.error().message.find("vigil baseline create") != std::string::npos);
  }
}

TEST_CASE("apply_baseline marks known fingerprints wherever they moved, and nothing else") {
  const auto b = baseline_from_findings({finding("github.pat", "old", "a.env", 3)});
  std::vector<Finding> now = {finding("github.pat", "old", "renamed/a.env", 40), finding("github.pat", "new", "a.env", 3),
                              finding("github.pat", "old", "x.env", 1, Disposition::Allowed)};
  CHECK(apply_baseline(b, now) == 1);
  CHECK(now[0].disposition == Disposition::Baselined);
  CHECK(now[1].disposition == Disposition::Block);
  CHECK(now[2].disposition == Disposition::Allowed);  // policy's decision stands
}
