#include "detectors/gates/blob_scan.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "detectors/gates/path_class.h"
#include "detectors/git/blob_reader.h"
#include "detectors/git/push_paths.h"

namespace vigil {

namespace {

// One (path, commit) at which a blob is introduced: the blob's first path or one of more_sites.
struct Site {
  const std::string* path;
  std::size_t commit;
  const std::string* old_blob;
  const std::string* old_path;
  bool whole_blob;
  const std::vector<std::pair<std::size_t, std::size_t>>* added_lines;  // first site only (may be empty)
};

std::vector<Site> sites_of(const git::BlobRef& b) {
  std::vector<Site> out;
  out.reserve(1 + b.more_sites.size());
  out.push_back({&b.path, b.commit, &b.old_blob, &b.old_path, b.whole_blob, &b.added_lines});
  for (const auto& s : b.more_sites) out.push_back({&s.path, s.commit, &s.old_blob, &s.old_path, s.whole_blob, nullptr});
  return out;
}

// Whether every line of the blob counts at `site`. A rename keeps only its added lines when its
// old path was judged the same way; out of an exempt path into another one, the old lines were
// never judged at the new path, so the whole blob is.
bool whole_at(const Config& cfg, const Site& site) {
  if (site.whole_blob) return true;
  return !site.old_path->empty() && *site.old_path != *site.path && path_class(cfg, *site.old_path) != path_class(cfg, *site.path);
}

// Per-worker scanning of one blob's bytes at one site.
struct SiteScan {
  ScanSession& session;
  git::Repo& repo;
  const git::WalkResult& walk;

  BufferContext context(const std::string& blob, const Site& site) const {
    const auto& c = walk.commits[site.commit];
    BufferContext ctx;
    ctx.path = *site.path;
    ctx.commit = c.id;
    ctx.author = c.author;
    ctx.date = c.date;
    ctx.blob = blob;
    return ctx;
  }

  Result<void> scan(std::string_view bytes, const std::string& blob, const Site& site, bool whole,
                    std::vector<Finding>& found, std::vector<Skip>& skipped) {
    BufferContext ctx = context(blob, site);
    const auto before_f = found.size(), before_s = skipped.size();
    if (!whole && !site.old_blob->empty()) {
      // A modified file of a push (see BlobRef): only its added lines count. Most modified files
      // hold no finding at all, so the whole new version is scanned first, and the previous
      // version is read and diffed only where something was found (the diff, with libgit2
      // hashing both versions, cost more than everything else in a 1,000-commit push).
      auto r = session.scan_buffer(bytes, ctx, found, skipped);
      // A bound reached in an old part of the file is not this push's either: judge the added lines.
      const bool bound_hit = std::any_of(skipped.begin() + static_cast<std::ptrdiff_t>(before_s), skipped.end(),
                                         [](const Skip& s) { return !s.bound.empty(); });
      if (!r || (found.size() == before_f && !bound_hit)) return r;
      found.resize(before_f);
      skipped.resize(before_s);
      auto old_bytes = repo.read_blob(*site.old_blob);
      if (!old_bytes) return old_bytes.error();
      auto lines = git::added_line_ranges(*old_bytes, bytes);
      if (!lines) return lines.error();
      if (lines->empty()) return {};  // only deletions in this file
      ctx.added_lines = std::move(*lines);
      ctx.only_added_lines = true;
      return session.scan_buffer(bytes, ctx, found, skipped);
    }
    if (!whole && site.added_lines) {
      ctx.added_lines = *site.added_lines;
      ctx.only_added_lines = true;
    }
    return session.scan_buffer(bytes, ctx, found, skipped);
  }

  // A blob introduced at several paths: its bytes are scanned once at a path with every
  // detector on (a lockfile's findings are a subset), and when that finds nothing, nothing is
  // found at any path. Otherwise each distinct path class (path_class.h) with its added lines
  // is judged once, and its findings are repeated, relabelled, at the other paths of that class.
  Result<void> scan_sites(std::string_view bytes, const std::string& blob, const std::vector<Site>& sites,
                          const Config& cfg, std::vector<Finding>& found, std::vector<Skip>& skipped) {
    std::size_t probe = 0;
    while (probe < sites.size() && is_lockfile(*sites[probe].path)) ++probe;
    if (probe == sites.size()) probe = 0;
    std::vector<Finding> probe_found;
    std::vector<Skip> probe_skipped;
    if (auto r = scan(bytes, blob, sites[probe], true, probe_found, probe_skipped); !r) return r.error();
    if (probe_found.empty() && probe_skipped.empty()) return {};
    struct Outcome {
      std::vector<Finding> found;
      std::vector<Skip> skipped;
    };
    std::unordered_map<std::string, Outcome> by_class;
    for (std::size_t i = 0; i < sites.size(); ++i) {
      const Site& site = sites[i];
      const bool whole = whole_at(cfg, site);
      std::string key = path_class(cfg, *site.path);
      if (!whole) key += '\0' + *site.old_blob;
      auto it = by_class.find(key);
      if (it == by_class.end()) {
        Outcome o;
        if (i == probe && whole) {
          o = {probe_found, probe_skipped};
        } else if (auto r = scan(bytes, blob, site, whole, o.found, o.skipped); !r) {
          return r.error();
        }
        it = by_class.emplace(std::move(key), std::move(o)).first;
      }
      const BufferContext ctx = context(blob, site);
      for (Finding f : it->second.found) {
        f.path = ctx.path;
        f.commit = ctx.commit;
        f.author = ctx.author;
        f.date = ctx.date;
        found.push_back(std::move(f));
      }
      for (Skip s : it->second.skipped) {
        s.path = ctx.path;
        s.commit = ctx.commit;
        skipped.push_back(std::move(s));
      }
    }
    return {};
  }
};

}  // namespace

Result<void> scan_walk_blobs(const Engine& engine, const git::WalkResult& walk, const BlobScanOptions& opts,
                             ScanReport& report) {
  constexpr std::size_t kRun = 16;
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<std::uint64_t> bytes_done{0};
  std::mutex mu;
  std::optional<Error> failure;
  const auto& cfg = engine.config;
  const auto max_size = cfg.settings.max_file_size;

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
    SiteScan scanner{*session, *repo, walk};
    std::vector<Finding> found;
    std::vector<Skip> skipped;
    auto fail = [&](Error e) {
      std::lock_guard lk(mu);
      failure = std::move(e);
    };
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
      if (opts.should_stop && opts.should_stop()) return fail(make_error(ErrorCode::Timeout, "deadline exceeded while scanning blobs"));
      const auto& b = walk.blobs[index];
      const auto sites = sites_of(b);
      if (b.size > max_size) {
        for (const auto& site : sites) {
          skipped.push_back(oversize_skip(*site.path, walk.commits[site.commit].id, max_size, b.size));
        }
        ++done;
        continue;
      }
      const bool whole = whole_at(cfg, sites[0]);
      if (sites.size() == 1 && !whole && b.old_blob.empty() && b.added_lines.empty()) {  // only deletions in this file
        ++done;
        continue;
      }
      auto bytes = reader->read(b.blob);  // no copy: valid until the next read
      if (!bytes) return fail(bytes.error());
      auto r = sites.size() == 1 ? scanner.scan(*bytes, b.blob, sites[0], whole, found, skipped)
                                 : scanner.scan_sites(*bytes, b.blob, sites, cfg, found, skipped);
      if (!r) return fail(r.error());
      bytes_done += bytes->size();
      ++done;
    }
    std::lock_guard lk(mu);
    for (auto& f : found) report.findings.push_back(std::move(f));
    for (auto& s : skipped) report.skips.push_back(std::move(s));
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
  return {};
}

Result<void> mask_authors(const Engine& engine, std::vector<Finding>& findings) {
  std::optional<ScanSession> session;
  std::unordered_map<std::string, std::string> masked;  // each distinct author scanned once
  for (auto& f : findings) {
    if (f.author.empty()) continue;
    auto it = masked.find(f.author);
    if (it == masked.end()) {
      if (!session) {
        auto s = ScanSession::create(engine);
        if (!s) return s.error();
        session.emplace(std::move(*s));
      }
      auto m = session->mask_secrets(f.author);
      if (!m) return m.error();
      it = masked.emplace(f.author, std::move(*m)).first;
    }
    f.author = it->second;
  }
  return {};
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
