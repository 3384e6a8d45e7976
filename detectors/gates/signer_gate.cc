// SignerGate (see signer_gate.h).
#include "detectors/gates/signer_gate.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

#include "detectors/gates/group_approval.h"
#include "detectors/git/commit_diff.h"
#include "detectors/git/refs.h"
#include "detectors/policy/file_policy.h"
#include "detectors/policy/policy_action.h"

namespace vigil {

namespace {

/// A protected path one commit changes, with the change types that made it count.
struct Hit {
  std::string path;
  unsigned types = 0;
};

const char* type_name(unsigned t) {
  if (t & kOnAdd) return "added";
  if (t & kOnDelete) return "deleted";
  if (t & kOnRename) return "renamed";
  if (t & kOnMode) return "mode changed";
  return "modified";
}

/// The first path of `changes` the rule protects, or nullopt. A rename is a delete (and rename) at
/// its old path and an add (and whatever else) at its new one.
std::optional<Hit> first_hit(const SignerRule& r, const std::vector<git::FileChange>& changes) {
  for (const auto& c : changes) {
    unsigned at_new = change_types(c);
    if (!c.old_path.empty()) at_new |= kOnAdd;
    if ((at_new & r.on) && signer_rule_matches_path(r, c.path)) return Hit{c.path, at_new & r.on};
    if (!c.old_path.empty()) {
      const unsigned at_old = kOnRename | kOnDelete;
      if ((at_old & r.on) && signer_rule_matches_path(r, c.old_path)) return Hit{c.old_path, at_old & r.on};
    }
  }
  return std::nullopt;
}

/// What a commit itself changes: against its parent, or for a merge, the paths it changes against
/// every parent (what no parent brought: conflict resolutions and edits made in the merge).
Result<std::vector<git::FileChange>> own_changes(const git::Repo& repo, const std::string& commit) {
  auto parents = git::commit_parents(repo, commit);
  if (!parents) return parents.error();
  auto first = git::diff_commits(repo, parents->empty() ? std::string() : parents->front(), commit);
  if (!first || parents->size() < 2) return first;
  std::vector<git::FileChange> out = std::move(*first);
  for (std::size_t i = 1; i < parents->size(); ++i) {
    auto other = git::diff_commits(repo, (*parents)[i], commit);
    if (!other) return other.error();
    std::set<std::string> changed;
    for (const auto& c : *other) {
      changed.insert(c.path);
      if (!c.old_path.empty()) changed.insert(c.old_path);
    }
    out.erase(std::remove_if(out.begin(), out.end(),
                             [&](const git::FileChange& c) {
                               return !changed.count(c.path) && (c.old_path.empty() || !changed.count(c.old_path));
                             }),
              out.end());
  }
  return out;
}

std::string how_to_approve(const SignerRule& r, const std::string& ref, bool policy) {
  std::string s = "sign the commit with the key of a member (`git commit --amend --no-edit -S`, or "
                  "`git rebase --exec 'git commit --amend --no-edit -S' <base>`)";
  if (r.approval == SignerApproval::Merge) {
    s += fmt::format(", or push it to another branch and have a member who did not write it merge it onto {} with a "
                     "signed merge commit (`git merge --no-ff -S <branch>`)",
                     ref);
  }
  if (policy) {
    s += "; the policy group and its keys are read from the current policy, never from the push, so a push cannot "
         "add its own key or membership";
  }
  return s;
}

}  // namespace

std::vector<SignerRule> active_signer_rules(const Config& cfg) {
  std::vector<SignerRule> rules = cfg.signers.rules;
  if (find_group(cfg.signers, kPolicyGroup) || !cfg.server.trust_root.empty()) {
    // The trusted key files are policy wherever [signatures] puts them.
    SignerRule p = policy_signer_rule();
    for (const auto& g : trusted_key_globs(cfg.signatures)) {
      if (std::find(p.globs.begin(), p.globs.end(), g) == p.globs.end()) p.globs.push_back(g);
    }
    rules.push_back(std::move(p));
  }
  return rules;
}

Result<std::vector<Finding>> signer_findings(const git::Repo& repo, const Config& cfg, const PerRefInput& in) {
  std::vector<Finding> out;
  const auto rules = active_signer_rules(cfg);
  if (rules.empty()) return out;
  std::optional<GroupApprovals> approvals;  // built on first need: keys are loaded only then
  if (!cfg.server.trust_root.empty()) {
    // A trust root the server cannot read is a broken floor: say so on every push, not only on the
    // first one that changes the policy.
    auto a = GroupApprovals::build(repo, cfg, in.trust_rev);
    if (!a) return a.error();
    approvals.emplace(std::move(*a));
  }
  std::map<std::string, std::vector<git::FileChange>> changes_of;
  std::set<std::string> reported;  // commit + rule id
  // What each covered ref newly reaches, per distinct `refs` list (rules that share one share the
  // walks): one walk per updated ref, one for all the refs the push creates.
  std::map<std::string, std::vector<RefReach>> reaches;
  const auto reaches_for = [&](const SignerRule& r) -> Result<const std::vector<RefReach>*> {
    const std::string key = fmt::format("{}", fmt::join(r.refs, "\n"));
    if (auto it = reaches.find(key); it != reaches.end()) return &it->second;
    const auto covered = [&r](std::string_view ref) { return signer_rule_applies_to_ref(r, ref); };
    std::vector<RefReach> walks;
    std::vector<std::string> created;
    std::string created_refs;
    for (const auto& u : *in.updates) {
      if (git::is_zero_oid(u.new_oid) || !covered(u.ref)) continue;
      if (git::is_zero_oid(u.old_oid) || git::object_type(repo, u.old_oid).empty()) {
        created.push_back(u.new_oid);
        if (created.size() <= 3) created_refs += (created_refs.empty() ? "" : ", ") + u.ref;
        continue;
      }
      auto reach = RefReach::of(repo, u, *in.before, covered);
      if (!reach) return reach.error();
      walks.push_back(std::move(*reach));
    }
    if (created.size() > 3) created_refs += fmt::format(" and {} other new refs", created.size() - 3);
    if (!created.empty()) {
      auto reach = RefReach::of_created(repo, created, created_refs, *in.before, covered);
      if (!reach) return reach.error();
      walks.push_back(std::move(*reach));
    }
    return &reaches.emplace(key, std::move(walks)).first->second;
  };
  for (const auto& r : rules) {
    auto rule_reaches = reaches_for(r);
    if (!rule_reaches) return rule_reaches.error();
    for (const auto& reach : **rule_reaches) {
      for (const auto& c : reach.commits()) {
        if (reported.count(c + '\0' + r.id)) continue;
        auto it = changes_of.find(c);
        if (it == changes_of.end()) {
          auto ch = own_changes(repo, c);
          if (!ch) return ch.error();
          it = changes_of.emplace(c, std::move(*ch)).first;
        }
        const auto hit = first_hit(r, it->second);
        if (!hit) continue;
        if (!approvals) {
          auto a = GroupApprovals::build(repo, cfg, in.trust_rev);
          if (!a) return a.error();
          approvals.emplace(std::move(*a));
        }
        auto verdict = approvals->approve(c, r.group, reach, true, r.approval == SignerApproval::Merge);
        if (!verdict) return verdict.error();
        if (verdict->approved) continue;
        reported.insert(c + '\0' + r.id);
        const bool policy = r.id == kPolicyRuleId;
        const auto members = approvals->members(r.group);
        std::string who = members.empty() ? std::string("nobody: the group is not defined")
                                          : fmt::format("{}", fmt::join(members, ", "));
        if (policy && !cfg.server.trust_root.empty()) who += (members.empty() ? "; " : ", ") + std::string("or a server trust root");
        auto f = policy_finding(
            r.id, policy ? "Trust policy changed without a policy member's signature" : "Protected path changed without a member's approval",
            hit->path, PolicyAction::Block, cfg.settings.mode,
            fmt::format("'{}' ({}) is protected by signer group '{}' (may sign: {}); {}", hit->path, type_name(hit->types),
                        r.group, who, verdict->why_not),
            fmt::format("{} — to get it approved, {}", r.reason, how_to_approve(r, reach.ref(), policy)));
        f.commit = c;
        f.tags.push_back("signers");
        f.fingerprint = fingerprint(r.id, c + ":" + hit->path);
        out.push_back(std::move(f));
      }
    }
  }
  return out;
}

}  // namespace vigil
