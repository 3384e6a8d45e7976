#include "installer/install_util.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "detectors/util/hash.h"
#include "detectors/util/process.h"
#include "detectors/util/read_file.h"

namespace fs = std::filesystem;

namespace vigil::installer {

bool is_vigil_shim(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  return read_whole_file(path).value_or("").find(kShimMarker) != std::string::npos;
}

Result<void> write_file(const std::string& path, const std::string& text, bool executable) {
  // Write beside the target and rename, so a hook is never seen half-written by a running git.
  const std::string tmp = path + ".vigil-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return make_error(ErrorCode::Io, fmt::format("cannot write {}: {} — make {} writable (chmod u+w) or run as its owner",
                                                   path, std::strerror(errno ? errno : EACCES),
                                                   fs::path(path).parent_path().string()));
    }
  }
  ::chmod(tmp.c_str(), executable ? 0755 : 0644);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::error_code ec;
    fs::remove(tmp, ec);
    return make_error(ErrorCode::Io, fmt::format("cannot write {}: {} — check its permissions", path, std::strerror(err)));
  }
  return {};
}

Result<void> check_writable_dir(const std::string& dir) {
  // Probe by creating a file: access(2) says yes to root even on a 0555 directory of a read-only
  // mount, and the mode bits say nothing about ACLs. The probe is removed at once.
  const std::string probe = (fs::path(dir) / ".vigil-write-test").string();
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) {
      ::unlink(probe.c_str());
      return {};
    }
    return make_error(ErrorCode::Io,
                      fmt::format("hooks directory {} is not writable ({}) — make it writable (chmod u+w {}) "
                                  "or run as its owner",
                                  dir, err == EROFS ? "read-only file system" : std::strerror(err), dir));
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return {};
}

Result<std::vector<std::string>> create_dirs(const std::string& dir) {
  std::vector<std::string> missing;
  std::error_code ec;
  for (fs::path p = fs::path(dir).lexically_normal(); !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.insert(missing.begin(), p.string());
    if (p == p.parent_path()) break;
  }
  for (const auto& m : missing) {
    if (::mkdir(m.c_str(), 0755) != 0 && errno != EEXIST) {
      const int err = errno;
      return make_error(ErrorCode::Io, fmt::format("cannot create directory {}: {} — make {} writable or run as its owner",
                                                   m, std::strerror(err), fs::path(m).parent_path().string()));
    }
  }
  return missing;
}

namespace {

std::vector<std::string> git_args(const std::vector<std::string>& scope, std::initializer_list<std::string> rest) {
  std::vector<std::string> a = {"git", "config"};
  a.insert(a.end(), scope.begin(), scope.end());
  a.insert(a.end(), rest.begin(), rest.end());
  return a;
}

std::string chomp(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

std::optional<std::string> git_config_get(const std::vector<std::string>& scope, const std::string& key,
                                          const std::string& cwd) {
  ProcOptions opts;
  opts.cwd = cwd;
  auto r = run_process(git_args(scope, {"--get", key}), opts);
  if (r.status != 0) return std::nullopt;
  return chomp(r.out);
}

Result<void> git_config_set(const std::vector<std::string>& scope, const std::string& key, const std::string& value) {
  auto r = run_process(git_args(scope, {key, value}));
  if (r.status != 0) {
    return make_error(ErrorCode::Io, fmt::format("git config {} {} failed: {} — check that the config file is writable",
                                                 key, value, chomp(r.err)));
  }
  return {};
}

Result<void> git_config_unset(const std::vector<std::string>& scope, const std::string& key) {
  auto r = run_process(git_args(scope, {"--unset-all", key}));
  if (r.status != 0 && r.status != 5) {  // 5: the key was not set
    return make_error(ErrorCode::Io, fmt::format("git config --unset {} failed: {}", key, chomp(r.err)));
  }
  // git leaves an empty "[section]" behind; drop it so the file is byte-identical to before.
  const std::string section = key.substr(0, key.rfind('.'));
  auto rest = run_process(git_args(scope, {"--get-regexp", "^" + section + "\\."}));
  if (rest.status == 1) (void)run_process(git_args(scope, {"--remove-section", section}));
  return {};
}

std::optional<InstallState> load_state(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  InstallState s;
  std::istringstream in(read_whole_file(path).value_or(""));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::size_t start = 0;
    for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      f.push_back(line.substr(start, tab - start));
    }
    f.push_back(line.substr(start));
    if (f[0] == "dir" && f.size() == 2) {
      s.created_dirs.push_back(f[1]);
    } else if (f[0] == "file" && f.size() == 3) {
      s.created_files.push_back(f[1]);
      s.file_hashes.push_back(f[2]);
    } else if (f[0] == "config" && f.size() >= 4) {
      InstallState::ConfigChange c{f[1], f[2], std::nullopt};
      if (f[3] == "set" && f.size() == 5) c.previous = f[4];
      s.config.push_back(std::move(c));
    }
  }
  return s;
}

Result<void> save_state(const std::string& path, const InstallState& s) {
  std::string text = "# vigil install state: what `vigil uninstall` puts back. Do not edit.\n";
  for (const auto& d : s.created_dirs) text += "dir\t" + d + "\n";
  for (std::size_t i = 0; i < s.created_files.size(); ++i) {
    text += "file\t" + s.created_files[i] + "\t" + s.file_hashes[i] + "\n";
  }
  for (const auto& c : s.config) {
    text += "config\t" + c.scope + "\t" + c.key + (c.previous ? "\tset\t" + *c.previous : "\tunset") + "\n";
  }
  return write_file(path, text, false);
}

std::vector<std::string> scope_args(const std::string& scope) {
  if (scope == "--global" || scope == "--system") return {scope};
  return {"--file", scope};
}

std::string content_hash(const std::string& text) { return sha256_hex(text).substr(0, 32); }

void chown_like(const std::string& path, const std::string& like) {
  if (::geteuid() != 0) return;
  struct stat st {};
  if (::stat(like.c_str(), &st) != 0) return;
  if (::lchown(path.c_str(), st.st_uid, st.st_gid) != 0) {
    // Best effort: the file still works for root; the message of a later hook run names it.
  }
}

}  // namespace vigil::installer
