#include "detectors/gates/push_snapshot.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "detectors/git/refs.h"
#include "detectors/util/hash.h"
#include "detectors/util/read_file.h"

namespace fs = std::filesystem;

namespace vigil {

namespace {

constexpr auto kMaxAge = std::chrono::hours(1);
constexpr std::string_view kRefsHeader = "vigil-refs 1";

std::string records_dir(const std::string& git_dir) { return (fs::path(git_dir) / "vigil-push").string(); }

// Written whole under a temporary name, then renamed: a reader never sees half a record.
bool write_atomically(const std::string& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out || !(out << text) || !out.flush()) {
      fs::remove(tmp, ec);
      return false;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
  return !ec;
}

struct ProcInfo {
  long ppid = 0;
  std::string start;  // clock ticks after boot: with the pid, names one process for good
};

std::optional<ProcInfo> proc_info(long pid) {
  auto stat = read_whole_file(fmt::format("/proc/{}/stat", pid));
  if (!stat) return std::nullopt;
  const auto rp = stat->rfind(')');  // the command name may hold spaces and parentheses
  if (rp == std::string::npos) return std::nullopt;
  std::istringstream rest(stat->substr(rp + 1));
  std::vector<std::string> f;  // f[0] is field 3 (state)
  for (std::string w; rest >> w;) f.push_back(w);
  if (f.size() < 20) return std::nullopt;
  return ProcInfo{std::strtol(f[1].c_str(), nullptr, 10), f[19]};
}

bool is_receive_pack(long pid) {
  auto cmdline = read_whole_file(fmt::format("/proc/{}/cmdline", pid));
  if (!cmdline || cmdline->empty()) return false;
  std::vector<std::string> args;
  std::istringstream in(*cmdline);
  for (std::string a; std::getline(in, a, '\0');) args.push_back(a);
  const std::string base = fs::path(args[0]).filename().string();
  if (base == "git-receive-pack") return true;
  if (base != "git") return false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "receive-pack") return true;
  }
  return false;
}

std::string refs_record(const std::string& git_dir, const std::string& key) {
  return (fs::path(records_dir(git_dir)) / ("refs-" + key)).string();
}

std::string accepted_record(const std::string& git_dir, const RefUpdate& u) {
  return (fs::path(records_dir(git_dir)) / ("accepted-" + sha256_hex(u.ref + '\0' + u.old_oid + '\0' + u.new_oid).substr(0, 40)))
      .string();
}

std::string accepted_line(const RefUpdate& u) { return fmt::format("{} {} {}\n", u.old_oid, u.new_oid, u.ref); }

std::optional<RefsSnapshot> parse_refs(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kRefsHeader) return std::nullopt;
  RefsSnapshot s;
  if (!std::getline(in, line) || line.rfind("HEAD ", 0) != 0) return std::nullopt;
  s.head = line.substr(5) == "-" ? "" : line.substr(5);
  while (std::getline(in, line)) {
    const auto a = line.find(' '), b = a == std::string::npos ? a : line.find(' ', a + 1);
    if (b == std::string::npos) return std::nullopt;
    git::RefValue t{line.substr(b + 1), line.substr(0, a), line.substr(a + 1, b - a - 1)};
    if (t.commit == "-") t.commit.clear();
    s.refs.push_back(std::move(t));
  }
  return s;
}

std::string format_refs(const RefsSnapshot& s) {
  std::string out = fmt::format("{}\nHEAD {}\n", kRefsHeader, s.head.empty() ? "-" : s.head);
  for (const auto& r : s.refs) out += fmt::format("{} {} {}\n", r.target, r.commit.empty() ? "-" : r.commit, r.name);
  return out;
}

// Within one push, a ref whose hook has not run yet still holds the old value it will be given.
bool fits(const RefsSnapshot& s, const RefUpdate& u) {
  for (const auto& r : s.refs) {
    if (r.name == u.ref) return r.target == u.old_oid;
  }
  return git::is_zero_oid(u.old_oid);
}

bool update_hook_installed(const git::Repo& repo) {
  const fs::path gd = repo.git_dir();
  std::error_code ec;
  std::vector<fs::path> where = {gd / "hooks" / "update", gd / "hooks" / "update.d", gd / "custom_hooks" / "update.d"};
  if (auto hp = repo.config_string("core.hooksPath")) where.push_back(fs::path(*hp).is_absolute() ? fs::path(*hp) / "update" : gd / *hp / "update");
  for (const auto& p : where) {
    if (fs::exists(p, ec)) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> push_key() {
  long pid = static_cast<long>(::getppid());
  for (int depth = 0; depth < 6 && pid > 1; ++depth) {
    auto info = proc_info(pid);
    if (!info) return std::nullopt;
    if (is_receive_pack(pid)) return fmt::format("{}-{}", pid, info->start);
    pid = info->ppid;
  }
  return std::nullopt;
}

Result<RefsSnapshot> refs_before_update(const git::Repo& repo, const std::string& key, const RefUpdate& u) {
  const std::string path = refs_record(repo.git_dir(), key);
  if (auto text = read_whole_file(path)) {
    if (auto s = parse_refs(*text); s && fits(*s, u)) return *s;
  }
  RefsSnapshot s;
  s.head = repo.resolve("HEAD").value_or("");
  auto refs = git::list_ref_values(repo);
  if (!refs) return refs.error();
  s.refs = std::move(*refs);
  if (!write_atomically(path, format_refs(s))) {
    return make_error(ErrorCode::Io, fmt::format("cannot write {} — the update hook records the refs as the push found "
                                                 "them there; let the server's git user write to the repository",
                                                 path));
  }
  return s;
}

void record_accepted(const git::Repo& repo, const std::vector<RefUpdate>& updates) {
  remove_stale_records(repo.git_dir());
  if (!update_hook_installed(repo)) return;
  // A record that cannot be written only costs a second judgement by the update hook.
  for (const auto& u : updates) write_atomically(accepted_record(repo.git_dir(), u), accepted_line(u));
}

bool take_accepted(const std::string& git_dir, const RefUpdate& u) {
  const std::string path = accepted_record(git_dir, u);
  auto text = read_whole_file(path);
  if (!text || *text != accepted_line(u)) return false;
  std::error_code ec;
  fs::remove(path, ec);
  return true;
}

void remove_stale_records(const std::string& git_dir) {
  std::error_code ec;
  fs::directory_iterator it(records_dir(git_dir), ec);
  if (ec) return;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& e : it) {
    const std::string name = e.path().filename().string();
    bool stale = false;
    if (name.rfind("refs-", 0) != 0 || name.find(".tmp.") != std::string::npos) {
      const auto mtime = fs::last_write_time(e.path(), ec);
      stale = !ec && now - mtime > kMaxAge;
    } else {
      // refs-<pid>-<start>: stale once that receive-pack has exited.
      const std::string key = name.substr(5);
      const auto dash = key.find('-');
      const long pid = dash == std::string::npos ? 0 : std::strtol(key.substr(0, dash).c_str(), nullptr, 10);
      const auto info = pid > 0 ? proc_info(pid) : std::nullopt;
      stale = !info || info->start != key.substr(dash + 1);
    }
    if (stale) fs::remove(e.path(), ec);
  }
}

UpdateView update_view(const git::Repo& repo, const RefUpdate& u) {
  UpdateView v;
  remove_stale_records(repo.git_dir());
  if (take_accepted(repo.git_dir(), u)) {
    v.judged_by_pre_receive = true;
    return v;
  }
  auto key = push_key();
  if (!key) {
    v.note = "update hook: the git receive-pack of this push was not found, so refs this push already moved were "
             "judged at their new values (install the pre-receive hook too)";
    return v;
  }
  auto snap = refs_before_update(repo, *key, u);
  if (snap) v.before = std::move(*snap);
  if (!snap) v.error = snap.error().message;
  return v;
}

}  // namespace vigil
