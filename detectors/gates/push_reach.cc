#include "detectors/gates/push_reach.h"

#include <fmt/format.h>

#include <set>
#include <unordered_map>

#include "detectors/gates/blob_scan.h"
#include "detectors/git/ref_target.h"
#include "detectors/git/refs.h"
#include "detectors/policy/file_policy.h"

namespace vigil {

namespace {

// The [[files]] rules over `changes`, findings attributed to `attributed_to`.
Result<void> file_findings(const git::Repo& repo, const Engine& engine, const std::vector<git::FileChange>& changes,
                           const std::string& attributed_to, ScanReport& report) {
  FileCheckInput in;
  in.changes = &changes;
  in.read_blob = [&repo](const std::string& blob) { return repo.read_blob(blob); };
  in.mode = engine.config.settings.mode;
  in.commit = attributed_to;
  auto files = check_file_changes(engine.config.files, in);
  if (!files) return files.error();
  for (auto& f : *files) report.findings.push_back(std::move(f));
  return {};
}

constexpr unsigned kSubmoduleMode = 0160000;

// Scans one piece of text that is not a file (a message, an identity) at a pseudo-path.
struct TextScan {
  ScanSession session;
  ScanReport& report;
  Result<void> scan(std::string_view text, const char* where, const std::string& object, const std::string& author,
                    const std::string& date) {
    if (text.empty()) return {};
    BufferContext ctx;
    ctx.path = where;
    ctx.commit = object;
    ctx.author = author;
    ctx.date = date;
    auto r = session.scan_buffer(text, ctx, report.findings, report.skips);
    if (!r) return r;
    report.bytes_scanned += text.size();
    return {};
  }
};

// A tree a ref points at, judged like the tree of a root commit: every blob at each of its paths
// (one BlobRef per id, with its other paths as sites), and the [[files]] rules over every entry
// as an added file.
Result<void> judge_tree(const git::Repo& repo, const Engine& engine, const PushRequest& req, const std::string& tree,
                        const std::string& attributed_to, ScanReport& report) {
  auto entries = git::list_tree(repo, tree, req.should_stop);
  if (!entries) return entries.error();
  git::WalkResult pseudo;
  git::WalkCommit c;
  c.id = attributed_to;
  pseudo.commits.push_back(std::move(c));
  std::unordered_map<std::string, std::size_t> index;
  std::vector<git::FileChange> changes;
  for (const auto& e : *entries) {
    git::FileChange fc;
    fc.kind = git::ChangeKind::Added;
    fc.path = e.path;
    fc.blob = e.id;
    fc.mode = e.mode;
    fc.size = e.size;
    changes.push_back(std::move(fc));
    if (e.mode == kSubmoduleMode) continue;
    auto [it, fresh] = index.emplace(e.id, pseudo.blobs.size());
    if (fresh) {
      git::BlobRef b;
      b.blob = e.id;
      b.path = e.path;
      b.size = e.size;
      pseudo.blobs.push_back(std::move(b));
    } else {
      git::BlobSite s;
      s.path = e.path;
      pseudo.blobs[it->second].more_sites.push_back(std::move(s));
    }
  }
  BlobScanOptions bo;
  bo.jobs = req.jobs;
  bo.open_repo = req.open_repo;
  bo.should_stop = req.should_stop;
  if (auto s = scan_walk_blobs(engine, pseudo, bo, report); !s) return s.error();
  return file_findings(repo, engine, changes, attributed_to, report);
}

// A blob a ref points at has no path: its bytes are scanned at the pseudo-path "(blob)", and the
// [[files]] rules see it there as an added file.
Result<void> judge_blob(const git::Repo& repo, const Engine& engine, TextScan& text, const std::string& blob,
                        const std::string& attributed_to, ScanReport& report) {
  auto bytes = repo.read_blob(blob);
  if (!bytes) return bytes.error();
  BufferContext ctx;
  ctx.path = kBareBlobPath;
  ctx.commit = attributed_to;
  ctx.blob = blob;
  if (auto r = text.session.scan_buffer(*bytes, ctx, report.findings, report.skips); !r) return r;
  report.bytes_scanned += bytes->size();
  std::vector<git::FileChange> changes(1);
  changes[0].kind = git::ChangeKind::Added;
  changes[0].path = kBareBlobPath;
  changes[0].blob = blob;
  changes[0].mode = 0100644;
  changes[0].size = bytes->size();
  return file_findings(repo, engine, changes, attributed_to, report);
}

}  // namespace

Result<void> judge_push_reach(const git::Repo& repo, const Engine& engine, const PushRequest& req,
                              const git::WalkResult& walk, ScanReport& report) {
  auto session = ScanSession::create(engine);
  if (!session) return session.error();
  TextScan text{std::move(*session), report};
  auto stopped = [&] { return req.should_stop && req.should_stop(); };
  auto deadline = [] { return make_error(ErrorCode::Timeout, "deadline exceeded while scanning messages and tags"); };

  // The laptop's commit-msg hook scans the message; a push made without it must not carry a
  // secret in a message or an identity either.
  for (const auto& c : walk.commits) {
    if (stopped()) return deadline();
    if (auto r = text.scan(c.message, kCommitMessagePath, c.id, c.author, c.date); !r) return r;
    if (auto r = text.scan(c.author, kCommitAuthorPath, c.id, c.author, c.date); !r) return r;
    if (c.committer != c.author) {
      if (auto r = text.scan(c.committer, kCommitCommitterPath, c.id, c.author, c.date); !r) return r;
    }
  }

  // What each updated ref points at, through its tags. Commits are the walk's; the rest is here.
  std::set<std::string> done;  // tag, tree and blob ids judged already (several refs may share one)
  for (const auto& u : req.updates) {
    if (git::is_zero_oid(u.new_oid)) continue;
    if (stopped()) return deadline();
    auto target = git::peel_ref_target(repo, u.new_oid);
    if (!target) return target.error();
    for (const auto& t : target->tags) {
      if (!done.insert(t.id).second) continue;
      if (auto r = text.scan(t.message, kTagMessagePath, t.id, t.tagger, t.date); !r) return r;
      if (auto r = text.scan(t.tagger, kTagTaggerPath, t.id, t.tagger, t.date); !r) return r;
      if (auto r = text.scan(t.name, kTagNamePath, t.id, t.tagger, t.date); !r) return r;
    }
    if (target->type == "commit" || !done.insert(target->id).second) continue;
    // Findings name the innermost tag when there is one, else the object itself.
    const std::string by = target->tags.empty() ? target->id : target->tags.back().id;
    if (target->type == "tree") {
      if (auto r = judge_tree(repo, engine, req, target->id, by, report); !r) return r;
    } else if (target->type == "blob") {
      if (auto r = judge_blob(repo, engine, text, target->id, by, report); !r) return r;
    } else {
      return make_error(ErrorCode::Git, fmt::format("{} points at a {} object ({}) — vigil cannot judge it; "
                                                    "the repository is damaged, run `git fsck`",
                                                    u.ref, target->type, target->id));
    }
  }
  return mask_authors(engine, report.findings);
}

}  // namespace vigil
