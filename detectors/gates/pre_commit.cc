#include "detectors/gates/pre_commit.h"

#include <fmt/format.h>
#include <malloc.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "detectors/gates/common.h"
#include "detectors/gates/laptop_skip.h"
#include "detectors/gates/path_class.h"
#include "detectors/gates/policy_gate.h"
#include "detectors/git/changes.h"
#include "detectors/git/repo.h"
#include "detectors/policy/baseline.h"
#include "detectors/util/text.h"
#include "detectors/util/trace.h"
#include "detectors/gates/name_scan.h"

namespace vigil {

namespace {

// Below this many staged bytes, one thread reads and scans them all.
constexpr std::uint64_t kSplitBytes = 64 * 1024;

// One staged file, read and scanned.
struct FileScan {
  Result<void> status;  // an unreadable blob or a failed scan stops the commit
  std::uint64_t bytes = 0;
  std::vector<Finding> found;
  std::vector<Skip> skipped;
};

// Reads a staged file and scans it: the whole file first, and only where it holds a finding
// does the commit's diff matter (most commits hold none, so most never pay for reading the old
// blob and diffing). Sets c.binary, and c.added_lines when it diffs. libgit2 calls hold `git_mu`.
FileScan scan_staged_file(const git::Repo& repo, const Config& cfg, git::FileChange& c, ScanSession& scan, std::mutex& git_mu) {
  FileScan out;
  auto bytes = [&]() -> Result<std::string> {
    if (auto copy = repo.worktree_blob(c.blob, c.path, c.size)) return std::move(*copy);
    std::lock_guard lk(git_mu);
    return repo.read_blob(c.blob);
  }();
  if (!bytes) {
    out.status = bytes.error();
    return out;
  }
  c.binary = looks_binary(*bytes);
  out.bytes = bytes->size();
  BufferContext ctx;
  ctx.path = c.path;
  ctx.blob = c.blob;
  if (auto r = scan.scan_buffer(*bytes, ctx, out.found, out.skipped); !r) {
    out.status = r;
    return out;
  }
  // A rename out of an exempt path (path_class.h) brings every line to a path that never judged it.
  const bool all_new = c.kind == git::ChangeKind::Added || c.old_blob.empty() ||
                       (!c.old_path.empty() && c.old_path != c.path && path_class(cfg, c.old_path) != path_class(cfg, c.path));
  // A bound reached in an old part of the file is not this commit's either: judge the added lines.
  if ((!out.found.empty() || count_bound_hits(out.skipped) > 0) && !all_new && !c.binary) {
    // Only lines this commit adds count: a secret already in HEAD is not this commit's.
    {
      std::lock_guard lk(git_mu);
      if (auto d = git::diff_staged_file(repo, c); !d) {
        out.status = d;
        return out;
      }
    }
    ctx.added_lines = c.added_lines;
    ctx.only_added_lines = true;
    out.found.clear();
    out.skipped.clear();
    out.status = scan.scan_buffer(*bytes, ctx, out.found, out.skipped);
  }
  return out;
}

// Positions into `todo` for each of `threads` threads (1 or 2), balanced by size, largest first;
// each share stays in `todo` order.
void split_by_size(const std::vector<git::FileChange>& changes, const std::vector<std::size_t>& todo, int threads,
                   std::vector<std::size_t>& first, std::vector<std::size_t>& second) {
  if (threads < 2) {
    for (std::size_t k = 0; k < todo.size(); ++k) first.push_back(k);
    return;
  }
  std::vector<std::size_t> order(todo.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return changes[todo[a]].size > changes[todo[b]].size; });
  std::uint64_t load1 = 0, load2 = 0;
  for (const std::size_t k : order) {
    if (load1 <= load2) {
      first.push_back(k);
      load1 += changes[todo[k]].size;
    } else {
      second.push_back(k);
      load2 += changes[todo[k]].size;
    }
  }
  std::sort(first.begin(), first.end());
  std::sort(second.begin(), second.end());
}

}  // namespace

int run_pre_commit(AtEnd at_end, const StagedOptions& opts) {
  const auto t0 = std::chrono::steady_clock::now();
  trace("pre-commit: start");
  std::optional<Baseline> baseline;  // read first, so that a bad file fails before any work
  if (!opts.baseline.empty()) {
    auto b = load_baseline(opts.baseline);
    if (!b) return die(b.error());
    baseline = std::move(*b);
  }
  // One malloc arena for both threads, grown in 1 MB steps: the engine thread's own arena grew
  // a page at a time, ~100 mprotect calls per run.
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_TOP_PAD, 1 << 20);
  // Load the rules and the mapped database while this thread opens the repository and compares
  // the index with HEAD. git runs the hook from the top of the work tree, so the current directory
  // is where .vigil.toml lives; checked against the repository below. The engine is used only when
  // something is staged (a bad .vigil.toml does not fail a commit that stages nothing, as before).
  struct Prepared {
    Result<std::unique_ptr<Engine>> engine = make_error(ErrorCode::Internal, "unset");
    Result<ScanSession> scan = make_error(ErrorCode::Internal, "unset");  // its scratch, allocated too
    std::optional<ScanSession> scan2;                                     // a second thread's, for when there is much to scan
  };
  const auto prepare = [&opts](const std::string& root) {
    Prepared p;
    trace("engine: loading");
    auto e = load_engine(root, opts.config, nullptr, opts.adjust);
    trace("engine: loaded");
    if (!e) {
      p.engine = e.error();
      return p;
    }
    auto owned = std::make_unique<Engine>(std::move(*e));  // the session points at it: keep it in place
    p.scan = ScanSession::create(*owned);
    if (auto s2 = ScanSession::create(*owned)) p.scan2.emplace(std::move(*s2));
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
  // A config named on the command line is checked even when nothing is staged.
  if (!opts.config.empty() && !prepared.engine) return die(prepared.engine.error());

  ScanReport report;
  report.tool_version = vigil_version();
  report.target = "staged changes";
  if (!changes->empty()) {
    if (!prepared.engine) return die(prepared.engine.error());
    const Engine& engine = **prepared.engine;
    auto& scan = prepared.scan;
    if (!scan) return die(scan.error());
    report.rules_version = engine.version;
    // What each staged file needs: skipped by size here, read and scanned below.
    std::vector<std::size_t> todo;
    std::uint64_t todo_bytes = 0;
    for (std::size_t i = 0; i < changes->size(); ++i) {
      const auto& c = (*changes)[i];
      if (c.kind == git::ChangeKind::Deleted || c.blob.empty()) continue;
      if (c.mode == 0160000) continue;  // a submodule commit id, not content
      // Sizes come from object headers: an oversized blob is never read.
      if (c.size > engine.config.settings.max_file_size) {
        report.skips.push_back(oversize_skip(c.path, "", engine.config.settings.max_file_size, c.size));
        continue;
      }
      todo.push_back(i);
      todo_bytes += c.size;
    }
    std::vector<FileScan> results(todo.size());
    std::mutex git_mu;  // libgit2's repository is used by one thread at a time
    const auto scan_share = [&](ScanSession& s, const std::vector<std::size_t>& share) {
      for (const std::size_t k : share) {
        results[k] = scan_staged_file(*repo, engine.config, (*changes)[todo[k]], s, git_mu);
        if (!results[k].status) return;  // the first error ends the share
      }
    };
    // Two threads share the files when there is enough to read and scan (~1 ms for 450 KB);
    // below that, starting a thread costs more than it saves.
    auto& scan2 = prepared.scan2;
    const bool split = todo.size() >= 2 && todo_bytes >= kSplitBytes && scan2;
    std::vector<std::size_t> mine, theirs;
    split_by_size(*changes, todo, split ? 2 : 1, mine, theirs);
    std::thread helper;
    if (!theirs.empty()) helper = std::thread([&] { scan_share(*scan2, theirs); });
    scan_share(*scan, mine);
    if (helper.joinable()) helper.join();
    for (std::size_t k = 0; k < todo.size(); ++k) {
      auto& r = results[k];
      if (!r.status) return die(r.status.error());
      ++report.items_scanned;
      report.bytes_scanned += r.bytes;
      report.findings.insert(report.findings.end(), std::make_move_iterator(r.found.begin()), std::make_move_iterator(r.found.end()));
      report.skips.insert(report.skips.end(), std::make_move_iterator(r.skipped.begin()), std::make_move_iterator(r.skipped.end()));
    }
    trace("staged blobs scanned");
    // File policy ([[files]] and the path checks) over the same staged changes.
    auto policy = staged_file_findings(*repo, engine.config, *changes);
    if (!policy) return die(policy.error());
    if (auto m = mask_quoted_input(engine, *policy); !m) return die(m.error());  // paths can hold secrets too
    report.findings.insert(report.findings.end(), policy->begin(), policy->end());
    // A secret written in a staged file's name, then no output that repeats one in any path.
    std::vector<JudgedName> names;
    for (const auto& c : *changes) {
      if (c.kind != git::ChangeKind::Deleted) names.push_back({c.path, "", false});
    }
    if (auto n = scan_names(engine, names, report.findings); !n) return die(n.error());
    if (auto m = mask_names(engine, report.findings, report.skips); !m) return die(m.error());
    trace("file policy checked");
    if (baseline) apply_baseline(*baseline, report.findings);
    laptop_skip(*repo, engine.config, "pre-commit", report);  // VIGIL_SKIP: audited bypass
  }
  report.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const std::string format = opts.format.empty() ? hook_format() : opts.format;
  if (!(opts.quiet && format == "text" && !report.blocked())) {
    auto out = emit_report(report, format, Audience::Committer, opts.output);
    if (!out) return die(out.error());
  }
  trace("report written");
  const bool unjudged = block_on_bound_hits(report, "commit", "git commit --no-verify");
  const int code = report.blocked() || unjudged ? kExitBlocked : kExitAllowed;
  return at_end == AtEnd::Exit ? exit_now(code) : code;
}

}  // namespace vigil
