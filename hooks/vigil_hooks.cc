// vigil-hooks: every git hook vigil provides, in one binary. It is installed once and reached
// through links named after the hooks (vigil-pre-commit, vigil-commit-msg, ...): the hooks are
// linked statically for start-up time, and five ~19 MB copies of the same libraries would make
// the package five times larger. The name it is run under picks the hook, as git does with its
// own builtins; `vigil-hooks <hook> [args]` works too.
#include <fmt/format.h>

#include <unistd.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "detectors/gates/commit_msg.h"
#include "detectors/gates/common.h"
#include "detectors/gates/pre_commit.h"
#include "detectors/gates/push_hooks.h"

namespace {

// vigil-pre-commit: blocks a commit whose staged, added lines contain secrets. git runs it from
// the top of the work tree, with GIT_INDEX_FILE naming the index to judge.
int pre_commit(int, char**) {
  vigil::set_bypass_hint("git commit --no-verify");  // an error here stops the commit: name the escape
  return vigil::run_pre_commit(vigil::AtEnd::Exit);
}

// vigil-commit-msg: blocks a commit whose message breaks the [messages] rules (subject, trailers,
// forbidden patterns, author and committer email) or contains a secret. argv[1]: the message file.
int commit_msg(int argc, char** argv) {
  vigil::set_bypass_hint("git commit --no-verify");
  return vigil::run_commit_msg(argc, argv);
}

// vigil-pre-push: blocks a push whose new commits carry secrets or break the repository policy,
// before anything leaves the laptop. git passes the remote on argv and the refs on stdin.
int pre_push(int argc, char** argv) {
  vigil::set_bypass_hint("git push --no-verify");
  return vigil::run_pre_push(argc, argv);
}

// vigil-pre-receive: the server gate. Judges every ref update of a push inside git's quarantine,
// under the server's policy floor and deadline, and records each decision in the audit trail.
int pre_receive(int, char**) { return vigil::run_pre_receive(); }

// vigil-update: the per-ref server gate (git's update hook): judges one ref update.
int update(int argc, char** argv) { return vigil::run_update(argc, argv); }

struct Hook {
  std::string_view name;
  int (*run)(int, char**);
  std::string_view usage;  // what `vigil-<hook> --help` prints: git runs the hook, not people
};

constexpr std::string_view kLaptopEnv =
    "Environment:\n"
    "  VIGIL_FORMAT=json|sarif|...        report format [default: text]\n"
    "  VIGIL_SKIP=<rule-id>[,...] VIGIL_SKIP_REASON=\"<why>\"\n"
    "                                     let those rules' findings through once, recorded in the\n"
    "                                     audit log (where [settings] allow_skip permits it)\n";
constexpr std::string_view kServerEnv =
    "Policy: the file `git config vigil.policy` names (the floor), tightened by the repository's\n"
    ".vigil.toml at the old tip. Every decision is appended to the audit log.\n"
    "Environment: VIGIL_FORMAT=json|sarif|... report format [default: text]\n";
constexpr std::string_view kExit = "Exit status: 0 allowed, 1 blocked by policy, 2 vigil could not do its job.\n";

constexpr Hook kHooks[] = {
    {"pre-commit", pre_commit,
     "usage: vigil-pre-commit   (run by git as the pre-commit hook)\n"
     "Blocks a commit whose staged changes add a secret or break the file policy of .vigil.toml.\n"
     "Reads the index git names in GIT_INDEX_FILE; run from the top of the work tree.\n"},
    {"commit-msg", commit_msg,
     "usage: vigil-commit-msg <message-file>   (run by git as the commit-msg hook)\n"
     "Applies the [messages] rules of .vigil.toml and blocks a secret in the message.\n"},
    {"pre-push", pre_push,
     "usage: vigil-pre-push <remote> <url>   (run by git as the pre-push hook; refs on stdin)\n"
     "Blocks a push whose commits the remote lacks carry secrets or break the repository policy\n"
     "(files, messages, refs, signatures), before anything is sent.\n"},
    {"pre-receive", pre_receive,
     "usage: vigil-pre-receive   (run by git on the server; ref updates on stdin)\n"
     "Judges every ref update of a push inside git's quarantine, under the server's policy and deadline.\n"},
    {"update", update,
     "usage: vigil-update <ref> <old> <new>   (run by git on the server, once per ref)\n"
     "Judges one ref update, as pre-receive does for all of them.\n"},
};

// `vigil-<hook> --help` (or -h) answers without running the hook: a hook run by hand with
// --help must not read stdin or judge anything.
bool wants_help(int argc, char** argv) {
  if (argc < 2 || !argv[1]) return false;
  const std::string_view a = argv[1];
  return a == "--help" || a == "-h";
}

int print_help(const Hook& h) {
  const bool server = h.name == "pre-receive" || h.name == "update";
  fmt::print("{}\n{}\n{}Install with `vigil install`{}; `vigil doctor` checks the set-up.\n",
             h.usage, server ? kServerEnv : kLaptopEnv, kExit, server ? " --server <repo.git>" : "");
  return vigil::kExitAllowed;
}

const Hook* find(std::string_view name) {
  for (const auto& h : kHooks) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

// The hook a path names: "vigil-pre-commit" or, when git runs a link to the binary installed as
// the hook itself, ".git/hooks/pre-commit". A link whose own name says nothing (GitLab's
// custom_hooks/pre-receive.d/vigil) is followed to the vigil-<hook> link it points at.
const Hook* hook_for(std::string path) {
  for (int depth = 0; depth < 8 && !path.empty(); ++depth) {
    std::string_view name = path;
    if (const auto slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
    if (name.starts_with("vigil-")) name.remove_prefix(6);
    if (const Hook* h = find(name)) return h;
    char target[4096];
    const ssize_t n = readlink(path.c_str(), target, sizeof target);
    if (n <= 0 || static_cast<std::size_t>(n) >= sizeof target) break;
    const std::string t(target, static_cast<std::size_t>(n));
    const auto dir = path.rfind('/');
    path = t.front() == '/' || dir == std::string::npos ? t : path.substr(0, dir + 1) + t;
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string self = argc > 0 && argv[0] ? argv[0] : "";
  if (const Hook* h = hook_for(self)) return wants_help(argc, argv) ? print_help(*h) : h->run(argc, argv);
  // Run under its own name: the hook is the first argument, and the rest are the hook's.
  if (argc > 1) {
    if (const Hook* h = find(argv[1])) return wants_help(argc - 1, argv + 1) ? print_help(*h) : h->run(argc - 1, argv + 1);
  }
  if (wants_help(argc, argv)) {
    fmt::print("usage: vigil-hooks <hook> [args]   (or run through the links vigil-<hook>)\n"
               "Hooks: pre-commit, commit-msg, pre-push, pre-receive, update; `vigil-<hook> --help` describes one.\n");
    return vigil::kExitAllowed;
  }
  fmt::print(stderr,
             "vigil: error: vigil-hooks does not know which hook to run ('{}') — call it as vigil-pre-commit, "
             "vigil-commit-msg, vigil-pre-push, vigil-pre-receive or vigil-update, or pass the hook name first\n",
             self);
  return vigil::kExitError;
}
