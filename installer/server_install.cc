// `vigil install --server`: pre-receive (and update) for bare repositories on a plain git server,
// GitLab (custom_hooks/<hook>.d/) or Gitea/Forgejo (hooks/<hook>.d/), a commented server policy
// scaffold named by `git config vigil.policy`, and a warm rules database cache.
#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "detectors/audit/audit_log.h"
#include "detectors/gates/common.h"
#include "detectors/git/repo.h"
#include "detectors/report/report.h"
#include "detectors/util/process.h"
#include "detectors/util/read_file.h"
#include "installer/install.h"
#include "installer/install_util.h"
#include "installer/templates.h"

namespace fs = std::filesystem;

namespace vigil::installer {

namespace {

constexpr std::string_view kDropInName = "vigil";

std::string state_path(const std::string& git_dir) { return (fs::path(git_dir) / "vigil-install.state").string(); }

std::vector<std::string> server_hooks(bool with_update) {
  return with_update ? std::vector<std::string>{"pre-receive", "update"} : std::vector<std::string>{"pre-receive"};
}

// The drop-in directory of a hook in a GitLab or Gitea layout.
std::string drop_in_dir(const std::string& git_dir, ServerLayout layout, const std::string& hook) {
  return (fs::path(git_dir) / (layout == ServerLayout::GitLab ? "custom_hooks" : "hooks") / (hook + ".d")).string();
}

std::string drop_in_text(const std::string& hook, const std::string& binary, ServerLayout layout) {
  const char* who = layout == ServerLayout::GitLab ? "GitLab (Gitaly runs every executable in custom_hooks/" : "Gitea/Forgejo (its hooks/";
  return fmt::format(R"(#!/bin/sh
{marker} (vigil {version}) — {who}{hook}.d/ with the push's stdin).
# Installed by `vigil install --{flag}`; `vigil uninstall --server` removes it.
# The repository is two levels up; the server may not export GIT_DIR to drop-in hooks.
if [ -z "$GIT_DIR" ]; then GIT_DIR=$(cd "$(dirname "$0")/../.." && pwd); export GIT_DIR; fi
vigil_bin='{binary}'
[ -x "$vigil_bin" ] || vigil_bin=$(command -v vigil-{hook} || true)
if [ -z "$vigil_bin" ]; then
  echo "vigil: error: vigil-{hook} not found on the server — reinstall vigil" >&2
  exit 2
fi
exec "$vigil_bin" "$@"
)",
                     fmt::arg("marker", kShimMarker), fmt::arg("version", vigil_version()), fmt::arg("who", who),
                     fmt::arg("hook", hook), fmt::arg("binary", binary),
                     fmt::arg("flag", layout == ServerLayout::GitLab ? "gitlab" : "gitea"));
}

struct ServerRepo {
  std::string path;     // as given
  std::string git_dir;  // absolute, no trailing '/'
};

Result<ServerRepo> open_server_repo(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    return make_error(ErrorCode::Usage, fmt::format("{} is not a directory — pass the path of a bare repository (<name>.git)", path));
  }
  auto repo = git::Repo::discover(path);
  if (!repo) return repo.error();
  // Both sides canonical: libgit2 resolves symlinks (and /tmp may be one).
  std::string gd = fs::weakly_canonical(repo->git_dir(), ec).string();
  std::string given = fs::weakly_canonical(path, ec).string();
  while (gd.size() > 1 && gd.back() == '/') gd.pop_back();
  while (given.size() > 1 && given.back() == '/') given.pop_back();
  if (!repo->is_bare() || gd != given) {
    return make_error(ErrorCode::Usage, fmt::format("{} is not a bare repository — server hooks go into the repositories "
                                                    "a server receives pushes into (use `vigil install` for a work tree)",
                                                    path));
  }
  return ServerRepo{path, gd};
}

// Who owns the repository: the server's git user, whose cache the hooks will read.
struct Owner {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
  std::string home;
};

std::optional<Owner> owner_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  Owner o{st.st_uid, st.st_gid, std::to_string(st.st_uid), {}};
  if (const passwd* pw = ::getpwuid(st.st_uid)) {
    o.name = pw->pw_name;
    o.home = pw->pw_dir ? pw->pw_dir : "";
  }
  return o;
}

// Compiles the rules once so the first push does not pay for it inside its deadline.
std::string warm_cache(const std::string& policy, const std::string& git_dir, const std::string& bin_dir) {
  const auto owner = owner_of(git_dir);
  if (owner && owner->uid != ::geteuid() && ::geteuid() == 0 && !owner->home.empty()) {
    // The hooks run as the repository's owner, with that user's HOME and so that user's cache:
    // compile as that user (`vigil scan -q -` on empty input compiles and caches the database).
    const std::string vigil = (fs::path(bin_dir) / "vigil").string();
    auto r = run_process({"setpriv", "--reuid=" + std::to_string(owner->uid), "--regid=" + std::to_string(owner->gid),
                          "--init-groups", "env", "HOME=" + owner->home, "XDG_CACHE_HOME=" + owner->home + "/.cache",
                          vigil, "scan", "-q", "-c", policy, "-"},
                         ProcOptions{{}, {}, {}, owner->home});
    if (r.status == 0) {
      return fmt::format("warmed the rules database cache of {} (HOME={}) by running `vigil scan -q -` on empty input as that user",
                         owner->name, owner->home);
    }
    return fmt::format("could not warm the rules cache of {} — run `echo | sudo -u {} -H vigil scan -q -c {} -` "
                       "(the first push compiles it otherwise){}",
                       owner->name, owner->name, policy, r.status >= 0 ? "" : ": " + r.err);
  }
  CompileStats stats;
  auto engine = load_engine("", policy, &stats);
  if (!engine) return fmt::format("the policy does not load: {} — fix it, then run `vigil rules check`", engine.error().message);
  const char* user = std::getenv("USER");
  const std::string who = owner && !owner->name.empty() ? owner->name : (user ? user : "this user");
  if (stats.cache_hit) return fmt::format("rules database cache already warm for {} ({})", who, stats.cache_file);
  if (!stats.cache_note.empty()) {
    return fmt::format("compiled the rules in {:.0f} ms but could not cache them ({}) — set VIGIL_CACHE_DIR to a "
                       "directory the server's git user can write",
                       stats.compile_ms, stats.cache_note);
  }
  return fmt::format("warmed the rules database cache for {} (HOME={}): compiled in {:.0f} ms into {}; hooks run as "
                     "another user need `echo | sudo -u <git-user> -H vigil scan -q -` once",
                     who, std::getenv("HOME") ? std::getenv("HOME") : "?", stats.compile_ms, stats.cache_file);
}

Result<void> install_drop_in(const ServerRepo& repo, const std::string& hook, const std::string& binary,
                             ServerLayout layout, bool dry_run, InstallState& state, InstallResult& res) {
  const std::string dir = drop_in_dir(repo.git_dir, layout, hook);
  const std::string target = (fs::path(dir) / kDropInName).string();
  std::error_code ec;
  if ((fs::exists(target, ec) || fs::is_symlink(target, ec)) && !is_vigil_shim(target)) {
    return make_error(ErrorCode::Io, fmt::format("{} exists and is not vigil's — move it away, then run the install again", target));
  }
  res.hooks_dirs.push_back(dir);
  const std::string text = drop_in_text(hook, binary, layout);
  if (read_whole_file(target).value_or("") == text) {
    res.messages.push_back(fmt::format("{}: {} already installed", repo.path, hook));
    return {};
  }
  if (dry_run) return {};
  if (fs::is_directory(dir, ec)) {
    if (auto w = check_writable_dir(dir); !w) return w.error();
  } else {
    auto created = create_dirs(dir);
    if (!created) return created.error();
    for (const auto& c : *created) {
      chown_like(c, repo.git_dir);
      state.created_dirs.push_back(c);
    }
  }
  const bool update = fs::exists(target, ec);
  if (auto w = write_file(target, text, true); !w) return w.error();
  chown_like(target, repo.git_dir);
  res.messages.push_back(fmt::format("{}: {} {}", repo.path, update ? "updated" : "installed",
                                     fs::path(target).lexically_relative(repo.git_dir).string()));
  if (layout == ServerLayout::Gitea) {
    // Gitea's own hooks/<hook> runs the .d directory; without it nothing runs vigil.
    const std::string dispatcher = (fs::path(repo.git_dir) / "hooks" / hook).string();
    const std::string text_d = read_whole_file(dispatcher).value_or("");  // Gitea writes "${hookname}.d/*"
    if (text_d.find(hook + ".d") == std::string::npos && text_d.find(".d/*") == std::string::npos) {
      res.messages.push_back(fmt::format("{}: note: hooks/{} does not run {}.d/ — in Gitea, run the admin task "
                                         "\"Resynchronize pre-receive, update and post-receive hooks\"",
                                         repo.path, hook, hook));
    }
  }
  return {};
}

}  // namespace

std::string warm_rules_cache(const std::string& policy, const std::string& owner_path, const std::string& bin_dir) {
  return warm_cache(policy, owner_path, bin_dir);
}

Result<InstallResult> install_server(const InstallOptions& opts) {
  if (opts.layout == ServerLayout::Gitolite) return install_gitolite(opts);
  if (opts.server_paths.empty()) {
    return make_error(ErrorCode::Usage, "no repository given — pass the bare repositories: `vigil install --server PATH...`");
  }
  const std::string bin_dir = opts.bin_dir.empty() ? self_dir() : opts.bin_dir;
  InstallResult res;
  std::error_code ec;
  // Check every repository and binary before changing anything.
  std::vector<ServerRepo> repos;
  for (const auto& p : opts.server_paths) {
    auto r = open_server_repo(p);
    if (!r) return r.error();
    repos.push_back(std::move(*r));
  }
  for (const auto& hook : server_hooks(opts.with_update)) {
    const std::string binary = (fs::path(bin_dir) / ("vigil-" + hook)).string();
    if (!fs::exists(binary, ec)) {
      return make_error(ErrorCode::Usage, fmt::format("no vigil-{} binary in {} — build it or pass --bin-dir", hook, bin_dir));
    }
  }

  std::vector<std::string> policies;
  std::string warm_dir;
  for (const auto& repo : repos) {
    auto state = load_state(state_path(repo.git_dir)).value_or(InstallState{});
    // Hooks first: they are what can fail on a read-only directory.
    if (opts.layout == ServerLayout::Plain) {
      InstallOptions ro = opts;
      ro.mode = InstallMode::Repo;
      ro.repo_path = repo.git_dir;
      ro.hooks = server_hooks(opts.with_update);
      ro.bin_dir = bin_dir;
      auto r = install_repo(ro);
      if (!r) return r.error();
      for (const auto& m : r->messages) res.messages.push_back(repo.path + ": " + m);
      res.hooks_dirs.insert(res.hooks_dirs.end(), r->hooks_dirs.begin(), r->hooks_dirs.end());
      for (const auto& h : ro.hooks) chown_like((fs::path(r->hooks_dirs.front()) / h).string(), repo.git_dir);
      state = load_state(state_path(repo.git_dir)).value_or(InstallState{});  // install_repo may have added to it
    } else {
      for (const auto& hook : server_hooks(opts.with_update)) {
        const std::string binary = (fs::path(bin_dir) / ("vigil-" + hook)).string();
        if (auto r = install_drop_in(repo, hook, binary, opts.layout, opts.dry_run, state, res); !r) return r.error();
      }
    }

    // The policy: --policy, else what vigil.policy already names, else a scaffold in the repository.
    const std::vector<std::string> repo_scope = {"--file", (fs::path(repo.git_dir) / "config").string()};
    const auto current = git_config_get(repo_scope, "vigil.policy");
    std::string policy = opts.policy_file;
    if (policy.empty()) policy = current.value_or((fs::path(repo.git_dir) / "vigil-policy.toml").string());
    policy = fs::absolute(policy, ec).lexically_normal().string();
    if (!fs::exists(policy, ec)) {
      if (!opts.dry_run) {
        if (auto c = create_dirs(fs::path(policy).parent_path().string()); !c) return c.error();
        const std::string text = server_policy_text();
        if (auto w = write_file(policy, text, false); !w) return w.error();
        chown_like(policy, repo.git_dir);
        state.created_files.push_back(policy);
        state.file_hashes.push_back(content_hash(text));
      }
      res.messages.push_back(fmt::format("{}: wrote the server policy scaffold {} (every [server] key documented)", repo.path, policy));
    }
    if (current != policy) {
      if (!opts.dry_run) {
        state.config.push_back({repo_scope[1], "vigil.policy", current});
        if (auto s = git_config_set(repo_scope, "vigil.policy", policy); !s) return s.error();
      }
      res.messages.push_back(fmt::format("{}: git config vigil.policy {}", repo.path, policy));
    }
    // The audit trail's HMAC key, readable by the hooks' user only. Kept on uninstall: the log it
    // signed stays verifiable. (A [server] audit_key in the policy points elsewhere.)
    const std::string key = (fs::path(repo.git_dir) / "vigil-audit.key").string();
    if (!fs::exists(key, ec)) {
      if (!opts.dry_run) {
        auto made = ensure_audit_key(key);
        if (!made) return made.error();
        chown_like(key, repo.git_dir);
      }
      res.messages.push_back(fmt::format("{}: made the audit log's HMAC key {} (mode 0600; keep a copy off the server "
                                         "to run `vigil audit verify --key`)",
                                         repo.path, key));
    }
    if (!opts.dry_run && !state.empty()) {
      if (auto s = save_state(state_path(repo.git_dir), state); !s) return s.error();
      chown_like(state_path(repo.git_dir), repo.git_dir);
    }
    if (std::find(policies.begin(), policies.end(), policy) == policies.end()) {
      policies.push_back(policy);
      warm_dir = repo.git_dir;
    }
  }
  if (opts.warm_cache && !opts.dry_run) {
    for (const auto& p : policies) res.messages.push_back(warm_cache(p, warm_dir, bin_dir));
  }
  return res;
}

Result<InstallResult> uninstall_server(const InstallOptions& opts) {
  if (opts.layout == ServerLayout::Gitolite) return uninstall_gitolite(opts);
  if (opts.server_paths.empty()) {
    return make_error(ErrorCode::Usage, "no repository given — pass the bare repositories: `vigil uninstall --server PATH...`");
  }
  InstallResult res;
  std::error_code ec;
  for (const auto& p : opts.server_paths) {
    auto repo = open_server_repo(p);
    if (!repo) return repo.error();
    // Every layout, whichever was installed: uninstall must not need to be told.
    InstallOptions ro = opts;
    ro.mode = InstallMode::Repo;
    ro.repo_path = repo->git_dir;
    ro.hooks = {"pre-receive", "update"};
    auto r = uninstall_repo(ro);
    if (!r) return r.error();
    for (const auto& m : r->messages) res.messages.push_back(repo->path + ": " + m);
    for (auto layout : {ServerLayout::GitLab, ServerLayout::Gitea}) {
      for (const std::string hook : {"pre-receive", "update"}) {
        const std::string target = (fs::path(drop_in_dir(repo->git_dir, layout, hook)) / kDropInName).string();
        if (!is_vigil_shim(target)) continue;
        if (!opts.dry_run) {
          fs::remove(target, ec);
          if (ec) return make_error(ErrorCode::Io, fmt::format("cannot remove {}: {} — check its directory's permissions", target, ec.message()));
        }
        res.messages.push_back(fmt::format("{}: removed {}", repo->path, fs::path(target).lexically_relative(repo->git_dir).string()));
      }
    }
    // The audit key goes only when no log it could have signed exists: a log must stay verifiable.
    const auto key = fs::path(repo->git_dir) / "vigil-audit.key";
    if (fs::exists(key, ec) && !fs::exists(fs::path(repo->git_dir) / "vigil-audit.jsonl", ec)) {
      if (!opts.dry_run) fs::remove(key, ec);
      res.messages.push_back(fmt::format("{}: removed vigil-audit.key (no audit log was written with it)", repo->path));
    }
    // The hooks' per-push records (push_snapshot.h): transient, and vigil's alone.
    const std::string records = (fs::path(repo->git_dir) / "vigil-push").string();
    if (fs::is_directory(records, ec)) {
      if (!opts.dry_run) fs::remove_all(records, ec);
      res.messages.push_back(fmt::format("{}: removed vigil-push/", repo->path));
    }
    const auto state = load_state(state_path(repo->git_dir));
    if (!state || opts.dry_run) continue;
    for (auto it = state->config.rbegin(); it != state->config.rend(); ++it) {
      auto s = it->previous ? git_config_set(scope_args(it->scope), it->key, *it->previous)
                            : git_config_unset(scope_args(it->scope), it->key);
      if (!s) return s.error();
      res.messages.push_back(it->previous ? fmt::format("{}: restored {} = {}", repo->path, it->key, *it->previous)
                                          : fmt::format("{}: unset {}", repo->path, it->key));
    }
    for (std::size_t i = 0; i < state->created_files.size(); ++i) {
      const auto& f = state->created_files[i];
      if (!fs::exists(f, ec)) continue;
      if (content_hash(read_whole_file(f).value_or("")) != state->file_hashes[i]) {
        res.messages.push_back(fmt::format("{}: kept {} (edited since install)", repo->path, f));
        continue;
      }
      fs::remove(f, ec);
      res.messages.push_back(fmt::format("{}: removed {}", repo->path, f));
    }
    for (auto it = state->created_dirs.rbegin(); it != state->created_dirs.rend(); ++it) {
      if (fs::is_directory(*it, ec) && fs::is_empty(*it, ec)) fs::remove(*it, ec);
    }
    fs::remove(state_path(repo->git_dir), ec);
  }
  return res;
}

}  // namespace vigil::installer
