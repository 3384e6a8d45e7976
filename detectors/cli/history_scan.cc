#include "detectors/cli/history_scan.h"
#include "detectors/cli/progress.h"

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "detectors/gates/blob_scan.h"
#include "detectors/gates/history_blob_scan.h"
#include "detectors/gates/common.h"
#include "detectors/git/blob_reader.h"
#include "detectors/git/commit_walk.h"
#include "detectors/git/history_walk.h"
#include "detectors/git/repo.h"
#include "detectors/policy/baseline.h"

namespace fs = std::filesystem;

namespace vigil::cli {

namespace {

std::optional<std::int64_t> parse_since(const std::string& s) {
  if (s.empty()) return 0;
  if (s.find_first_not_of("0123456789") == std::string::npos) return std::stoll(s);
  std::tm tm{};
  if (!strptime(s.c_str(), "%Y-%m-%d", &tm)) return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

// Incremental scans: blob ids already scanned clean under the same rules version. New clean
// blobs are appended to the file as each batch is scanned, so none are held for the end.
class CleanCache {
 public:
  explicit CleanCache(std::string file) : file_(std::move(file)) {
    std::ifstream in(file_);
    for (std::string line; std::getline(in, line);) {
      git::ObjectId id;
      if (line.size() == 40 && parse_hex(line, id)) ids_.insert(id);
    }
  }
  bool contains(const git::ObjectId& id) const { return ids_.count(id) > 0; }
  void add_known(const std::string& hex) {
    git::ObjectId id;
    if (hex.size() == 40 && parse_hex(hex, id)) ids_.insert(id);
  }
  void append(const std::vector<git::ObjectId>& ids) {
    if (!out_.is_open()) {
      std::error_code ec;
      fs::create_directories(fs::path(file_).parent_path(), ec);
      out_.open(file_, std::ios::app);
    }
    for (const auto& id : ids) out_ << id.hex() << '\n';
  }

 private:
  struct IdHash {
    std::size_t operator()(const git::ObjectId& id) const noexcept {
      std::size_t h;
      std::memcpy(&h, id.bytes.data(), sizeof h);
      return h;
    }
  };
  static bool parse_hex(const std::string& s, git::ObjectId& id) {
    auto nibble = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                                                            : -1; };
    for (std::size_t i = 0; i < id.bytes.size(); ++i) {
      const int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
      if (hi < 0 || lo < 0) return false;
      id.bytes[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    return true;
  }
  std::string file_;
  std::unordered_set<git::ObjectId, IdHash> ids_;
  std::ofstream out_;
};

}  // namespace

int run_history_scan(const HistoryArgs& a) {
  const auto t0 = std::chrono::steady_clock::now();
  git::LibGit2Session session;
  // libgit2 would keep every object it reads (up to 256 MB): memory would follow history length.
  git::disable_object_cache();
  // libgit2 reads only commits and what the pack reader declines: small windows keep its resident
  // pages from following the size of the pack, at no measurable cost (docs/performance.md).
  git::limit_pack_mapping(std::size_t{4} << 20, std::size_t{16} << 20);
  auto repo = git::Repo::discover(a.repo);
  if (!repo) return die(repo.error());
  std::optional<Baseline> baseline;
  if (!a.baseline.empty()) {
    auto b = load_baseline(a.baseline);
    if (!b) return die(b.error());
    baseline = std::move(*b);
  }
  // Config: the given file, else the work tree's .vigil.toml, else the one committed at HEAD.
  Result<Config> cfg = make_error(ErrorCode::Internal, "unset");
  if (!a.config.empty()) {
    cfg = load_config_file(a.config, true);
  } else if (!repo->is_bare() && fs::exists(repo->workdir() + "/.vigil.toml")) {
    cfg = load_config_file(repo->workdir() + "/.vigil.toml", true);
  } else {
    auto text = repo->read_file_at("HEAD", ".vigil.toml");
    if (!text) return die(text.error());
    cfg = *text ? parse_config(**text, "HEAD:.vigil.toml") : default_config();
  }
  if (!cfg) return die(cfg.error());
  if (!a.fail_on.empty()) {
    auto sev = parse_severity(a.fail_on);
    if (!sev) return die(make_error(ErrorCode::Usage, fmt::format("unknown severity '{}' for --fail-on — use critical, high, medium, low or info", a.fail_on)));
    cfg->settings.fail_on = *sev;
  }
  auto since = parse_since(a.since);
  if (!since) return die(make_error(ErrorCode::Usage, fmt::format("cannot read --since '{}' — use YYYY-MM-DD", a.since)));
  auto engine = Engine::create(std::move(*cfg));
  if (!engine) return die(engine.error());

  git::HistoryWalkOptions hw;
  git::WalkOptions& wo = hw.walk;
  wo.since = *since;
  wo.max_blob_size = engine->config.settings.max_file_size;
  if (!a.range.empty()) {
    const auto dots = a.range.find("..");
    if (dots == std::string::npos) return die(make_error(ErrorCode::Usage, fmt::format("--range '{}' must look like A..B", a.range)));
    // As in git, an empty side means HEAD; both empty would judge nothing, which is never what
    // a caller meant (a hook given an empty range must not pass silently).
    std::string lo = a.range.substr(0, dots), hi = a.range.substr(dots + 2);
    if (lo.empty() && hi.empty()) {
      return die(make_error(ErrorCode::Usage, fmt::format("--range '{}' names no commits — give A..B (an empty side means HEAD), "
                                                          "or --branch B for all of B's history",
                                                          a.range)));
    }
    const auto from = repo->resolve(lo.empty() ? "HEAD" : lo);
    const auto to = repo->resolve(hi.empty() ? "HEAD" : hi);
    if (!from || !to) return die(make_error(ErrorCode::Usage, fmt::format("cannot resolve --range '{}'", a.range)));
    wo.include.push_back(*to);
    wo.hide.push_back(*from);
  } else if (!a.branches.empty()) {
    for (const auto& b : a.branches) {
      const auto id = repo->resolve(b);
      if (!id) return die(make_error(ErrorCode::Usage, fmt::format("no branch or revision '{}'", b)));
      wo.include.push_back(*id);
    }
  } else {
    wo.all_refs = true;
  }

  ScanReport report;
  report.tool_version = vigil_version();
  report.rules_version = engine->version;
  std::optional<CleanCache> cache;
  const std::string rules_key = engine->scanner.rules_hash().substr(0, 32);
  std::vector<std::string> new_clean;  // for on_clean_blobs
  std::mutex new_clean_mutex;
  std::unordered_set<std::string> from_db;  // clean blobs the shared cache already holds
  if (a.incremental) {
    cache.emplace(fmt::format("{}/clean-blobs/{}", default_cache_dir(), rules_key));
    if (a.preload_clean) {
      for (auto& hex : a.preload_clean(rules_key)) {
        cache->add_known(hex);
        from_db.insert(std::move(hex));
      }
    }
  }
  // The walk and the scan overlap, so the bar counts commits walked (the walk is at most a few
  // batches ahead of the scan) and bytes scanned.
  std::optional<Progress> progress;
  HistoryScanOptions so;
  so.jobs = a.jobs ? a.jobs : std::max(1u, std::thread::hardware_concurrency());
  const std::string repo_path = repo->is_bare() ? repo->git_dir() : repo->workdir();
  so.open_repo = [repo_path] { return git::Repo::discover(repo_path); };
  so.on_commit_count = [&](std::size_t n) { progress.emplace(progress_wanted(a.quiet), n, "commits"); };
  so.progress = [&](std::size_t d, std::uint64_t b) {
    if (progress) progress->update(d, b);
  };
  if (cache) {
    so.known_clean = [&](const git::ObjectId& id) {
      if (!cache->contains(id)) return false;
      // Judged clean on this machine earlier, but not shared yet: share it now.
      if (a.on_clean_blobs) {
        auto hex = id.hex();
        if (!from_db.count(hex)) {
          std::lock_guard<std::mutex> lock(new_clean_mutex);
          new_clean.push_back(std::move(hex));
        }
      }
      return true;
    };
    so.on_clean = [&](const std::vector<git::ObjectId>& ids) {
      cache->append(ids);
      if (a.on_clean_blobs) {
        std::lock_guard<std::mutex> lock(new_clean_mutex);
        for (const auto& id : ids) new_clean.push_back(id.hex());
      }
    };
  }
  std::unordered_map<std::string, std::size_t> commit_order;
  auto walked = scan_history(*engine, *repo, hw, so, report, commit_order);
  if (progress) progress->finish();
  if (!walked) return die(walked.error());
  if (a.on_clean_blobs && !new_clean.empty()) a.on_clean_blobs(rules_key, new_clean);
  report.target = fmt::format("history of {} ({} commits, {} unique blobs)", a.range.empty() ? "all refs" : a.range,
                              walked->commits, walked->blobs);
  keep_first_introduction(report.findings, commit_order);
  if (baseline) apply_baseline(*baseline, report.findings);
  report.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!(a.quiet && a.format == "text" && !report.blocked())) {
    auto out = emit_report(report, a.format, Audience::Ci, a.output);
    if (!out) return die(out.error());
  }
  if (a.format == "text" && !a.quiet && a.output.empty()) {
    fmt::print(stderr, "vigil: scanned {} commits, {} blobs ({}) in {:.0f} ms: {} blocking, {} warning{}\n",
               walked->commits, report.items_scanned, human_size(report.bytes_scanned), report.duration_ms,
               report.count(Disposition::Block), report.count(Disposition::Warn), report.count(Disposition::Warn) == 1 ? "" : "s");
  }
  return scan_exit_status(report, a.accept_on_limit, a.quiet);
}

}  // namespace vigil::cli
