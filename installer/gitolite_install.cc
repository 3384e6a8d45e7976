// `vigil install --server --gitolite`: vigil's pre-receive as a gitolite "common" hook, the way
// gitolite wants custom hooks: a file in $LOCAL_CODE/hooks/common (or, without LOCAL_CODE,
// $GL_ADMIN_BASE/hooks/common) that `gitolite setup --hooks-only` links into every repository,
// and that gitolite links into each repository it creates later. gitolite's own update hook stays.
// The policy is named once for all repositories in the gitolite user's ~/.gitconfig (vigil.policy).
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "detectors/report/report.h"
#include "detectors/util/process.h"
#include "detectors/util/read_file.h"
#include "installer/install.h"
#include "installer/install_util.h"
#include "installer/templates.h"

namespace fs = std::filesystem;

namespace vigil::installer {

namespace {

struct Gitolite {
  std::string home;        // the gitolite user's HOME
  std::string admin_base;  // GL_ADMIN_BASE (~/.gitolite)
  std::string repo_base;   // GL_REPO_BASE (~/repositories)
  std::string hooks_dir;   // where common hooks go
  std::string hook() const { return (fs::path(hooks_dir) / "pre-receive").string(); }
  std::string state() const { return (fs::path(admin_base) / "vigil-install.state").string(); }
  std::string gitconfig() const { return (fs::path(home) / ".gitconfig").string(); }
};

// Runs `gitolite ARGS` as the gitolite user would: its HOME, and its uid when we are root.
ProcResult run_gitolite(const std::string& home, const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  struct stat st {};
  if (::geteuid() == 0 && ::stat(home.c_str(), &st) == 0 && st.st_uid != 0) {
    argv = {"setpriv", "--reuid=" + std::to_string(st.st_uid), "--regid=" + std::to_string(st.st_gid), "--init-groups"};
  }
  argv.insert(argv.end(), {"env", "HOME=" + home, "gitolite"});
  argv.insert(argv.end(), args.begin(), args.end());
  ProcOptions o;
  o.cwd = home;
  return run_process(argv, o);
}

std::optional<std::string> query_rc(const std::string& home, const std::string& var) {
  auto r = run_gitolite(home, {"query-rc", var});
  if (r.status != 0) return std::nullopt;
  std::string v = r.out;
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
  if (v.empty()) return std::nullopt;
  return v;
}

Result<Gitolite> find_gitolite(const InstallOptions& opts) {
  Gitolite g;
  g.home = opts.gitolite_home;
  if (g.home.empty()) {
    const char* h = std::getenv("HOME");
    g.home = h ? h : "";
  }
  std::error_code ec;
  if (g.home.empty() || !fs::exists(fs::path(g.home) / ".gitolite.rc", ec)) {
    return make_error(ErrorCode::Usage, fmt::format("no gitolite here: {}/.gitolite.rc does not exist — pass "
                                                    "--gitolite-home <the gitolite user's home> (after `gitolite setup`)",
                                                    g.home.empty() ? "$HOME" : g.home));
  }
  g.home = fs::weakly_canonical(g.home, ec).string();
  auto admin = query_rc(g.home, "GL_ADMIN_BASE");
  auto repos = query_rc(g.home, "GL_REPO_BASE");
  if (!admin || !repos) {
    return make_error(ErrorCode::Usage, fmt::format("`gitolite query-rc` failed for HOME={} — is gitolite3 installed "
                                                    "and set up for that user?",
                                                    g.home));
  }
  g.admin_base = *admin;
  g.repo_base = fs::path(*repos).is_absolute() ? *repos : (fs::path(g.home) / *repos).string();
  const auto local = query_rc(g.home, "LOCAL_CODE");
  g.hooks_dir = (fs::path(local ? *local : g.admin_base) / "hooks" / "common").string();
  return g;
}

std::string gitolite_shim(const std::string& binary) {
  return fmt::format(R"(#!/bin/sh
{marker} (vigil {version}) — gitolite common hook, linked into every repository by gitolite.
# Installed by `vigil install --server --gitolite`; `vigil uninstall --server --gitolite` removes it.
# gitolite runs it with GL_USER set to the owner of the key that authenticated: the pusher.
vigil_bin='{binary}'
[ -x "$vigil_bin" ] || vigil_bin=$(command -v vigil-pre-receive || true)
if [ -z "$vigil_bin" ]; then
  echo "vigil: error: vigil-pre-receive not found on the server — reinstall vigil" >&2
  exit 2
fi
exec "$vigil_bin" "$@"
)",
                     fmt::arg("marker", kShimMarker), fmt::arg("version", vigil_version()), fmt::arg("binary", binary));
}

// The repositories gitolite manages (<name>.git directories under GL_REPO_BASE, at any depth).
std::vector<std::string> gitolite_repos(const std::string& base) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(base, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && it->path().extension() == ".git") {
      out.push_back(it->path().string());
      it.disable_recursion_pending();
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool links_to(const std::string& link, const std::string& target) {
  std::error_code ec;
  return fs::is_symlink(link, ec) && fs::read_symlink(link, ec).string() == target;
}

}  // namespace

Result<InstallResult> install_gitolite(const InstallOptions& opts) {
  if (opts.with_update) {
    return make_error(ErrorCode::Usage, "--with-update does not go with --gitolite: gitolite's own update hook runs in "
                                        "every repository (vigil's pre-receive judges the whole push)");
  }
  auto g = find_gitolite(opts);
  if (!g) return g.error();
  const std::string bin_dir = opts.bin_dir.empty() ? self_dir() : opts.bin_dir;
  const std::string binary = (fs::path(bin_dir) / "vigil-pre-receive").string();
  std::error_code ec;
  if (!fs::exists(binary, ec)) {
    return make_error(ErrorCode::Usage, fmt::format("no vigil-pre-receive binary in {} — build it or pass --bin-dir", bin_dir));
  }
  const std::string hook = g->hook();
  if ((fs::exists(hook, ec) || fs::is_symlink(hook, ec)) && !is_vigil_shim(hook)) {
    return make_error(ErrorCode::Io, fmt::format("{} exists and is not vigil's — gitolite runs one pre-receive per "
                                                 "repository: chain it from vigil's or move it away, then install again",
                                                 hook));
  }
  // gitolite replaces each repository's hooks/pre-receive with the common one: refuse rather than
  // let it drop a repository's own hook.
  for (const auto& repo : gitolite_repos(g->repo_base)) {
    const std::string own = (fs::path(repo) / "hooks" / "pre-receive").string();
    if ((fs::exists(own, ec) || fs::is_symlink(own, ec)) && !links_to(own, hook)) {
      return make_error(ErrorCode::Io, fmt::format("{} has its own pre-receive hook, which `gitolite setup --hooks-only` "
                                                   "would replace — move it away first",
                                                   repo));
    }
  }
  InstallResult res;
  res.hooks_dirs.push_back(g->hooks_dir);
  auto state = load_state(g->state()).value_or(InstallState{});
  const std::string text = gitolite_shim(binary);
  if (read_whole_file(hook).value_or("") == text) {
    res.messages.push_back(fmt::format("gitolite: {} already installed", hook));
  } else {
    if (!opts.dry_run) {
      if (!fs::is_directory(g->hooks_dir, ec)) {
        auto created = create_dirs(g->hooks_dir);
        if (!created) return created.error();
        for (const auto& c : *created) {
          chown_like(c, g->home);
          state.created_dirs.push_back(c);
        }
      }
      if (auto w = write_file(hook, text, true); !w) return w.error();
      chown_like(hook, g->home);
    }
    res.messages.push_back(fmt::format("gitolite: installed {}", hook));
  }
  // The policy, for every repository: --policy, else what vigil.policy names, else a scaffold.
  const std::vector<std::string> scope = {"--file", g->gitconfig()};
  const auto current = git_config_get(scope, "vigil.policy");
  std::string policy = opts.policy_file.empty() ? current.value_or((fs::path(g->home) / "vigil-policy.toml").string())
                                                : opts.policy_file;
  policy = fs::absolute(policy, ec).lexically_normal().string();
  if (!fs::exists(policy, ec)) {
    if (!opts.dry_run) {
      const std::string scaffold = server_policy_text();
      if (auto w = write_file(policy, scaffold, false); !w) return w.error();
      chown_like(policy, g->home);
      state.created_files.push_back(policy);
      state.file_hashes.push_back(content_hash(scaffold));
    }
    res.messages.push_back(fmt::format("gitolite: wrote the server policy scaffold {}", policy));
  }
  if (current != policy) {
    if (!opts.dry_run) {
      const bool existed = fs::exists(g->gitconfig(), ec);
      state.config.push_back({g->gitconfig(), "vigil.policy", current});
      if (auto s = git_config_set(scope, "vigil.policy", policy); !s) return s.error();
      if (!existed) {
        chown_like(g->gitconfig(), g->home);
        state.created_files.push_back(g->gitconfig());
        state.file_hashes.push_back("");  // removed on uninstall only when empty again
      }
    }
    res.messages.push_back(fmt::format("gitolite: git config --file {} vigil.policy {}", g->gitconfig(), policy));
  }
  if (opts.dry_run) return res;
  if (!state.empty()) {
    if (auto s = save_state(g->state(), state); !s) return s.error();
    chown_like(g->state(), g->home);
  }
  auto r = run_gitolite(g->home, {"setup", "--hooks-only"});
  if (r.status != 0) {
    return make_error(ErrorCode::Io, fmt::format("`gitolite setup --hooks-only` failed: {} — run it as the gitolite "
                                                 "user to link the hook into every repository",
                                                 r.err));
  }
  res.messages.push_back(fmt::format("gitolite: linked pre-receive into the {} repositories under {} (gitolite setup --hooks-only)",
                                     gitolite_repos(g->repo_base).size(), g->repo_base));
  if (opts.warm_cache) res.messages.push_back(warm_rules_cache(policy, g->home, bin_dir));
  return res;
}

Result<InstallResult> uninstall_gitolite(const InstallOptions& opts) {
  auto g = find_gitolite(opts);
  if (!g) return g.error();
  InstallResult res;
  std::error_code ec;
  const std::string hook = g->hook();
  for (const auto& repo : gitolite_repos(g->repo_base)) {
    const std::string link = (fs::path(repo) / "hooks" / "pre-receive").string();
    if (!links_to(link, hook)) continue;
    if (!opts.dry_run) fs::remove(link, ec);
    res.messages.push_back(fmt::format("gitolite: removed {}", link));
  }
  if (is_vigil_shim(hook)) {
    if (!opts.dry_run) fs::remove(hook, ec);
    res.messages.push_back(fmt::format("gitolite: removed {}", hook));
  }
  const auto state = load_state(g->state());
  if (!state || opts.dry_run) return res;
  for (auto it = state->config.rbegin(); it != state->config.rend(); ++it) {
    auto s = it->previous ? git_config_set(scope_args(it->scope), it->key, *it->previous)
                          : git_config_unset(scope_args(it->scope), it->key);
    if (!s) return s.error();
    res.messages.push_back(it->previous ? fmt::format("gitolite: restored {} = {}", it->key, *it->previous)
                                        : fmt::format("gitolite: unset {}", it->key));
  }
  for (std::size_t i = 0; i < state->created_files.size(); ++i) {
    const auto& f = state->created_files[i];
    if (!fs::exists(f, ec)) continue;
    const std::string now = read_whole_file(f).value_or("");
    // A ~/.gitconfig vigil created goes only when nothing else was written to it since.
    const bool unchanged = state->file_hashes[i].empty() ? now.find_first_not_of(" \t\r\n") == std::string::npos
                                                         : content_hash(now) == state->file_hashes[i];
    if (!unchanged) {
      res.messages.push_back(fmt::format("gitolite: kept {} (edited since install)", f));
      continue;
    }
    fs::remove(f, ec);
    res.messages.push_back(fmt::format("gitolite: removed {}", f));
  }
  for (auto it = state->created_dirs.rbegin(); it != state->created_dirs.rend(); ++it) {
    if (fs::is_directory(*it, ec) && fs::is_empty(*it, ec)) fs::remove(*it, ec);
  }
  fs::remove(g->state(), ec);
  return res;
}

}  // namespace vigil::installer
