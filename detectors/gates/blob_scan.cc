#include "detectors/gates/blob_scan.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "detectors/git/push_paths.h"

namespace vigil {

Result<std::vector<std::string>> scan_walk_blobs(const Engine& engine, const git::WalkResult& walk,
                                                 const BlobScanOptions& opts, ScanReport& report) {
  constexpr std::size_t kRun = 16;
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<std::uint64_t> bytes_done{0};
  std::mutex mu;
  std::optional<Error> failure;
  std::vector<std::string> clean;
  const auto max_size = engine.config.settings.max_file_size;

  auto worker = [&] {
    auto repo = opts.open_repo();
    auto session = ScanSession::create(engine);
    if (!repo || !session) {
      std::lock_guard lk(mu);
      failure = !repo ? repo.error() : session.error();
      return;
    }
    auto reader = git::BlobReader::open(*repo);
    if (!reader) {
      std::lock_guard lk(mu);
      failure = reader.error();
      return;
    }
    std::vector<Finding> found;
    std::vector<Skip> skipped;
    std::vector<std::string> clean_local;
    // Runs of consecutive blobs per worker: in pack order, a delta's base is usually the blob
    // before it, and it is in this worker's delta-base cache only if this worker read it.
    std::size_t i = 0, end = 0;
    for (;;) {
      if (i == end) {
        i = next.fetch_add(kRun);
        end = std::min(i + kRun, walk.blobs.size());
        if (i >= end) break;
      }
      const std::size_t index = i++;
      if (failure) return;
      if (opts.should_stop && opts.should_stop()) {
        std::lock_guard lk(mu);
        failure = make_error(ErrorCode::Timeout, "deadline exceeded while scanning blobs");
        return;
      }
      const auto& b = walk.blobs[index];
      const auto& c = walk.commits[b.commit];
      if (opts.known_clean && opts.known_clean(b.blob)) {
        ++done;
        continue;
      }
      if (b.size > max_size) {
        skipped.push_back(oversize_skip(b.path, c.id, max_size, b.size));
        ++done;
        continue;
      }
      if (!b.whole_blob && b.old_blob.empty() && b.added_lines.empty()) {  // only deletions in this file
        ++done;
        continue;
      }
      auto bytes = reader->read(b.blob);  // no copy: valid until the next read
      if (!bytes) {
        std::lock_guard lk(mu);
        failure = bytes.error();
        return;
      }
      BufferContext ctx;
      ctx.path = b.path;
      ctx.commit = c.id;
      ctx.author = c.author;
      ctx.date = c.date;
      ctx.blob = b.blob;
      const auto before_f = found.size(), before_s = skipped.size();
      Result<void> r = {};
      if (!b.old_blob.empty()) {
        // A modified file of a push (see BlobRef): only its added lines count. Most modified files
        // hold no finding at all, so the whole new version is scanned first, and the previous
        // version is read and diffed only where something was found (the diff, with libgit2
        // hashing both versions, cost more than everything else in a 1,000-commit push).
        r = session->scan_buffer(*bytes, ctx, found, skipped);
        const bool bound_hit = std::any_of(skipped.begin() + static_cast<std::ptrdiff_t>(before_s), skipped.end(),
                                           [](const Skip& s) { return !s.bound.empty(); });
        if (r && (found.size() > before_f || bound_hit)) {
          found.resize(before_f);
          skipped.resize(before_s);
          auto old_bytes = repo->read_blob(b.old_blob);
          auto lines = old_bytes ? git::added_line_ranges(*old_bytes, *bytes) : Result<std::vector<std::pair<std::size_t, std::size_t>>>(old_bytes.error());
          if (!lines) {
            std::lock_guard lk(mu);
            failure = lines.error();
            return;
          }
          if (!lines->empty()) {  // else only deletions in this file
            ctx.added_lines = std::move(*lines);
            ctx.only_added_lines = true;
            r = session->scan_buffer(*bytes, ctx, found, skipped);
          }
        }
      } else {
        ctx.added_lines = b.added_lines;
        ctx.only_added_lines = !b.whole_blob;
        r = session->scan_buffer(*bytes, ctx, found, skipped);
      }
      if (!r) {
        std::lock_guard lk(mu);
        failure = r.error();
        return;
      }
      if (found.size() == before_f && skipped.size() == before_s && b.whole_blob) clean_local.push_back(b.blob);
      bytes_done += bytes->size();
      const auto d = ++done;
      if (opts.progress) opts.progress(d, bytes_done.load());
    }
    std::lock_guard lk(mu);
    for (auto& f : found) report.findings.push_back(std::move(f));
    for (auto& s : skipped) report.skips.push_back(std::move(s));
    for (auto& id : clean_local) clean.push_back(std::move(id));
  };

  const unsigned jobs = std::max(1u, std::min<unsigned>(opts.jobs, static_cast<unsigned>(std::max<std::size_t>(walk.blobs.size(), 1))));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < jobs; ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (failure) return *failure;
  // A shallow clone's history stops at these commits: what came before was not judged.
  for (const auto& id : walk.shallow_boundaries) {
    report.skips.push_back({"(earlier history)", id,
                            "shallow clone: the parents of this commit are not in the clone, so its whole tree was "
                            "scanned and older commits were not — run `git fetch --unshallow` to scan them"});
  }
  report.items_scanned += done.load();
  report.bytes_scanned += bytes_done.load();
  return clean;
}

void keep_first_introduction(std::vector<Finding>& findings, const git::WalkResult& walk) {
  std::unordered_map<std::string, std::size_t> commit_index;
  for (std::size_t i = 0; i < walk.commits.size(); ++i) commit_index.emplace(walk.commits[i].id, i);
  keep_first_introduction(findings, commit_index);
}

void keep_first_introduction(std::vector<Finding>& findings, const std::unordered_map<std::string, std::size_t>& commit_index) {
  auto idx = [&](const Finding& f) {
    auto it = commit_index.find(f.commit);
    return it == commit_index.end() ? SIZE_MAX : it->second;
  };
  // One finding per secret and path: the same key kept in a file across many edits is one
  // problem, reported at the commit that brought it in.
  std::stable_sort(findings.begin(), findings.end(), [&](const Finding& a, const Finding& b) {
    return std::make_tuple(a.fingerprint, a.path, idx(a), a.line) < std::make_tuple(b.fingerprint, b.path, idx(b), b.line);
  });
  findings.erase(std::unique(findings.begin(), findings.end(),
                             [](const Finding& a, const Finding& b) {
                               return a.fingerprint == b.fingerprint && a.path == b.path;
                             }),
                 findings.end());
  std::stable_sort(findings.begin(), findings.end(), [&](const Finding& a, const Finding& b) {
    return std::make_tuple(idx(a), a.path, a.line, a.rule_id) < std::make_tuple(idx(b), b.path, b.line, b.rule_id);
  });
}

}  // namespace vigil
