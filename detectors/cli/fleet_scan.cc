#include "detectors/cli/fleet_scan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "detectors/evidence/clean_blobs.h"
#include "detectors/evidence/ship.h"
#include "detectors/gates/common.h"
#include "detectors/util/hash.h"
#include "detectors/util/process.h"
#include "detectors/util/text.h"

namespace fs = std::filesystem;

namespace vigil::cli {

namespace {

bool is_url(const std::string& s) { return s.find("://") != std::string::npos || s.rfind("git@", 0) == 0; }

// The bytes a repository keeps in its object store (packs and loose objects).
std::uint64_t objects_size(const std::string& path) {
  std::error_code ec;
  fs::path objects = fs::path(path) / ".git" / "objects";
  if (!fs::is_directory(objects, ec)) objects = fs::path(path) / "objects";
  if (!fs::is_directory(objects, ec)) return 0;
  std::uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(objects, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

std::optional<unsigned> number(const char* s) {
  if (!s || !*s) return std::nullopt;
  const std::string v(s);
  if (v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return static_cast<unsigned>(std::stoul(v));
}

// A file name for a repository's result: readable, and unique through a short hash.
std::string result_name(const std::string& spec) {
  std::string base;
  for (char c : spec) base += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
  if (base.size() > 60) base = base.substr(base.size() - 60);
  return fmt::format("{}-{}.json", base, sha256_hex(spec).substr(0, 8));
}

}  // namespace

Result<std::vector<FleetRepo>> read_repo_list(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorCode::Usage, fmt::format("cannot read the repository list '{}' — check the path", path));
  std::vector<FleetRepo> out;
  std::string line;
  std::size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    const auto t = std::string(trim(line));
    if (t.empty() || t[0] == '#') continue;
    std::istringstream ss(t);
    FleetRepo r;
    std::string size;
    ss >> r.spec >> size;
    if (!size.empty()) {
      if (size.find_first_not_of("0123456789") != std::string::npos || size.size() > 18) {
        return make_error(ErrorCode::Usage, fmt::format("{}:{}: '{}' is not a size in bytes — write 'PATH-OR-URL [BYTES]'", path, lineno, size));
      }
      r.size = std::stoull(size);
    } else {
      r.size = is_url(r.spec) ? 0 : objects_size(r.spec);
    }
    r.size = std::max<std::uint64_t>(r.size, 1);  // an unknown size still counts as one repository
    out.push_back(std::move(r));
  }
  if (out.empty()) return make_error(ErrorCode::Usage, fmt::format("the repository list '{}' names no repository", path));
  return out;
}

std::vector<std::vector<std::size_t>> split_shards(const std::vector<FleetRepo>& repos, unsigned n) {
  std::vector<std::size_t> order(repos.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return repos[a].size != repos[b].size ? repos[a].size > repos[b].size : repos[a].spec < repos[b].spec;
  });
  std::vector<std::vector<std::size_t>> shards(std::max(1u, n));
  std::vector<std::uint64_t> load(shards.size(), 0);
  for (auto i : order) {
    const auto k = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    shards[k].push_back(i);
    load[k] += repos[i].size;
  }
  return shards;
}

Result<Shard> choose_shard(const std::string& flag, unsigned total_flag, const std::function<const char*(const char*)>& env) {
  auto check = [](Shard s) -> Result<Shard> {
    if (s.total < 1 || s.index < 1 || s.index > s.total) {
      return make_error(ErrorCode::Usage, fmt::format("shard {}/{} (from {}) is out of range — K runs from 1 to N", s.index,
                                                      s.total, s.from));
    }
    return s;
  };
  if (!flag.empty()) {
    const auto slash = flag.find('/');
    const auto k = slash == std::string::npos ? std::nullopt : number(flag.substr(0, slash).c_str());
    const auto n = slash == std::string::npos ? std::nullopt : number(flag.substr(slash + 1).c_str());
    if (!k || !n) return make_error(ErrorCode::Usage, fmt::format("--shard '{}' must look like K/N, e.g. 2/4 (1-based)", flag));
    return check(Shard{*k, *n, "--shard"});
  }
  if (const char* gi = env("CI_NODE_INDEX"); gi && *gi) {
    const auto k = number(gi), n = number(env("CI_NODE_TOTAL"));
    if (!k || !n) return make_error(ErrorCode::Usage, "CI_NODE_INDEX/CI_NODE_TOTAL are not numbers — set `parallel: N` on the GitLab job");
    return check(Shard{*k, *n, "GitLab CI_NODE_INDEX/CI_NODE_TOTAL"});
  }
  if (const char* ji = env("JOB_COMPLETION_INDEX"); ji && *ji) {
    const auto k = number(ji);
    const auto n = total_flag ? std::optional<unsigned>(total_flag) : number(env("VIGIL_SHARD_TOTAL"));
    if (!k) return make_error(ErrorCode::Usage, "JOB_COMPLETION_INDEX is not a number");
    if (!n) {
      return make_error(ErrorCode::Usage, "JOB_COMPLETION_INDEX is set but not the shard count — pass --shard-total N "
                                          "(the Job's completions) or set VIGIL_SHARD_TOTAL");
    }
    return check(Shard{*k + 1, *n, "Kubernetes JOB_COMPLETION_INDEX"});
  }
  return Shard{1, 1, "no shard given"};
}

int run_fleet_scan(const FleetArgs& a) {
  auto repos = read_repo_list(a.repos_file);
  if (!repos) return die(repos.error());
  auto shard = choose_shard(a.shard, a.shard_total, [](const char* n) { return std::getenv(n); });
  if (!shard) return die(shard.error());
  const auto shards = split_shards(*repos, shard->total);
  const auto& mine = shards[shard->index - 1];
  const std::string out_dir = a.output_dir.empty() ? "vigil-fleet" : a.output_dir;
  std::error_code ec;
  fs::create_directories(out_dir + "/clones", ec);
  if (ec) return die(make_error(ErrorCode::Io, fmt::format("cannot create '{}': {}", out_dir, ec.message())));
  std::optional<evidence::EvidenceDb> db;
  if (!a.db.empty()) {
    auto d = evidence::EvidenceDb::open(a.db);
    if (!d) return die(d.error());
    db.emplace(std::move(*d));
  }
  std::uint64_t bytes = 0;
  for (auto i : mine) bytes += (*repos)[i].size;
  fmt::print(stderr, "vigil: shard {}/{} ({}): {} of {} repositories, {} bytes\n", shard->index, shard->total, shard->from,
             mine.size(), repos->size(), bytes);
  int worst = kExitAllowed;
  std::size_t failed = 0, blocked = 0;
  for (auto i : mine) {
    const auto& r = (*repos)[i];
    std::string path = r.spec;
    if (is_url(r.spec)) {
      // A bare clone of its own per repository: the history scan reads every ref of it.
      path = fmt::format("{}/clones/{}", out_dir, result_name(r.spec));
      if (fs::exists(path, ec)) fs::remove_all(path, ec);
      const auto c = run_process({"git", "clone", "--bare", "--quiet", r.spec, path});
      if (c.status != 0) {
        fmt::print(stderr, "vigil: error: cannot clone {}: {} — the repository was not scanned\n", r.spec, std::string(trim(c.err)));
        ++failed;
        continue;
      }
    }
    HistoryArgs h = a.history;
    h.repo = path;
    h.format = "json";
    h.output = fmt::format("{}/{}", out_dir, result_name(r.spec));
    h.quiet = true;
    if (db) {
      h.incremental = true;  // the shared cache: the database's clean blobs, then this machine's
      h.preload_clean = [&](const std::string& key) {
        auto ids = evidence::load_clean_blobs(*db, key);
        return ids ? *ids : std::vector<std::string>{};
      };
      h.on_clean_blobs = [&](const std::string& key, const std::vector<std::string>& ids) {
        if (auto s = evidence::store_clean_blobs(*db, key, ids); !s) {
          fmt::print(stderr, "vigil: warning: clean blobs not shared: {}\n", s.error().message);
        }
      };
    }
    const int code = run_history_scan(h);
    if (code == kExitError) {
      fmt::print(stderr, "vigil: error: {} could not be scanned (above) — it counts as not judged\n", r.spec);
      ++failed;
      continue;
    }
    worst = std::max(worst, code);
    if (code == kExitBlocked) ++blocked;
    if (db) {
      auto s = evidence::ship_scan_result(*db, h.output, r.spec, {});
      if (!s) {
        fmt::print(stderr, "vigil: error: {}\n", s.error().message);
        ++failed;
      }
    }
  }
  fmt::print(stderr, "vigil: shard {}/{} done: {} repositories scanned, {} with blocking findings, {} not scanned; results in {}\n",
             shard->index, shard->total, mine.size() - failed, blocked, failed, out_dir);
  // A repository not judged is never a pass.
  return failed ? kExitError : worst;
}

}  // namespace vigil::cli
