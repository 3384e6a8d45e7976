// GroupApproval (see group_approval.h).
#include "detectors/gates/group_approval.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "detectors/git/commit_diff.h"
#include "detectors/git/commit_info.h"
#include "detectors/git/refs.h"
#include "detectors/git/signature_extract.h"

namespace vigil {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

Result<RefReach> RefReach::of(const git::Repo& repo, const RefUpdate& u, const std::vector<git::RefValue>& before,
                              const std::function<bool(std::string_view)>& covered) {
  if (git::is_zero_oid(u.new_oid)) {
    RefReach r;
    r.ref_ = u.ref;
    return r;
  }
  if (git::is_zero_oid(u.old_oid) || git::object_type(repo, u.old_oid).empty()) {
    return of_created(repo, {u.new_oid}, u.ref, before, covered);
  }
  RefReach r;
  r.ref_ = u.ref;
  r.hide_.push_back(u.old_oid);
  auto commits = git::rev_list(repo, {u.new_oid}, r.hide_);
  if (!commits) return commits.error();
  r.commits_ = std::move(*commits);
  return r;
}

Result<RefReach> RefReach::of_created(const git::Repo& repo, const std::vector<std::string>& tips, std::string ref,
                                      const std::vector<git::RefValue>& before,
                                      const std::function<bool(std::string_view)>& covered) {
  RefReach r;
  r.ref_ = std::move(ref);
  r.created_ = true;
  // What the covered refs already hold was judged under the same rule when it landed.
  for (const auto& b : before) {
    if (!b.commit.empty() && covered(b.name)) r.hide_.push_back(b.commit);
  }
  if (tips.empty()) return r;
  auto commits = git::rev_list(repo, tips, r.hide_);
  if (!commits) return commits.error();
  r.commits_ = std::move(*commits);
  return r;
}

bool RefReach::contains(const std::string& commit) const { return vigil::contains(commits_, commit); }

GroupApprovals::GroupApprovals(const git::Repo& repo, const Config& cfg, TrustStore trust, TrustRoots roots)
    : repo_(&repo), cfg_(&cfg), trust_(std::move(trust)), roots_(std::move(roots)) {}

Result<GroupApprovals> GroupApprovals::build(const git::Repo& repo, const Config& cfg, const std::string& trust_rev) {
  auto keys = load_trusted_keys(repo, trust_rev, cfg.signatures);
  if (!keys) return keys.error();
  auto trust = TrustStore::build(*keys);
  if (!trust) return trust.error();
  std::string base;
  if (!cfg.source.empty()) base = std::filesystem::path(cfg.source).parent_path().string();
  auto roots = TrustRoots::load(cfg.server.trust_root, base);
  if (!roots) return roots.error();
  return GroupApprovals(repo, cfg, std::move(*trust), std::move(*roots));
}

std::vector<std::string> GroupApprovals::members(std::string_view group) const {
  const SignerGroup* g = find_group(cfg_->signers, group);
  return g ? g->members : std::vector<std::string>{};
}

Result<SignatureVerdict> GroupApprovals::verdict(const std::string& commit) {
  if (auto it = verdicts_.find(commit); it != verdicts_.end()) return it->second;
  auto obj = git::extract_commit_signature(*repo_, commit);
  if (!obj) return obj.error();
  // The committer's own key first: for SSH that is one in-process check, where asking for every
  // principal of the key costs two ssh-keygen processes. full_verdict() asks when it matters.
  SignatureVerdict v = trust_.verify(*obj, true);
  for (auto& i : v.identities) i = lower(i);
  if (obj->is_signed() && !roots_.empty()) root_signers_[commit] = roots_.signer(*obj);
  return verdicts_.emplace(commit, std::move(v)).first->second;
}

Result<SignatureVerdict> GroupApprovals::full_verdict(const std::string& commit) {
  if (auto it = full_verdicts_.find(commit); it != full_verdicts_.end()) return it->second;
  auto quick = verdict(commit);
  if (!quick) return quick.error();
  SignatureVerdict v = *quick;
  // Good for the committer: the key may be bound to other principals too; signed by someone other
  // than the committer: who, then.
  if (v.status == SignatureStatus::IdentityMismatch ||
      (v.status == SignatureStatus::Good && v.format == SignatureFormat::Ssh)) {
    auto obj = git::extract_commit_signature(*repo_, commit);
    if (!obj) return obj.error();
    SignatureVerdict all = trust_.verify(*obj, false);
    if (all.status == SignatureStatus::Good) {
      for (auto& i : all.identities) i = lower(i);
      for (const auto& i : v.identities) {
        if (!contains(all.identities, i)) all.identities.push_back(i);
      }
      v = std::move(all);
    }
  }
  return full_verdicts_.emplace(commit, std::move(v)).first->second;
}

Result<std::optional<std::string>> GroupApprovals::member_signature(const std::string& commit, std::string_view group) {
  const auto members_of = members(group);
  const auto member_in = [&](const SignatureVerdict& v) -> std::optional<std::string> {
    if (v.status != SignatureStatus::Good) return std::nullopt;
    for (const auto& m : members_of) {
      if (contains(v.identities, m)) return m;
    }
    return std::nullopt;
  };
  auto v = verdict(commit);
  if (!v) return v.error();
  if (auto m = member_in(*v)) return m;
  if (v->status == SignatureStatus::Good || v->status == SignatureStatus::IdentityMismatch) {
    auto full = full_verdict(commit);
    if (!full) return full.error();
    if (auto m = member_in(*full)) return m;
  }
  if (group == kPolicyGroup) {
    if (auto it = root_signers_.find(commit); it != root_signers_.end() && it->second) {
      return std::optional<std::string>("trust root " + *it->second);
    }
  }
  return std::optional<std::string>();
}

Result<std::vector<std::string>> GroupApprovals::authors(const std::string& commit) {
  auto info = git::read_commit_info(*repo_, commit);
  if (!info) return info.error();
  std::vector<std::string> out = {lower(info->author_email), lower(info->committer_email)};
  auto v = full_verdict(commit);
  if (!v) return v.error();
  if (v->status == SignatureStatus::Good) {
    for (const auto& i : v->identities) {
      if (!contains(out, i)) out.push_back(i);
    }
  }
  return out;
}

Result<const std::vector<std::string>*> GroupApprovals::brought_by(const std::string& merge, const RefReach& reach) {
  const std::string key = merge + '\0' + reach.ref();
  if (auto it = brought_.find(key); it != brought_.end()) return &it->second;
  auto parents = git::commit_parents(*repo_, merge);
  if (!parents) return parents.error();
  std::vector<std::string> out;
  if (parents->size() > 1) {
    std::vector<std::string> hide = reach.hide_;
    hide.push_back(parents->front());
    auto commits = git::rev_list(*repo_, std::vector<std::string>(parents->begin() + 1, parents->end()), hide);
    if (!commits) return commits.error();
    out = std::move(*commits);
    std::sort(out.begin(), out.end());
  }
  return &brought_.emplace(key, std::move(out)).first->second;
}

Result<GroupApproval> GroupApprovals::approve(const std::string& commit, std::string_view group, const RefReach& reach,
                                              bool own_signature, bool by_merge) {
  GroupApproval a;
  if (own_signature) {
    auto m = member_signature(commit, group);
    if (!m) return m.error();
    if (*m) {
      a.approved = true;
      a.by = **m;
      a.via = commit;
      return a;
    }
  }
  auto v = full_verdict(commit);
  if (!v) return v.error();
  if (v->status == SignatureStatus::Good) {
    a.why_not = fmt::format("signed by {}, who is not a member of '{}'",
                            v->identities.empty() ? v->signer : fmt::format("{}", fmt::join(v->identities, ", ")), group);
  } else if (v->status == SignatureStatus::Unsigned) {
    a.why_not = "the commit is not signed";
  } else {
    a.why_not = fmt::format("its signature does not count: {} ({})", to_string(v->status), v->detail);
  }
  if (!by_merge) return a;
  std::vector<std::string> who;
  for (const auto& m : reach.commits()) {
    if (m == commit) continue;
    auto brought = brought_by(m, reach);
    if (!brought) return brought.error();
    if (!std::binary_search((*brought)->begin(), (*brought)->end(), commit)) continue;
    auto member = member_signature(m, group);
    if (!member) return member.error();
    if (!*member) continue;
    auto mine = authors(commit);
    if (!mine) return mine.error();
    auto merger = full_verdict(m);
    if (!merger) return merger.error();
    const bool self = std::any_of(merger->identities.begin(), merger->identities.end(),
                                  [&](const std::string& i) { return contains(*mine, i); });
    if (self) {
      who.push_back(**member);
      continue;
    }
    a.approved = true;
    a.by = **member;
    a.via = m;
    a.why_not.clear();
    return a;
  }
  if (!who.empty()) {
    a.why_not += fmt::format("; the merge bringing it is signed by {}, its own author (approval needs another member)",
                             fmt::join(who, ", "));
  } else {
    a.why_not += fmt::format("; no merge bringing it is signed by a member of '{}'", group);
  }
  return a;
}

}  // namespace vigil
