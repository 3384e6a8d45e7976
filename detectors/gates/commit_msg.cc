#include "detectors/gates/commit_msg.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "detectors/gates/common.h"
#include "detectors/gates/laptop_skip.h"
#include "detectors/git/repo.h"
#include "detectors/util/read_file.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

// git's ident order: the GIT_<ROLE>_EMAIL variable (git exports the author's for commit hooks,
// including --author), then <role>.email, user.email and EMAIL.
std::optional<std::string> ident_email(const git::Repo& repo, const char* role) {
  const std::string upper = role == std::string("author") ? "AUTHOR" : "COMMITTER";
  if (auto e = env(("GIT_" + upper + "_EMAIL").c_str())) return e;
  if (auto e = repo.config_string(std::string(role) + ".email")) return e;
  if (auto e = repo.config_string("user.email")) return e;
  return env("EMAIL");
}

// The branch HEAD names ("refs/heads/main"); empty when detached.
std::string head_ref(const git::Repo& repo) {
  std::ifstream in(repo.git_dir() + "/HEAD");
  std::string line;
  std::getline(in, line);
  if (line.rfind("ref: ", 0) != 0) return {};
  return std::string(trim(std::string_view(line).substr(5)));
}

}  // namespace

int run_commit_msg(int argc, char** argv) {
  const auto t0 = std::chrono::steady_clock::now();
  if (argc < 2) {
    return die(make_error(ErrorCode::Usage, "commit-msg needs the message file as its argument — git passes it; "
                                            "run this as a commit-msg hook"));
  }
  const std::string msg_path = argv[1];
  const auto text = read_whole_file(msg_path);
  if (!text) return die(make_error(ErrorCode::Io, fmt::format("cannot read the commit message '{}'", msg_path)));
  const std::string& raw = *text;

  git::LibGit2Session session;
  std::error_code ec;
  auto repo = git::Repo::discover(std::filesystem::current_path(ec).string());
  if (!repo) return die(repo.error());
  auto engine = load_engine(repo->workdir());
  if (!engine) return die(engine.error());
  const Config& config = engine->config;

  // git runs commit-msg with GIT_EDITOR=":" when no editor was opened (-m, -F), and then keeps
  // '#' lines; with an editor they are comments and git drops them.
  const auto editor = env("GIT_EDITOR");
  const bool editor_used = !editor || *editor != ":";
  const auto cleanup_value = repo->config_string("commit.cleanup").value_or("default");
  const auto cleanup = parse_message_cleanup(cleanup_value, editor_used);
  if (!cleanup) {
    return die(make_error(ErrorCode::Config, fmt::format("unknown commit.cleanup '{}' — use strip, whitespace, "
                                                         "verbatim, scissors or default",
                                                         cleanup_value)));
  }
  char comment = '#';
  if (auto cc = repo->config_string("core.commentChar"); cc && !cc->empty() && *cc != "auto") comment = (*cc)[0];

  CommitMessageInfo info;
  info.message = clean_commit_message(raw, *cleanup, comment);
  info.author_email = ident_email(*repo, "author");
  info.committer_email = ident_email(*repo, "committer");
  info.merge = std::filesystem::exists(repo->git_dir() + "/MERGE_HEAD", ec) ||
               std::filesystem::path(msg_path).filename() == "MERGE_MSG";
  info.ref = head_ref(*repo);
  info.label = "COMMIT_EDITMSG";

  ScanReport report;
  report.tool_version = vigil_version();
  report.rules_version = engine->version;
  report.target = "commit message";
  report.findings = check_commit_message(config.messages, info, config.settings.mode);
  // A finding that quotes the subject must not repeat a secret written in it.
  if (auto m = mask_quoted_input(*engine, report.findings); !m) return die(m.error());

  auto scan = ScanSession::create(*engine);
  if (!scan) return die(scan.error());
  BufferContext ctx;
  ctx.path = "COMMIT_EDITMSG";
  auto r = scan->scan_buffer(info.message, ctx, report.findings, report.skips);
  if (!r) return die(r.error());
  report.items_scanned = 1;
  report.bytes_scanned = info.message.size();
  laptop_skip(*repo, config, "commit-msg", report);  // VIGIL_SKIP: audited bypass, as in pre-commit
  report.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  auto out = emit_report(report, hook_format(), Audience::Committer);
  if (!out) return die(out.error());
  // A message over a bound (max_file_size) was not judged: block, never pass it unread.
  const bool unjudged = block_on_bound_hits(report, "commit", "git commit --no-verify");
  return report.blocked() || unjudged ? kExitBlocked : kExitAllowed;
}

}  // namespace vigil
