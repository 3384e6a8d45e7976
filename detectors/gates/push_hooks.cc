#include "detectors/gates/push_hooks.h"

#include <fmt/format.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <future>
#include <thread>

#include "detectors/audit/audit_log.h"
#include "detectors/gates/common.h"
#include "detectors/gates/identity_gate.h"
#include "detectors/gates/laptop_skip.h"
#include "detectors/gates/push_gate.h"
#include "detectors/gates/push_snapshot.h"
#include "detectors/git/refs.h"
#include "detectors/git/remotes.h"
#include "detectors/gates/server_policy_file.h"
#include "detectors/policy/server_policy.h"
#include "detectors/report/finding_json.h"
#include "detectors/gates/name_scan.h"
#include "detectors/util/quote.h"
#include "detectors/util/read_file.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

std::string now_iso() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The audit record's name for the pusher: "unknown" when no variable of pusher_env names one.
std::string pusher_name(const ServerSettings& s) {
  const auto id = pusher_from_env(s);
  return id.known() ? id.name : "unknown";
}

// Ref names as the audit record keeps them: any long random run masked (the rules have masked what
// they know already, when the engine could be built), quoted when not UTF-8.
std::string audit_ref_name(std::string_view ref) {
  std::string out;
  for (std::size_t i = 0; i < ref.size();) {
    auto word = [&](std::size_t k) { return k < ref.size() && (std::isalnum(static_cast<unsigned char>(ref[k])) || ref[k] == '_'); };
    std::size_t j = i;
    while (word(j)) ++j;
    if (j == i) {
      out += ref[i++];
      continue;
    }
    const auto run = ref.substr(i, j - i);
    out += run.size() >= 20 && shannon_entropy(run) >= 3.5 ? redact(run) : std::string(run);
    i = j;
  }
  return quote_name(out, NameQuoting::Json);
}

nlohmann::json updates_json(const std::vector<RefUpdate>& updates) {
  auto arr = nlohmann::json::array();
  for (const auto& u : updates) arr.push_back({{"ref", audit_ref_name(u.ref)}, {"old", u.old_oid}, {"new", u.new_oid}});
  return arr;
}

struct ServerOutcome {
  bool accept = false;
  std::string decision;  // "accept", "reject", "bypass", "timeout-reject", ...
  std::string reason;
};

int finish_server(GateKind kind, const git::Repo& repo, const Config& cfg, const std::string& rules_version,
                  const std::vector<RefUpdate>& updates, const std::string& pusher, const ScanReport* report,
                  const ServerOutcome& outcome, const std::string& bypass_reason, const std::vector<std::string>& notes,
                  double duration_ms, const AiCounts* ai = nullptr) {
  nlohmann::json rec = {
      {"time", now_iso()},
      {"hook", to_string(kind)},
      {"repo", quote_name(repo.git_dir(), NameQuoting::Json)},
      {"pusher", pusher},
      {"updates", updates_json(updates)},
      {"decision", outcome.decision},
      {"duration_ms", duration_ms},
      {"vigil_version", vigil_version()},
      {"rules_version", rules_version},
  };
  if (const auto id = pusher_from_env(cfg.server); id.known()) rec["pusher_source"] = id.source;
  if (ai && (ai->assisted > 0 || ai->escalated > 0)) {
    rec["ai"] = {{"assisted", ai->assisted}, {"escalated", ai->escalated}, {"approved", ai->approved}, {"escalated_commits", ai->escalated_commits}};
  }
  if (!outcome.reason.empty()) rec["reason"] = outcome.reason;
  if (!bypass_reason.empty()) rec["bypass"] = {{"reason", bypass_reason}, {"by", pusher}};
  if (!notes.empty()) rec["notes"] = notes;
  auto findings = nlohmann::json::array();
  auto skips = nlohmann::json::array();  // every input not judged, and why: a skip is never silent
  if (report) {
    for (const auto& f : report->findings) findings.push_back(finding_to_json(f));
    for (const auto& s : report->skips) {
      nlohmann::json j = {{"path", s.path}, {"reason", s.reason}};
      if (!s.commit.empty()) j["commit"] = s.commit;
      if (!s.bound.empty()) j["bound"] = s.bound;
      skips.push_back(std::move(j));
    }
    rec["commits_scanned"] = report->items_scanned;
  }
  rec["findings"] = findings;
  rec["skips"] = skips;
  const std::string log = cfg.server.audit_log.empty() ? repo.git_dir() + "/vigil-audit.jsonl" : cfg.server.audit_log;
  auto w = audit_append(log, rec, AuditKeyOptions{cfg.server.audit_key, true});
  if (!w) {
    fmt::print(stderr, "vigil: error: {}\n", w.error().message);
    if (!outcome.accept || !cfg.server.accept_on_error) {
      fmt::print(stderr, "vigil: push rejected: the decision could not be recorded (fail closed)\n");
      return kExitBlocked;
    }
  }
  return outcome.accept ? kExitAllowed : kExitBlocked;
}

int run_server(GateKind kind, std::vector<RefUpdate> updates) {
  const auto t0 = std::chrono::steady_clock::now();
  git::LibGit2Session session;
  auto repo = git::Repo::open_from_env();
  if (!repo) {
    fmt::print(stderr, "vigil: error: {}\nvigil: push rejected: vigil could not run (fail closed)\n", repo.error().message);
    return kExitError;
  }
  std::vector<std::string> notes;
  // The update hook: judged already (and audited) by pre-receive, or judged against the refs, the
  // policy and the trusted keys as they were before the push moved any sibling ref.
  UpdateView view;
  if (kind == GateKind::Update) {
    view = update_view(*repo, updates.front());
    if (view.judged_by_pre_receive) return kExitAllowed;
    if (!view.note.empty()) notes.push_back(view.note);
  }
  const auto& before = view.before;
  const std::string& snapshot_error = view.error;
  const std::string head_rev = before ? (before->head.empty() ? std::string(git::kZeroOid) : before->head) : "HEAD";
  // The floor, tightened by the repository's .vigil.toml at the old tip (server_policy_file.h).
  auto policy = load_server_policy(*repo, notes, head_rev);
  Result<Config> cfg = policy ? Result<Config>(std::move(policy->effective)) : Result<Config>(policy.error());
  if (!cfg) {
    // Without a readable policy there is no floor to apply: reject, always.
    fmt::print(stderr, "vigil: error: {}\nvigil: push rejected: the server policy is unreadable (fail closed)\n",
               cfg.error().message);
    return kExitError;
  }
  const ServerSettings server = cfg->server;
  const std::string pusher = pusher_name(server);
  if (!snapshot_error.empty()) {
    // Without the record, refs this push already moved would count as judged: an internal error.
    fmt::print(stderr, "vigil: error: {}\n", snapshot_error);
    if (!server.accept_on_error) {
      fmt::print(stderr, "vigil: push rejected: internal error (fail closed)\n");
      return finish_server(kind, *repo, *cfg, "", updates, pusher, nullptr, {false, "error-reject", snapshot_error}, "",
                           notes, ms_since(t0));
    }
    notes.push_back("update hook: " + snapshot_error + "; judged against the repository as it is (on_error = \"accept\")");
  }
  auto engine = Engine::create(*cfg);
  if (!engine && policy->floor) {
    // The repository's rules broke the merged set after all: the floor still judges alone.
    notes.push_back("ignored the repository's .vigil.toml: " + engine.error().message + " — the server floor applies alone");
    cfg = std::move(*policy->floor);
    engine = Engine::create(*cfg);
  }
  if (!engine) {
    fmt::print(stderr, "vigil: error: {}\n", engine.error().message);
    ServerOutcome o{server.accept_on_error, server.accept_on_error ? "error-accept" : "error-reject", engine.error().message};
    if (!o.accept) fmt::print(stderr, "vigil: push rejected: internal error (fail closed)\n");
    return finish_server(kind, *repo, *cfg, "", updates, pusher, nullptr, o, "", notes, ms_since(t0));
  }

  // The judgement runs on a worker; the deadline is enforced here, whatever the worker is doing.
  const auto deadline = t0 + std::chrono::milliseconds(server.deadline_ms);
  auto stop = std::make_shared<std::atomic<bool>>(false);
  PushRequest req;
  req.kind = kind;
  req.updates = updates;
  req.jobs = server.jobs;
  req.should_stop = [stop] { return stop->load(); };
  req.open_repo = [] { return git::Repo::open_from_env(); };
  req.pusher = pusher_from_env(server);
  req.pusher_env = server.pusher_env;
  if (before) {
    req.refs_before = before->refs;
    req.trust_rev = head_rev;
  }
  // From here on `updates` only feeds the audit record: a secret pasted into a ref name is masked.
  if (auto masker = NameMasker::create(*engine)) {
    for (auto& u : updates) {
      if (auto m = masker->mask(u.ref)) u.ref = std::move(*m);
    }
  }
  std::packaged_task<Result<PushVerdict>()> task([&] { return judge_push(*repo, *engine, req); });
  auto fut = task.get_future();
  std::thread worker(std::move(task));
  // Late is late: a verdict that arrives after the deadline counts as a timeout too, so the
  // outcome does not depend on thread scheduling.
  if (fut.wait_until(deadline) == std::future_status::timeout || std::chrono::steady_clock::now() > deadline) {
    stop->store(true);
    worker.detach();
    const bool accept = server.accept_on_timeout;
    fmt::print(stderr, "vigil: push {}: the check did not finish within {} ms ({})\n", accept ? "accepted" : "rejected",
               server.deadline_ms, accept ? "fail open, recorded" : "fail closed; push fewer commits at a time or ask an admin");
    ServerOutcome o{accept, accept ? "timeout-accept" : "timeout-reject", "deadline exceeded"};
    const int code = finish_server(kind, *repo, *cfg, engine->version, updates, pusher, nullptr, o, "", notes, ms_since(t0));
    std::fflush(stderr);
    std::_Exit(code);  // the worker may still hold libgit2 objects: do not run destructors
  }
  worker.join();
  auto verdict = fut.get();
  if (!verdict) {
    const bool accept = server.accept_on_error;
    fmt::print(stderr, "vigil: error: {}\nvigil: push {}: internal error ({})\n", verdict.error().message,
               accept ? "accepted" : "rejected", accept ? "fail open, recorded" : "fail closed");
    ServerOutcome o{accept, accept ? "error-accept" : "error-reject", verdict.error().message};
    return finish_server(kind, *repo, *cfg, engine->version, updates, pusher, nullptr, o, "", notes, ms_since(t0));
  }
  auto& report = verdict->report;
  report.tool_version = vigil_version();
  report.rules_version = engine->version;
  report.target = fmt::format("{} new commit{}", verdict->commits, verdict->commits == 1 ? "" : "s");
  report.items_scanned = verdict->commits;
  // A pushed .vigil.toml that does not parse or compile never lands (it would judge later pushes).
  if (auto pf = pushed_policy_findings(*repo, req.updates); !pf) {  // the real ref names, not the masked ones
    const bool accept = server.accept_on_error;
    fmt::print(stderr, "vigil: error: {}\nvigil: push {}: internal error ({})\n", pf.error().message,
               accept ? "accepted" : "rejected", accept ? "fail open, recorded" : "fail closed");
    ServerOutcome o{accept, accept ? "error-accept" : "error-reject", pf.error().message};
    return finish_server(kind, *repo, *cfg, engine->version, updates, pusher, nullptr, o, "", notes, ms_since(t0));
  } else {
    for (auto& f : *pf) report.findings.push_back(std::move(f));
    if (!pf->empty()) (void)mask_names(*engine, report.findings, report.skips);  // they quote paths too
  }

  // Audited bypass: `git push -o vigil.bypass=<reason>`, where the server policy allows it.
  std::string bypass_reason;
  ServerOutcome outcome{true, "accept", ""};
  if (report.blocked()) {
    outcome = {false, "reject", "blocking findings"};
    for (const auto& opt : push_options_from_env()) {
      auto reason = bypass_option_reason(opt);
      if (!reason) continue;
      bypass_reason = std::move(*reason);
      // The reason is printed and kept in the audit trail: a secret pasted into it must not be.
      if (auto s = ScanSession::create(*engine); s && !bypass_reason.empty()) {
        if (auto m = s->mask_secrets(bypass_reason)) bypass_reason = std::move(*m);
      }
      std::string refusal;
      if (!server.bypass_allowed) {
        refusal = "bypass is not allowed by the server policy";
      } else if (bypass_reason.empty()) {
        refusal = "a bypass needs a reason: git push -o vigil.bypass=\"<why>\"";
      } else if (!server.bypass_users.empty() &&
                 std::find(server.bypass_users.begin(), server.bypass_users.end(), pusher) == server.bypass_users.end()) {
        refusal = fmt::format("pusher '{}' may not bypass", pusher);
      } else {
        for (const auto& f : report.findings) {
          if (f.disposition == Disposition::Block && f.severity > server.bypass_max_severity) {
            refusal = fmt::format("{} findings ({}) cannot be bypassed", to_string(f.severity), f.rule_id);
            break;
          }
        }
      }
      if (!refusal.empty()) {
        fmt::print(stderr, "vigil: bypass refused: {}\n", refusal);
        notes.push_back("bypass refused: " + refusal);
        bypass_reason.clear();
        break;
      }
      for (auto& f : report.findings) {
        if (f.disposition == Disposition::Block) {
          f.disposition = Disposition::Bypassed;
          f.note = "bypassed by " + pusher + ": " + bypass_reason;
        }
      }
      outcome = {true, "bypass", "bypassed: " + bypass_reason};
      fmt::print(stderr, "vigil: push accepted with a recorded bypass by {}: {}\n", pusher, bypass_reason);
      break;
    }
  }
  // A bound reached (size, candidates, confirmation, decoding) means part of the push was not
  // judged: rejected unless the server policy accepts that explicitly. A bypass covers findings,
  // never what was not read.
  const std::string bounds = bound_hits_summary(report);
  if (!bounds.empty()) {
    if (!server.accept_on_limit && outcome.accept) {
      outcome = {false, "limit-reject", "not fully judged, bounds reached: " + bounds};
    } else if (server.accept_on_limit && outcome.decision == "accept") {
      outcome = {true, "limit-accept", "not fully judged, bounds reached: " + bounds};
    }
  }
  // Skipped paths are quoted on screen and in the audit record: a secret in a name is masked.
  if (auto s = ScanSession::create(*engine); s && !report.skips.empty()) {
    for (auto& sk : report.skips) {
      if (auto m = s->mask_secrets(sk.path)) sk.path = std::move(*m);
    }
  }
  report.duration_ms = ms_since(t0);
  auto out = emit_report(report, hook_format(), Audience::Server);
  if (!out) fmt::print(stderr, "vigil: error: {}\n", out.error().message);
  if (!bounds.empty()) {
    fmt::print(stderr, "vigil: push {}: not fully judged, a bound was reached: {} ({})\n",
               server.accept_on_limit ? "accepted" : "rejected", bounds,
               server.accept_on_limit ? "on_limit = \"accept\", recorded"
                                      : "fail closed; the skipped lines above name the key that raises each bound, "
                                        "or an admin sets [server] on_limit = \"accept\"");
  }
  if (!outcome.accept && server.bypass_allowed && outcome.decision != "limit-reject") {
    fmt::print(stderr, "bypass (recorded, if policy allows): git push -o vigil.bypass=\"<reason>\"\n");
  }
  const int code = finish_server(kind, *repo, *cfg, engine->version, updates, pusher, &report, outcome, bypass_reason,
                                 notes, report.duration_ms, &verdict->ai);
  if (code == kExitAllowed && kind == GateKind::PreReceive) record_accepted(*repo, req.updates);  // real names: `updates` is masked
  return code;
}

}  // namespace

int run_pre_push(int argc, char** argv) {
  const auto t0 = std::chrono::steady_clock::now();
  git::LibGit2Session session;
  auto updates = parse_pre_push_input(read_whole_fd(0).value_or(std::string()));
  if (!updates) return die(updates.error());
  std::error_code ec;
  auto repo = git::Repo::discover(std::filesystem::current_path(ec).string());
  if (!repo) return die(repo.error());
  auto engine = load_engine(repo->is_bare() ? repo->git_dir() : repo->workdir());
  if (!engine) return die(engine.error());
  PushRequest req;
  req.kind = GateKind::PrePush;
  req.updates = std::move(*updates);
  req.remote = argc > 1 ? argv[1] : "";
  // A push by URL gives the URL as the "remote name": map it to the remote configured with that
  // URL, whose tracking refs say what the remote already has. The remote's old values given on
  // stdin are hidden either way (judge_push).
  if (req.remote.find('/') != std::string::npos || req.remote.find(':') != std::string::npos) {
    req.remote = git::remote_for_url(*repo, argc > 2 ? argv[2] : req.remote).value_or("");
  }
  req.jobs = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  const std::string path = repo->is_bare() ? repo->git_dir() : repo->workdir();
  req.open_repo = [path] { return git::Repo::discover(path); };
  auto verdict = judge_push(*repo, *engine, req);
  if (!verdict) return die(verdict.error());
  auto& report = verdict->report;
  report.tool_version = vigil_version();
  report.rules_version = engine->version;
  report.target = fmt::format("{} new commit{}", verdict->commits, verdict->commits == 1 ? "" : "s");
  report.duration_ms = ms_since(t0);
  laptop_skip(*repo, engine->config, "pre-push", report);  // VIGIL_SKIP: audited bypass
  auto out = emit_report(report, hook_format(), Audience::Pusher);
  if (!out) return die(out.error());
  const bool unjudged = block_on_bound_hits(report, "push", "git push --no-verify");
  return report.blocked() || unjudged ? kExitBlocked : kExitAllowed;
}

int run_pre_receive() {
  auto updates = parse_pre_receive_input(read_whole_fd(0).value_or(std::string()));
  if (!updates) {
    fmt::print(stderr, "vigil: error: {}\nvigil: push rejected (fail closed)\n", updates.error().message);
    return kExitError;
  }
  return run_server(GateKind::PreReceive, std::move(*updates));
}

int run_update(int argc, char** argv) {
  auto update = parse_update_args(argc, argv);
  if (!update) {
    fmt::print(stderr, "vigil: error: {}\nvigil: push rejected (fail closed)\n", update.error().message);
    return kExitError;
  }
  return run_server(GateKind::Update, {*update});
}

}  // namespace vigil
