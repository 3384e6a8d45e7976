#include "detectors/gates/pre_commit.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>

#include "detectors/gates/common.h"
#include "detectors/gates/laptop_skip.h"
#include "detectors/gates/policy_gate.h"
#include "detectors/git/changes.h"
#include "detectors/git/repo.h"
#include "detectors/util/text.h"
#include "detectors/util/trace.h"

namespace vigil {

int run_pre_commit() {
  const auto t0 = std::chrono::steady_clock::now();
  trace("pre-commit: start");
  // Load the rules and the mapped database while this thread opens the repository and compares
  // the index with HEAD. git runs the hook from the top of the work tree, so the current directory
  // is where .vigil.toml lives; checked against the repository below. The engine is used only when
  // something is staged (a bad .vigil.toml does not fail a commit that stages nothing, as before).
  struct Prepared {
    Result<std::unique_ptr<Engine>> engine = make_error(ErrorCode::Internal, "unset");
    Result<ScanSession> scan = make_error(ErrorCode::Internal, "unset");  // its scratch, allocated too
  };
  const auto prepare = [](const std::string& root) {
    Prepared p;
    trace("engine: loading");
    auto e = load_engine(root);
    trace("engine: loaded");
    if (!e) {
      p.engine = e.error();
      return p;
    }
    auto owned = std::make_unique<Engine>(std::move(*e));  // the session points at it: keep it in place
    p.scan = ScanSession::create(*owned);
    p.engine = std::move(owned);
    trace("engine: scratch ready");
    return p;
  };
  std::error_code ec;
  const std::string cwd = std::filesystem::current_path(ec).string();
  auto pending_engine = std::async(std::launch::async, prepare, cwd);
  git::LibGit2Session session;
  trace("libgit2 initialised");
  auto repo = git::Repo::discover(cwd);
  if (!repo) return die(repo.error());
  if (repo->is_bare()) return die(make_error(ErrorCode::Usage, "pre-commit needs a work tree, and this repository is bare"));
  const char* index_env = std::getenv("GIT_INDEX_FILE");
  trace("repository opened");
  auto changes = git::staged_changes(*repo, index_env ? index_env : "");
  trace("staged changes listed");
  auto prepared = [&] {
    auto p = pending_engine.get();
    std::error_code same;
    if (repo->workdir() == cwd || std::filesystem::equivalent(repo->workdir(), cwd, same)) return p;
    return prepare(repo->workdir());  // run from elsewhere (by hand): the repository's .vigil.toml
  }();
  trace("engine joined");
  if (!changes) return die(changes.error());

  ScanReport report;
  report.tool_version = vigil_version();
  report.target = "staged changes";
  if (!changes->empty()) {
    if (!prepared.engine) return die(prepared.engine.error());
    const Engine& engine = **prepared.engine;
    auto& scan = prepared.scan;
    if (!scan) return die(scan.error());
    report.rules_version = engine.version;
    for (auto& c : *changes) {
      if (c.kind == git::ChangeKind::Deleted || c.blob.empty()) continue;
      if (c.mode == 0160000) continue;  // a submodule commit id, not content
      // Sizes come from object headers: an oversized blob is never read.
      if (c.size > engine.config.settings.max_file_size) {
        report.skips.push_back({c.path, "", fmt::format("larger than max_file_size {} ({})",
                                                        human_size(engine.config.settings.max_file_size),
                                                        human_size(c.size))});
        continue;
      }
      auto bytes = repo->read_staged_blob(c.blob, c.path, c.size);
      if (!bytes) return die(bytes.error());
      c.binary = looks_binary(*bytes);
      ++report.items_scanned;
      report.bytes_scanned += bytes->size();
      // The whole file first; only where it holds a finding does the commit's diff matter (most
      // commits hold none, so most never pay for reading the old blob and diffing).
      BufferContext ctx;
      ctx.path = c.path;
      ctx.blob = c.blob;
      std::vector<Finding> found;
      std::vector<Skip> skipped;
      auto r = scan->scan_buffer(*bytes, ctx, found, skipped);
      if (!r) return die(r.error());
      const bool all_new = c.kind == git::ChangeKind::Added || c.old_blob.empty();
      if (!found.empty() && !all_new && !c.binary) {
        // Only lines this commit adds count: a secret already in HEAD is not this commit's.
        if (auto d = git::diff_staged_file(*repo, c); !d) return die(d.error());
        ctx.added_lines = c.added_lines;
        ctx.only_added_lines = true;
        found.clear();
        skipped.clear();
        r = scan->scan_buffer(*bytes, ctx, found, skipped);
        if (!r) return die(r.error());
      }
      report.findings.insert(report.findings.end(), found.begin(), found.end());
      report.skips.insert(report.skips.end(), skipped.begin(), skipped.end());
    }
    trace("staged blobs scanned");
    // File policy ([[files]] and the path checks) over the same staged changes.
    auto policy = staged_file_findings(*repo, engine.config, *changes);
    if (!policy) return die(policy.error());
    if (auto m = mask_quoted_input(engine, *policy); !m) return die(m.error());  // paths can hold secrets too
    report.findings.insert(report.findings.end(), policy->begin(), policy->end());
    trace("file policy checked");
    laptop_skip(*repo, engine.config, "pre-commit", report);  // VIGIL_SKIP: audited bypass
  }
  report.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  auto out = emit_report(report, hook_format(), Audience::Committer);
  if (!out) return die(out.error());
  trace("report written");
  return report.blocked() ? kExitBlocked : kExitAllowed;
}

}  // namespace vigil
