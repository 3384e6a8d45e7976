#include "detectors/gates/push_gate.h"

#include <fmt/format.h>

#include <cstdlib>
#include <sstream>

#include "detectors/gates/blob_scan.h"
#include "detectors/gates/identity_gate.h"
#include "detectors/gates/per_ref.h"
#include "detectors/git/commit_walk.h"
#include "detectors/gates/policy_gate.h"
#include "detectors/gates/push_reach.h"
#include "detectors/git/push_paths.h"
#include "detectors/gates/name_scan.h"
#include "detectors/git/refs.h"
#include "detectors/policy/file_policy.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

bool is_hex_oid(std::string_view s) {
  return (s.size() == 40 || s.size() == 64) && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::vector<std::vector<std::string_view>> split_lines(std::string_view text) {
  std::vector<std::vector<std::string_view>> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    auto line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    if (line.empty()) continue;
    std::vector<std::string_view> fields;
    std::size_t f = 0;
    while (f <= line.size()) {
      auto sp = line.find(' ', f);
      if (sp == std::string_view::npos) sp = line.size();
      fields.push_back(line.substr(f, sp - f));
      f = sp + 1;
    }
    out.push_back(std::move(fields));
  }
  return out;
}

}  // namespace

const char* to_string(GateKind k) {
  switch (k) {
    case GateKind::PrePush: return "pre-push";
    case GateKind::PreReceive: return "pre-receive";
    case GateKind::Update: return "update";
  }
  return "pre-push";
}

Result<std::vector<RefUpdate>> parse_pre_push_input(std::string_view text) {
  std::vector<RefUpdate> out;
  std::size_t n = 0;
  for (const auto& f : split_lines(text)) {
    ++n;
    if (f.size() != 4 || !is_hex_oid(f[1]) || !is_hex_oid(f[3])) {
      return make_error(ErrorCode::Usage, fmt::format("pre-push input line {} is not '<local ref> <local oid> <remote ref> "
                                                      "<remote oid>' — is this hook run by git push?",
                                                      n));
    }
    out.push_back(RefUpdate{std::string(f[3]), std::string(f[1]), std::string(f[2])});
  }
  return out;
}

Result<std::vector<RefUpdate>> parse_pre_receive_input(std::string_view text) {
  std::vector<RefUpdate> out;
  std::size_t n = 0;
  for (const auto& f : split_lines(text)) {
    ++n;
    if (f.size() != 3 || !is_hex_oid(f[0]) || !is_hex_oid(f[1]) || f[2].rfind("refs/", 0) != 0) {
      return make_error(ErrorCode::Usage, fmt::format("pre-receive input line {} is not '<old oid> <new oid> <ref>' — is "
                                                      "this hook run by git receive-pack?",
                                                      n));
    }
    out.push_back(RefUpdate{std::string(f[0]), std::string(f[1]), std::string(f[2])});
  }
  return out;
}

Result<RefUpdate> parse_update_args(int argc, char** argv) {
  if (argc != 4 || !is_hex_oid(argv[2]) || !is_hex_oid(argv[3])) {
    return make_error(ErrorCode::Usage, "the update hook takes <ref name> <old oid> <new oid> — is it run by git receive-pack?");
  }
  return RefUpdate{argv[2], argv[3], argv[1]};
}

std::vector<std::string> push_options_from_env() {
  std::vector<std::string> out;
  const char* count = std::getenv("GIT_PUSH_OPTION_COUNT");
  if (!count) return out;
  const int n = std::atoi(count);
  for (int i = 0; i < n && i < 1000; ++i) {
    if (const char* v = std::getenv(fmt::format("GIT_PUSH_OPTION_{}", i).c_str())) out.emplace_back(v);
  }
  return out;
}

std::optional<std::string> bypass_option_reason(std::string_view option) {
  if (option.rfind("vigil.bypass", 0) != 0) return std::nullopt;
  const auto eq = option.find('=');
  return eq == std::string_view::npos ? std::string() : std::string(trim(option.substr(eq + 1)));
}

Result<PushVerdict> judge_push(const git::Repo& repo, const Engine& engine, const PushRequest& req) {
  PushVerdict verdict;
  auto& report = verdict.report;
  const auto& cfg = engine.config;

  git::WalkOptions wo;
  wo.track_lines = true;
  wo.keep_changes = true;
  wo.detect_renames = true;
  wo.max_blob_size = cfg.settings.max_file_size;
  for (const auto& u : req.updates) {
    const bool created = git::is_zero_oid(u.old_oid);
    const bool deleted = git::is_zero_oid(u.new_oid);
    RefChange rc;
    rc.ref = u.ref;
    rc.created = created;
    rc.deleted = deleted;
    if (!created && !deleted) {
      // A tag or any ref whose old target is not an ancestor of the new one is a force-push.
      const std::string old_type = git::object_type(repo, u.old_oid);
      rc.forced = old_type.empty() ? false : !git::is_ancestor(repo, u.old_oid, u.new_oid);
    }
    for (auto& f : ref_update_findings(cfg, rc)) report.findings.push_back(std::move(f));
    // pre-push: whatever the remote has (its old values, when this repository has them) is judged.
    if (req.kind == GateKind::PrePush && !created) wo.hide.push_back(u.old_oid);
    if (deleted) continue;
    wo.include.push_back(u.new_oid);
  }
  if (req.kind == GateKind::PrePush) {
    if (!req.remote.empty()) wo.hide_ref_globs.push_back("refs/remotes/" + req.remote + "/*");
  } else if (req.refs_before) {
    for (const auto& r : *req.refs_before) wo.hide.push_back(r.commit.empty() ? r.target : r.commit);
  } else {
    wo.hide_all_refs = true;  // in the quarantine, every existing ref still has its old value
  }
  if (wo.include.empty()) {
    // Only deletions: no commit to judge, but a push that must name its pusher still must.
    const std::vector<git::RefValue> none;
    PerRefInput pr{&req.updates, &none, "HEAD"};
    auto pushers = pusher_findings(repo, cfg, IdentityInput{pr, req.pusher, req.pusher_env});
    if (!pushers) return pushers.error();
    for (auto& f : *pushers) report.findings.push_back(std::move(f));
    return verdict;
  }

  auto walk = git::walk_commits(repo, wo, req.should_stop);
  if (!walk) return walk.error();
  verdict.commits = walk->commits.size();

  BlobScanOptions bo;
  bo.jobs = req.jobs;
  bo.open_repo = req.open_repo;
  bo.should_stop = req.should_stop;
  auto scanned = scan_walk_blobs(engine, *walk, bo, report);
  if (!scanned) return scanned.error();
  keep_first_introduction(report.findings, *walk);
  // Messages, identities, tags, and trees or blobs a ref names directly (push_reach.h).
  if (auto reach = judge_push_reach(repo, engine, req, *walk, report); !reach) return reach.error();

  // File and message policy, per new commit; the message rules scoped to refs are judged per ref
  // below (per_ref.h).
  const MessagePolicy messages = ref_independent_messages(cfg.messages);
  for (std::size_t i = 0; i < walk->commits.size(); ++i) {
    const auto& c = walk->commits[i];
    auto files = commit_file_findings(repo, cfg, c.id, walk->changes[i]);
    if (!files) return files.error();
    for (auto& f : *files) report.findings.push_back(std::move(f));
    auto msgs = commit_message_findings(repo, messages, cfg.settings.mode, c.id, "");
    if (!msgs) return msgs.error();
    for (auto& f : *msgs) report.findings.push_back(std::move(f));
  }

  // Signatures and ref-scoped message rules, on what each updated ref newly reaches. The trusted
  // keys come from the old tip (HEAD still names it while a push is in quarantine; on the laptop,
  // the remote's view when known), never from the pushed commits.
  auto before = req.refs_before ? Result<std::vector<git::RefValue>>(*req.refs_before)
                                : refs_before_push(repo, req.kind, req.remote);
  if (!before) return before.error();
  PerRefInput pr;
  pr.updates = &req.updates;
  pr.before = &*before;
  pr.trust_rev = req.trust_rev.empty() ? "HEAD" : req.trust_rev;
  if (req.kind == GateKind::PrePush && !req.remote.empty() && repo.resolve("refs/remotes/" + req.remote + "/HEAD")) {
    pr.trust_rev = "refs/remotes/" + req.remote + "/HEAD";
  }
  auto per_ref = per_ref_findings(repo, cfg, pr);
  if (!per_ref) return per_ref.error();
  for (auto& f : *per_ref) report.findings.push_back(std::move(f));
  // Who pushed and who (or what) wrote the commits, on the same per-ref sets (identity_gate.h).
  IdentityInput idin{pr, req.pusher, req.pusher_env};
  auto pushers = pusher_findings(repo, cfg, idin);
  if (!pushers) return pushers.error();
  for (auto& f : *pushers) report.findings.push_back(std::move(f));
  auto ai = ai_findings(repo, cfg, pr, verdict.ai);
  if (!ai) return ai.error();
  for (auto& f : *ai) report.findings.push_back(std::move(f));
  // A secret written in a new path or in a pushed ref's name is as public as one in a file.
  std::vector<JudgedName> names;
  for (std::size_t i = 0; i < walk->changes.size() && i < walk->commits.size(); ++i) {
    for (const auto& ch : walk->changes[i]) {
      if (ch.kind != git::ChangeKind::Deleted) names.push_back({ch.path, walk->commits[i].id, false});
    }
  }
  for (const auto& u : req.updates) {
    if (!git::is_zero_oid(u.new_oid)) names.push_back({u.ref, u.new_oid, true});
  }
  if (auto n = scan_names(engine, names, report.findings); !n) return n.error();
  // Policy findings quote subjects, paths and ref names: mask any secret written in them.
  if (auto m = mask_quoted_input(engine, report.findings); !m) return m.error();
  if (auto m = mask_names(engine, report.findings, report.skips); !m) return m.error();
  return verdict;
}

}  // namespace vigil
