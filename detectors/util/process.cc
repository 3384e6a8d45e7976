#include "detectors/util/process.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace vigil {

namespace {

bool names_var(const char* entry, const std::string& name) {
  return std::strncmp(entry, name.c_str(), name.size()) == 0 && entry[name.size()] == '=';
}

/// The child's environment: ours, minus what is unset or replaced, plus what is set.
std::vector<std::string> child_env(const ProcOptions& opts) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const bool drop = std::any_of(opts.unset_env.begin(), opts.unset_env.end(), [&](const std::string& n) { return names_var(*e, n); }) ||
                      std::any_of(opts.set_env.begin(), opts.set_env.end(), [&](const auto& kv) { return names_var(*e, kv.first); });
    if (!drop) env.emplace_back(*e);
  }
  for (const auto& [k, v] : opts.set_env) env.push_back(k + "=" + v);
  return env;
}

}  // namespace

ProcResult run_process(const std::vector<std::string>& argv, const ProcOptions& opts) {
  ProcResult r;
  if (argv.empty()) return r;
  int out_p[2], err_p[2];
  if (pipe2(out_p, O_CLOEXEC) != 0) {
    r.err = fmt::format("cannot create a pipe: {}", std::strerror(errno));
    return r;
  }
  if (pipe2(err_p, O_CLOEXEC) != 0) {
    r.err = fmt::format("cannot create a pipe: {}", std::strerror(errno));
    close(out_p[0]);
    close(out_p[1]);
    return r;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, opts.stdin_path.empty() ? "/dev/null" : opts.stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_p[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_p[1], 2);
  if (!opts.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, opts.cwd.c_str());
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const bool custom_env = !opts.set_env.empty() || !opts.unset_env.empty();
  std::vector<std::string> env_store;
  std::vector<char*> envp;
  if (custom_env) {
    env_store = child_env(opts);
    for (auto& e : env_store) envp.push_back(e.data());
    envp.push_back(nullptr);
  }
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), custom_env ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out_p[1]);
  close(err_p[1]);
  if (rc != 0) {
    close(out_p[0]);
    close(err_p[0]);
    r.err = fmt::format("cannot run {}: {}", argv[0], std::strerror(rc));
    return r;
  }
  pollfd fds[2] = {{out_p[0], POLLIN, 0}, {err_p[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  return r;
}

}  // namespace vigil
