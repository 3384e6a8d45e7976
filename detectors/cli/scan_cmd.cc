// `vigil scan`: files, directories, stdin and staged changes.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "detectors/cli/commands.h"
#include "detectors/cli/fleet_scan.h"
#include "detectors/cli/history_scan.h"
#include "detectors/cli/progress.h"
#include "detectors/gates/common.h"
#include "detectors/gates/pre_commit.h"
#include "detectors/git/repo.h"
#include "detectors/policy/baseline.h"
#include "detectors/util/archive.h"
#include "detectors/util/read_file.h"

namespace fs = std::filesystem;

namespace vigil::cli {

namespace {

struct ScanArgs {
  std::vector<std::string> paths;
  std::string directory;  // -C DIR
  std::string format = "text";
  std::string output;
  std::string config;
  std::vector<std::string> rules_files;
  std::string fail_on;
  unsigned jobs = 0;
  bool staged = false;
  bool quiet = false;
  bool no_builtin = false;
  bool no_gitignore = false;
  bool history = false;
  bool incremental = false;
  std::string repos_file;    // --repos: an organisation-wide history scan
  std::string shard;         // --shard K/N
  unsigned shard_total = 0;  // --shard-total N (with JOB_COMPLETION_INDEX)
  std::string db;            // --db: ship results there, share clean blobs
  std::string output_dir;    // --output-dir
  std::string on_limit = "block";  // --on-limit: block or accept a scan a bound kept partial
  bool archives = false;           // --archives: scan the members of zip/tar/compressed files
  int archive_depth = 2;           // archives inside archives, this many levels
  std::string range;
  std::string since;
  std::vector<std::string> branches;
  std::string baseline;      // --baseline FILE: its findings are not reported again
  std::string baseline_out;  // set by `vigil baseline create`: write this baseline, no report
};

// Every regular file under `root`, never following symlinks (so a scan cannot leave the tree).
// Inside a work tree, paths that .gitignore ignores are pruned unless `repo` is null.
void collect_files(const fs::path& root, const git::Repo* repo, std::vector<std::string>& out,
                   std::vector<Skip>& skips) {
  std::error_code ec;
  const auto st = fs::symlink_status(root, ec);
  if (fs::is_regular_file(st)) {
    out.push_back(root.string());
    return;
  }
  if (fs::is_symlink(st)) {
    skips.push_back({root.string(), "", "symbolic link (not followed)"});
    return;
  }
  const fs::path workdir = repo ? fs::path(repo->workdir()) : fs::path();
  auto ignored = [&](const fs::path& p, bool dir) {
    if (!repo) return false;
    const auto rel = fs::absolute(p, ec).lexically_normal().lexically_relative(workdir).generic_string();
    if (rel.empty() || rel.rfind("..", 0) == 0) return false;
    return repo->is_ignored(dir ? rel + "/" : rel);
  };
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    const auto& e = *it;
    if (e.is_symlink(ec)) {
      // Not followed (a link could lead out of the tree), and said so: a skip is never silent.
      auto p = e.path().string();
      if (p.rfind("./", 0) == 0) p.erase(0, 2);
      if (!ignored(e.path(), false)) skips.push_back({p, "", "symbolic link (not followed)"});
      continue;
    }
    if (e.is_directory(ec)) {
      if (e.path().filename() == ".git" || ignored(e.path(), true)) it.disable_recursion_pending();
      continue;
    }
    if (e.is_regular_file(ec) && !ignored(e.path(), false)) out.push_back(e.path().string());
  }
}

// One worker's scan output.
struct WorkerOut {
  std::vector<Finding> found;
  std::vector<Skip> skipped;
  std::size_t items = 0;
  std::uint64_t bytes = 0;

  void merge_into(ScanReport& report) {
    for (auto& f : found) report.findings.push_back(std::move(f));
    for (auto& sk : skipped) report.skips.push_back(std::move(sk));
    report.items_scanned += items;
    report.bytes_scanned += bytes;
  }
};

// `bytes` as one scanned item named `where`.
Result<void> scan_plain(ScanSession& s, std::string_view bytes, const std::string& where, WorkerOut& out) {
  BufferContext ctx;
  ctx.path = where;
  ++out.items;
  out.bytes += bytes.size();
  return s.scan_buffer(bytes, ctx, out.found, out.skipped);
}

// The members of an archive, each scanned as "<archive>!<member>" (nested: "a.zip!b.tar.gz!c"),
// archives inside it down to `depth_left` more levels. An archive libarchive cannot read is
// scanned as plain bytes, and the skip says why.
Result<void> scan_archive(ScanSession& s, std::string_view bytes, const std::string& where, int depth_left,
                          std::uint64_t max_file_size, WorkerOut& out) {
  ArchiveLimits limits;
  limits.max_member_bytes = max_file_size;
  std::optional<Error> failure;
  auto r = for_each_archive_member(
      bytes, limits,
      [&](const std::string& name, std::string&& data) {
        if (failure) return;
        const std::string inner = where + "!" + name;
        if (looks_like_archive(data)) {
          if (depth_left > 1) {
            if (auto n = scan_archive(s, data, inner, depth_left - 1, max_file_size, out); !n) failure = n.error();
            return;
          }
          out.skipped.push_back({inner, "", "archive nested deeper than --archive-depth: scanned as plain bytes"});
        }
        if (auto n = scan_plain(s, data, inner, out); !n) failure = n.error();
      },
      [&](const std::string& name, const std::string& reason, const std::string& bound) {
        out.skipped.push_back({where + "!" + name, "", reason, bound});
      });
  if (failure) return *failure;
  if (!r) {
    out.skipped.push_back({where, "", r.error().message + ": scanned as plain bytes"});
    return scan_plain(s, bytes, where, out);
  }
  return {};
}

// One input (a file or stdin): its archive members when `archive_depth` > 0 and it is an archive,
// else its bytes.
Result<void> scan_input(ScanSession& s, std::string_view bytes, const std::string& where, int archive_depth,
                        std::uint64_t max_file_size, WorkerOut& out) {
  if (archive_depth > 0 && looks_like_archive(bytes)) {
    return scan_archive(s, bytes, where, archive_depth, max_file_size, out);
  }
  return scan_plain(s, bytes, where, out);
}

std::string display_path(const std::string& p) {
  return p.size() > 2 && p.compare(0, 2, "./") == 0 ? p.substr(2) : p;
}

// The config changes the command line asks for: --fail-on, --no-builtin, --rules.
ConfigAdjust config_adjust(const ScanArgs& a) {
  return [fail_on = a.fail_on, no_builtin = a.no_builtin, rules_files = a.rules_files](Config& cfg) -> Result<void> {
    if (!fail_on.empty()) {
      auto sev = parse_severity(fail_on);
      if (!sev) return make_error(ErrorCode::Usage, fmt::format("unknown severity '{}' for --fail-on — use critical, high, medium, low or info", fail_on));
      cfg.settings.fail_on = *sev;
    }
    if (no_builtin) cfg.rules.clear();
    for (const auto& rf : rules_files) {
      if (auto r = add_rules_file(cfg, rf); !r) return r.error();
    }
    return {};
  };
}

// `vigil scan --staged`: the pre-commit gate, with the report options of `vigil scan`.
int run_staged(const ScanArgs& a) {
  const char* other = !a.paths.empty()                                                           ? "a path"
                      : a.history || !a.range.empty() || !a.branches.empty() || !a.since.empty() ? "a history option"
                      : a.archives                                                               ? "--archives"
                                                                                                 : nullptr;
  if (other) {
    return die(make_error(ErrorCode::Usage, fmt::format("--staged scans the index; {} asks for another input — drop one of the two", other)));
  }
  StagedOptions o;
  o.format = a.format;
  o.output = a.output;
  o.config = a.config;
  o.baseline = a.baseline;
  o.adjust = config_adjust(a);
  o.quiet = a.quiet;
  return run_pre_commit(AtEnd::Return, o);
}

int run_scan(ScanArgs& a) {
  if (!a.directory.empty()) {
    // As `git -C DIR`: everything after this happens as if vigil was started in DIR.
    std::error_code ec;
    fs::current_path(a.directory, ec);
    if (ec) return die(make_error(ErrorCode::Usage, fmt::format("cannot change to -C '{}': {} — check the path", a.directory, ec.message())));
  }
  if (a.staged) return run_staged(a);
  if (!a.repos_file.empty() || !a.shard.empty() || !a.db.empty()) {
    if (a.repos_file.empty()) return die(make_error(ErrorCode::Usage, "--shard and --db go with --repos FILE (the list of repositories to scan)"));
    if (!a.paths.empty() || !a.output.empty()) {
      return die(make_error(ErrorCode::Usage, "--repos scans the repositories its file names — drop the PATH and -o (use --output-dir)"));
    }
    FleetArgs f;
    f.repos_file = a.repos_file;
    f.shard = a.shard;
    f.shard_total = a.shard_total;
    f.db = a.db;
    f.output_dir = a.output_dir;
    f.history.range = a.range;
    f.history.since = a.since;
    f.history.branches = a.branches;
    f.history.config = a.config;
    f.history.fail_on = a.fail_on;
    f.history.baseline = a.baseline;
    f.history.jobs = a.jobs;
    f.history.incremental = a.incremental;
    f.history.accept_on_limit = a.on_limit == "accept";
    return run_fleet_scan(f);
  }
  if (a.history || !a.range.empty() || !a.branches.empty() || !a.since.empty()) {
    if (a.archives) {
      return die(make_error(ErrorCode::Usage, "--archives opens archives among files on disk; a --history scan reads blobs as git stores them — drop one of the two"));
    }
    HistoryArgs h;
    if (a.paths.size() > 1) return die(make_error(ErrorCode::Usage, "--history takes at most one repository path"));
    if (!a.paths.empty()) h.repo = a.paths[0];
    h.range = a.range;
    h.since = a.since;
    h.branches = a.branches;
    h.format = a.format;
    h.output = a.output;
    h.config = a.config;
    h.fail_on = a.fail_on;
    h.baseline = a.baseline;
    h.jobs = a.jobs;
    h.quiet = a.quiet;
    h.incremental = a.incremental;
    h.accept_on_limit = a.on_limit == "accept";
    return run_history_scan(h);
  }
  std::optional<Baseline> baseline;  // read first, so a bad file fails before a long scan
  if (!a.baseline.empty()) {
    auto b = load_baseline(a.baseline);
    if (!b) return die(b.error());
    baseline = std::move(*b);
  }
  const auto t0 = std::chrono::steady_clock::now();
  git::LibGit2Session session;
  std::string root = ".";
  // Inside a work tree: use its .vigil.toml, and honour its .gitignore.
  std::error_code cwd_ec;
  auto repo = git::Repo::discover(fs::current_path(cwd_ec).string());
  const bool in_worktree = repo && !repo->is_bare();
  if (in_worktree && a.config.empty()) root = repo->workdir();
  const git::Repo* ignore_repo = in_worktree && !a.no_gitignore ? &*repo : nullptr;
  auto cfg = a.config.empty() ? load_config_file(root + "/.vigil.toml", false) : load_config_file(a.config, true);
  if (!cfg) return die(cfg.error());
  if (auto adj = config_adjust(a)(*cfg); !adj) return die(adj.error());
  auto engine = Engine::create(std::move(*cfg));
  if (!engine) return die(engine.error());

  ScanReport report;
  report.tool_version = vigil_version();
  report.rules_version = engine->version;
  if (a.paths.empty()) a.paths.push_back(".");
  report.target = fmt::format("{}", fmt::join(a.paths, " "));

  std::vector<std::string> files;
  for (const auto& p : a.paths) {
    if (p == "-") continue;
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(p, ec))) {
      return die(make_error(ErrorCode::Usage, fmt::format("no such file or directory: '{}'", p)));
    }
    collect_files(p, ignore_repo, files, report.skips);
  }
  if (std::find(a.paths.begin(), a.paths.end(), "-") != a.paths.end()) {
    auto bytes = read_whole_fd(0);
    if (!bytes) return die(make_error(ErrorCode::Io, "cannot read standard input"));
    auto s = ScanSession::create(*engine);
    if (!s) return die(s.error());
    WorkerOut w;
    auto r = scan_input(*s, *bytes, "<stdin>", a.archives ? a.archive_depth : 0, engine->config.settings.max_file_size, w);
    if (!r) return die(r.error());
    w.merge_into(report);
  }

  const unsigned jobs = a.jobs ? a.jobs : std::max(1u, std::thread::hardware_concurrency());
  Progress progress(progress_wanted(a.quiet), files.size(), "files");
  std::atomic<std::size_t> done{0};
  std::atomic<std::uint64_t> done_bytes{0};
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  std::optional<Error> failure;
  auto worker = [&] {
    auto s = ScanSession::create(*engine);
    if (!s) {
      std::lock_guard lk(mu);
      failure = s.error();
      return;
    }
    WorkerOut w;
    const auto max_size = engine->config.settings.max_file_size;
    // An archive may exceed max_file_size as a file: its members are held to it one by one.
    const bool may_be_archive = a.archives && a.archive_depth > 0;
    auto too_big = [&](const std::string& path, std::uint64_t size) {
      w.skipped.push_back(oversize_skip(path, "", max_size, size));
    };
    for (std::size_t i = next++; i < files.size(); i = next++) {
      std::error_code ec;
      const auto size = fs::file_size(files[i], ec);
      const std::string path = display_path(files[i]);
      if (!ec && size > max_size && !(may_be_archive && size <= ArchiveLimits{}.max_total_bytes)) {
        // A binary file is skipped by policy at any size; only text left unread is a bound reached.
        if (auto head = read_file_head(files[i], 8000); head && looks_binary(*head)) {
          w.skipped.push_back({path, "", "binary (NUL byte in the first 8000 bytes)"});
        } else {
          too_big(path, size);
        }
        continue;
      }
      // One read into a buffer of the file's size (a stringstream copied every file twice).
      const auto content = read_whole_file(files[i]);
      if (!content) {
        w.skipped.push_back({path, "", "unreadable (permission denied?)"});
        continue;
      }
      const std::string& bytes = *content;
      progress.update(++done, done_bytes += bytes.size());
      const bool archive = looks_like_archive(bytes);
      if (archive && !a.archives) {
        // Its compressed bytes hold nothing a rule can read: say how to look inside instead.
        w.skipped.push_back({path, "", "archive or compressed file (--archives scans its members)"});
        continue;
      }
      if (!(archive && may_be_archive) && bytes.size() > max_size) {  // let in only as a possible archive
        too_big(path, bytes.size());
        continue;
      }
      auto r = scan_input(*s, bytes, path, may_be_archive ? a.archive_depth : 0, max_size, w);
      if (!r) {
        std::lock_guard lk(mu);
        failure = r.error();
        return;
      }
    }
    std::lock_guard lk(mu);
    w.merge_into(report);
  };
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < std::min<unsigned>(jobs, static_cast<unsigned>(std::max<std::size_t>(files.size(), 1))); ++i) {
    pool.emplace_back(worker);
  }
  worker();
  for (auto& t : pool) t.join();
  progress.finish();
  if (failure) return die(*failure);
  std::sort(report.findings.begin(), report.findings.end(), [](const Finding& x, const Finding& y) {
    return std::tie(x.path, x.line, x.column, x.rule_id) < std::tie(y.path, y.line, y.column, y.rule_id);
  });
  std::sort(report.skips.begin(), report.skips.end(), [](const Skip& x, const Skip& y) { return x.path < y.path; });
  if (!a.baseline_out.empty()) return write_baseline_file(report, a.baseline_out);
  if (baseline) apply_baseline(*baseline, report.findings);
  report.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!(a.quiet && a.format == "text" && !report.blocked())) {
    auto out = emit_report(report, a.format, Audience::Ci, a.output);
    if (!out) return die(out.error());
  }
  if (a.format == "text" && !a.quiet && a.output.empty()) {
    fmt::print(stderr, "vigil: scanned {} file{} ({}) in {:.0f} ms: {} blocking, {} warning{}\n", report.items_scanned,
               report.items_scanned == 1 ? "" : "s", human_size(report.bytes_scanned), report.duration_ms,
               report.count(Disposition::Block), report.count(Disposition::Warn),
               report.count(Disposition::Warn) == 1 ? "" : "s");
  }
  return scan_exit_status(report, a.on_limit == "accept", a.quiet);
}

}  // namespace

void register_scan(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ScanArgs>();
  auto* cmd = app.add_subcommand("scan", "Scan files, directories, stdin (-) or staged changes for secrets");
  cmd->add_option("paths", args->paths, "Files or directories to scan, or - for stdin [default: .]");
  cmd->add_option("-C,--path", args->directory, "Run as if vigil was started in DIR (as `git -C`)");
  cmd->add_option("-f,--format", args->format, "Output format: text, json, sarif, junit, csv, gitlab [default: text]");
  cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of the terminal");
  cmd->add_option("-c,--config", args->config, "Config file [default: <repo>/.vigil.toml]");
  cmd->add_option("--rules", args->rules_files, "Extra rules file (repeatable)")->allow_extra_args(false);
  cmd->add_option("--fail-on", args->fail_on, "Lowest severity that blocks: critical, high, medium, low, info");
  cmd->add_option("--baseline", args->baseline, "Report only findings not in this baseline file (see `vigil baseline`)");
  cmd->add_option("-j,--jobs", args->jobs, "Worker threads [default: one per core]");
  cmd->add_flag("--staged", args->staged, "Scan the added lines of staged changes (what pre-commit does); takes the report, config, baseline and rule options");
  cmd->add_flag("--history", args->history, "Scan git history (all refs) of the repository at PATH [default: .]");
  cmd->add_option("--range", args->range, "History range A..B (implies --history)");
  cmd->add_option("--since", args->since, "History: only commits since YYYY-MM-DD (implies --history)");
  cmd->add_option("--branch", args->branches, "History: only this branch or revision (repeatable)")->allow_extra_args(false);
  cmd->add_flag("--incremental", args->incremental, "History: skip blobs already scanned clean with these rules");
  cmd->add_option("--repos", args->repos_file, "History of many repositories: a file of paths or clone URLs, one a line "
                                               "(optionally followed by its size in bytes)");
  cmd->add_option("--shard", args->shard, "With --repos: run shard K of N (1-based), e.g. 2/4 [default: from CI_NODE_INDEX/"
                                          "CI_NODE_TOTAL or JOB_COMPLETION_INDEX, else 1/1]");
  cmd->add_option("--shard-total", args->shard_total, "With --repos and JOB_COMPLETION_INDEX: the number of shards");
  cmd->add_option("--db", args->db, "With --repos: ship each result to the evidence database and share clean blobs through it");
  cmd->add_option("--output-dir", args->output_dir, "With --repos: where each repository's JSON result goes [default: vigil-fleet]");
  cmd->add_flag("--no-gitignore", args->no_gitignore, "Also scan files that .gitignore ignores");
  cmd->add_flag("--archives", args->archives, "Also scan the members of zip, tar, tar.gz/.bz2/.xz/.zst and .gz files");
  cmd->add_option("--archive-depth", args->archive_depth, "Archives inside archives: levels to open with --archives [default: 2]")
      ->check(CLI::Range(1, 8));
  cmd->add_option("--on-limit", args->on_limit,
                  "When a bound (max_file_size, max_candidates, ...) keeps part of the input from being judged: "
                  "block (exit 1) or accept (exit 0, still reported) [default: block]")
      ->check(CLI::IsMember({"block", "accept"}));
  cmd->add_flag("--no-builtin", args->no_builtin, "Use only the rules given with --rules");
  cmd->add_flag("-q,--quiet", args->quiet, "Print nothing unless something blocks");
  cmd->footer("Exit status: 0 allowed, 1 blocked by policy, 2 vigil could not do its job.\n"
              "Examples:\n  vigil scan .\n  vigil scan --format json -o report.json src/\n  git diff | vigil scan -");
  cmd->callback([args, &exit_code] { exit_code = run_scan(*args); });
}

int run_baseline_scan(const BaselineScan& req) {
  ScanArgs a;
  a.paths = req.paths;
  a.config = req.config;
  a.rules_files = req.rules_files;
  a.no_builtin = req.no_builtin;
  a.jobs = req.jobs;
  a.baseline_out = req.output;
  return run_scan(a);
}

}  // namespace vigil::cli
