#include "detectors/gates/ai_approval.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "detectors/git/commit_info.h"
#include "detectors/git/refs.h"
#include "detectors/git/signature_extract.h"
#include "detectors/policy/ai_policy.h"

namespace vigil {

namespace {

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool contains(const std::vector<std::string>& list, std::string_view s) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& x) { return ieq(x, s); });
}

// A good signature by a group member who is human: not an AI identity and not `not_by` (the
// change's author, for approvals by merge). `detail` says why a signature did not count.
bool human_member_signed(const AiPolicy& ai, const SignatureVerdict& v, const std::vector<std::string>& members,
                         std::string_view not_by, std::string& who, std::string& detail) {
  if (v.status != SignatureStatus::Good) {
    detail = v.detail;
    return false;
  }
  for (const auto& id : v.identities) {
    if (is_ai_identity(ai, "", id)) {
      detail = fmt::format("signed by {}, an AI identity: an AI cannot approve an AI-assisted change", id);
      return false;
    }
  }
  for (const auto& id : v.identities) {
    if (!contains(members, id)) continue;
    if (!not_by.empty() && ieq(id, not_by)) {
      detail = fmt::format("signed by {}, the change's own author: approval needs a second person", id);
      return false;
    }
    who = id;
    return true;
  }
  detail = fmt::format("signed by {}, who is not a member", v.identities.empty() ? v.signer : v.identities.front());
  return false;
}

}  // namespace

Result<const TrustStore*> TrustCache::get() {
  if (store_) return &*store_;
  auto keys = load_trusted_keys(repo_, rev_, sig_);
  if (!keys) return keys.error();
  auto built = TrustStore::build(*keys);
  if (!built) return built.error();
  store_ = std::make_unique<TrustStore>(std::move(*built));
  return &*store_;
}

Result<AiApproval> ai_approval(const git::Repo& repo, const Config& cfg, TrustCache& trust, const ApprovalQuery& q,
                               const std::vector<std::pair<std::string, std::string>>& reached) {
  AiApproval a;
  a.how = fmt::format("a human member of '{}' signs the commit, or signs the merge that brings it onto {} "
                      "(git merge --no-ff -S); AI identities and the change's author do not count for a merge",
                      q.group, q.ref);
  const auto members = signer_group_members(cfg, q.group);
  if (!members) {
    a.why = fmt::format(" (no signer group '{}' is defined: add [signers.{}] members = [...])", q.group, q.group);
    return a;
  }
  auto store = trust.get();
  if (!store) return store.error();
  std::vector<std::string> tried;
  // 1. The commit itself, signed by a human member (the person who takes responsibility for it).
  auto obj = git::extract_commit_signature(repo, q.commit);
  if (!obj) return obj.error();
  std::string who, detail;
  if (obj->is_signed()) {
    if (human_member_signed(cfg.ai, (*store)->verify(*obj, false), *members, "", who, detail)) {
      a.approved = true;
      a.how = "signed by " + who;
      return a;
    }
    tried.push_back("its own signature: " + detail);
  } else {
    tried.push_back("it is not signed");
  }
  // 2. A signed merge on the same ref that brings it in from its second (or later) parent.
  const auto author_email = split_identity(q.author).second;
  for (const auto& [m, ref] : reached) {
    if (ref != q.ref || m == q.commit) continue;
    auto info = git::read_commit_info(repo, m);
    if (!info) return info.error();
    if (info->parent_count < 2 || !git::is_ancestor(repo, q.commit, m)) continue;
    const auto first = repo.resolve(m + "^1");
    if (first && git::is_ancestor(repo, q.commit, *first)) continue;  // already on the branch side
    auto mobj = git::extract_commit_signature(repo, m);
    if (!mobj) return mobj.error();
    if (!mobj->is_signed()) {
      tried.push_back(fmt::format("merge {} is not signed", m.substr(0, 12)));
      continue;
    }
    if (human_member_signed(cfg.ai, (*store)->verify(*mobj, true), *members, author_email, who, detail)) {
      a.approved = true;
      a.how = fmt::format("approved by {} in merge {}", who, m.substr(0, 12));
      return a;
    }
    tried.push_back(fmt::format("merge {}: {}", m.substr(0, 12), detail));
  }
  std::string joined;
  for (const auto& t : tried) joined += (joined.empty() ? "" : "; ") + t;
  a.why = " (" + joined + ")";
  return a;
}

// The groups of [signers.<group>] (detectors/policy/signer_policy.h); an undefined group approves
// nothing (fail closed), and the message says which group to define.
std::optional<std::vector<std::string>> signer_group_members(const Config& cfg, const std::string& group) {
  const SignerGroup* g = find_group(cfg.signers, group);
  if (!g) return std::nullopt;
  return g->members;
}

}  // namespace vigil
