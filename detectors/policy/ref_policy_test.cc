// Ref policy: name patterns on creation, and protected refs against deletion and force-push.
#include "detectors/policy/ref_policy.h"

#include <doctest/doctest.h>

#include "detectors/policy/config.h"

using namespace vigil;

namespace {

RefPolicy refs(const std::string& toml) {
  auto c = parse_config("version = 1\n" + toml, ".vigil.toml");
  if (!c) FAIL(c.error().message);
  return c->refs;
}

std::vector<std::string> ids(const std::vector<Finding>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) out.push_back(f.rule_id);
  return out;
}

RefChange update(std::string ref, bool created = false, bool deleted = false, bool forced = false) {
  return RefChange{std::move(ref), created, deleted, forced};
}

}  // namespace

TEST_CASE("ref globs match whole refs") {
  CHECK(ref_glob_match("refs/heads/main", "refs/heads/main"));
  CHECK_FALSE(ref_glob_match("refs/heads/main", "refs/heads/main/x"));
  CHECK_FALSE(ref_glob_match("refs/heads/main", "refs/heads/mainline"));
  CHECK(ref_glob_match("refs/heads/release/*", "refs/heads/release/1.0"));
  CHECK_FALSE(ref_glob_match("refs/heads/release/*", "refs/heads/release/1.0/hotfix"));
  CHECK(ref_glob_match("refs/heads/release/**", "refs/heads/release/1.0/hotfix"));
}

TEST_CASE("protected refs: deletion and force-push are blocked, fast-forwards pass") {
  const auto p = refs("[refs]\nprotected = [\"refs/heads/main\", \"refs/heads/release/*\"]\n");
  CHECK(check_ref_change(p, update("refs/heads/main")).empty());
  CHECK(ids(check_ref_change(p, update("refs/heads/main", false, true))) ==
        std::vector<std::string>{"refs.protected-delete"});
  auto fs = check_ref_change(p, update("refs/heads/release/2.0", false, false, true));
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].rule_id == "refs.protected-force-push");
  CHECK(fs[0].path == "refs/heads/release/2.0");
  CHECK(check_ref_change(p, update("refs/heads/topic", false, true)).empty());
  CHECK(check_ref_change(p, update("refs/heads/topic", false, false, true)).empty());
}

TEST_CASE("per-pattern flags: a ref that may be force-pushed but not deleted") {
  const auto p = refs("[refs]\nprotected = [{ pattern = \"refs/heads/staging\", no_force_push = false }]\n");
  CHECK(check_ref_change(p, update("refs/heads/staging", false, false, true)).empty());
  CHECK(check_ref_change(p, update("refs/heads/staging", false, true)).size() == 1);
}

TEST_CASE("branch and tag names are judged on the short name when the ref is created") {
  const auto p = refs("[refs]\nbranch_name = '^(main|(feature|fix)/[a-z0-9._-]+)$'\ntag_name = '^v\\d+\\.\\d+\\.\\d+$'\n");
  CHECK(check_ref_change(p, update("refs/heads/feature/login", true)).empty());
  auto fs = check_ref_change(p, update("refs/heads/Johns-Branch", true));
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].rule_id == "refs.branch-name");
  CHECK(fs[0].excerpt == "branch name 'Johns-Branch' does not match ^(main|(feature|fix)/[a-z0-9._-]+)$");
  CHECK(check_ref_change(p, update("refs/heads/Johns-Branch")).empty());               // existing branch
  CHECK(check_ref_change(p, update("refs/heads/Johns-Branch", false, true)).empty());  // deleting it
  CHECK(check_ref_change(p, update("refs/tags/v1.2.3", true)).empty());
  CHECK(ids(check_ref_change(p, update("refs/tags/release-1", true))) == std::vector<std::string>{"refs.tag-name"});
  CHECK(check_ref_change(p, update("refs/notes/commits", true)).empty());
}

TEST_CASE("[refs] config errors name the rule and file:line") {
  auto err = [](const std::string& toml) {
    auto c = parse_config("version = 1\n" + toml, ".vigil.toml");
    REQUIRE_FALSE(c.ok());
    return c.error().message;
  };
  CHECK(err("[refs]\nbranch_name = '[a-z'\n").rfind(".vigil.toml:3:15: [refs] branch_name (rule refs.branch-name): invalid regex '[a-z' at offset 4:", 0) == 0);
  CHECK(err("[refs]\nprotected = [\"main\"]\n") ==
        ".vigil.toml:3:14: [refs] protected pattern 'main' must name full refs (did you mean 'refs/heads/main'?)");
  CHECK(err("[refs]\nprotected = [\"refs/heads/[x\"]\n") ==
        ".vigil.toml:3:14: [refs] protected: unclosed '[' in glob 'refs/heads/[x'");
}

TEST_CASE("protected tags: created, never moved, fast-forward or not; deletion stays its own rule") {
  const auto p = refs("[refs]\nprotected = [\"refs/tags/v*\"]\n");
  CHECK(check_ref_change(p, update("refs/tags/v1.0", true)).empty());
  auto fs = check_ref_change(p, update("refs/tags/v1.0"));  // a fast-forward move
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].rule_id == "refs.protected-tag-move");
  CHECK(fs[0].excerpt.find("can be created, never moved") != std::string::npos);
  CHECK(ids(check_ref_change(p, update("refs/tags/v1.0", false, false, true))) ==
        std::vector<std::string>{"refs.protected-tag-move"});
  CHECK(ids(check_ref_change(p, update("refs/tags/v1.0", false, true))) == std::vector<std::string>{"refs.protected-delete"});
  CHECK(check_ref_change(p, update("refs/tags/other")).empty());  // not protected
  // A pattern that allows rewriting allows moving.
  const auto loose = refs("[refs]\nprotected = [{ pattern = \"refs/tags/*\", no_force_push = false }]\n");
  CHECK(check_ref_change(loose, update("refs/tags/v1.0")).empty());
}
