#include "detectors/policy/ref_policy.h"

#include <fmt/format.h>

#include <algorithm>

#include "detectors/util/glob.h"

namespace vigil {

bool ref_glob_match(std::string_view pattern, std::string_view ref) {
  if (pattern.empty() || !glob_match(pattern, ref)) return false;
  if (pattern.find("**") != std::string_view::npos) return true;
  // glob_match also accepts a directory prefix of the path (gitignore); refs must match whole.
  const auto want = std::count(pattern.begin(), pattern.end(), '/') - (pattern.front() == '/' ? 1 : 0);
  return std::count(ref.begin(), ref.end(), '/') == want;
}

namespace {

const ProtectedRef* own_protected_ref(const RefPolicy& policy, std::string_view ref) {
  for (const auto& p : policy.protected_refs) {
    if (ref_glob_match(p.pattern, ref)) return &p;
  }
  return nullptr;
}

void check_one(const RefPolicy& p, const RefChange& c, Mode mode, std::vector<Finding>& out) {
  if (p.action == PolicyAction::Off) return;
  auto add = [&](std::string_view id, std::string_view name, std::string problem, std::string_view why) {
    out.push_back(policy_finding(id, name, c.ref, p.action, mode, std::move(problem),
                                 p.reason.empty() ? std::string(why) : p.reason));
  };
  if (const auto* prot = own_protected_ref(p, c.ref)) {
    if (c.deleted && prot->no_delete) {
      add("refs.protected-delete", "protected ref deletion",
          fmt::format("deletes {}, which is protected by '{}'", c.ref, prot->pattern),
          "protected refs are never deleted by a push");
    } else if (!c.created && !c.deleted && c.ref.rfind("refs/tags/", 0) == 0 && prot->no_force_push) {
      // Any update of an existing tag is a move, fast-forward or not, lightweight or annotated.
      add("refs.protected-tag-move", "protected tag move",
          fmt::format("moves {}, which is protected by '{}': a protected tag can be created, never moved", c.ref,
                      prot->pattern),
          "a released tag names one commit for good; tag the new commit under a new name");
    } else if (c.forced && !c.deleted && prot->no_force_push) {
      add("refs.protected-force-push", "protected ref force-push",
          fmt::format("force-pushes {} (the old tip is not an ancestor of the new one), which is protected by '{}'",
                      c.ref, prot->pattern),
          "rewriting a protected ref loses other people's commits; revert instead");
    }
  }
  if (c.created && !c.deleted) {
    constexpr std::string_view kHeads = "refs/heads/", kTags = "refs/tags/";
    const std::string_view ref = c.ref;
    if (p.branch_name && ref.rfind(kHeads, 0) == 0 && !p.branch_name->search(ref.substr(kHeads.size()))) {
      add("refs.branch-name", "branch name",
          fmt::format("branch name '{}' does not match {}", ref.substr(kHeads.size()), p.branch_name->pattern()),
          "the project's branch naming convention");
    }
    if (p.tag_name && ref.rfind(kTags, 0) == 0 && !p.tag_name->search(ref.substr(kTags.size()))) {
      add("refs.tag-name", "tag name",
          fmt::format("tag name '{}' does not match {}", ref.substr(kTags.size()), p.tag_name->pattern()),
          "the project's tag naming convention");
    }
  }
}

}  // namespace

const ProtectedRef* find_protected_ref(const RefPolicy& policy, std::string_view ref) {
  if (const auto* p = own_protected_ref(policy, ref)) return p;
  for (const auto& a : policy.added) {
    if (const auto* p = find_protected_ref(a, ref)) return p;
  }
  return nullptr;
}

std::vector<Finding> check_ref_change(const RefPolicy& p, const RefChange& c, Mode mode) {
  std::vector<Finding> out;
  check_one(p, c, mode, out);
  for (const auto& a : p.added) {
    for (auto& f : check_ref_change(a, c, mode)) out.push_back(std::move(f));
  }
  return out;
}

}  // namespace vigil
