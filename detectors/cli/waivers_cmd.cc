// `vigil waivers list|check`: exception hygiene — expired waivers, waivers expiring soon,
// waivers that match nothing any more (stale), and entries with missing or invalid fields.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "detectors/cli/commands.h"
#include "detectors/gates/common.h"
#include "detectors/git/repo.h"
#include "detectors/git/tree_paths.h"
#include "detectors/policy/governance_toml.h"
#include "detectors/util/read_file.h"

namespace fs = std::filesystem;

namespace vigil::cli {

namespace {

struct WaiversArgs {
  std::string config;
  std::string scan_report;  // `vigil scan --format json` output to test staleness against
  bool no_scan = false;
  int within = 14;
  std::string format = "text";
};

struct WaiverStatus {
  WaiverEntry entry;
  std::string state;  // "ok", "expiring", "expired", "stale", "invalid"
  std::string detail;
  std::size_t matches = 0;
  bool problem = false;
};

// Findings of the tracked files of the work tree, for the staleness check.
Result<std::vector<Finding>> scan_tracked(const git::Repo& repo, const std::string& config_path) {
  auto engine = load_engine(repo.workdir(), config_path);
  if (!engine) return engine.error();
  auto session = ScanSession::create(*engine);
  if (!session) return session.error();
  auto paths = git::index_paths(repo, "");
  if (!paths) return paths.error();
  std::vector<Finding> findings;
  std::vector<Skip> skips;
  for (const auto& p : *paths) {
    std::error_code ec;
    const fs::path full = fs::path(repo.workdir()) / p;
    if (!fs::is_regular_file(fs::symlink_status(full, ec))) continue;
    BufferContext ctx;
    ctx.path = p;
    const auto text = read_whole_file(full.string()).value_or(std::string());
    if (auto r = session->scan_buffer(text, ctx, findings, skips); !r) return r.error();
  }
  return findings;
}

// Fingerprint, rule and path of each finding in `vigil scan --format json` output.
Result<std::vector<Finding>> read_scan_report(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::Io, fmt::format("cannot read the scan report '{}' — check the path", path));
  std::vector<Finding> out;
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("type", "") != "finding" || !j.contains("data")) continue;
    Finding f;
    f.rule_id = j["data"].value("rule", "");
    f.path = j["data"].value("path", "");
    f.fingerprint = j["data"].value("fingerprint", "");
    out.push_back(std::move(f));
  }
  return out;
}

// An entry that does not parse still shows the expiry it gives: another missing field (an owner,
// a reason) must not hide when the exception ends.
bool has_expiry(const WaiverEntry& e) { return e.problem.empty() || e.waiver.expires.days != 0; }
std::string expiry(const WaiverEntry& e) { return has_expiry(e) ? to_string(e.waiver.expires) : "(missing)"; }

int run_waivers(const WaiversArgs& a, bool check) {
  if (a.format != "text" && a.format != "json") {
    return die(make_error(ErrorCode::Usage, fmt::format("unknown format '{}' — use text or json", a.format)));
  }
  if (a.within < 0) return die(make_error(ErrorCode::Usage, "--within takes a number of days (0 or more)"));
  git::LibGit2Session session;
  std::error_code cwd_ec;
  auto repo = git::Repo::discover(fs::current_path(cwd_ec).string());
  std::string config_path = a.config;
  if (config_path.empty()) {
    if (!repo || repo->is_bare()) {
      return die(make_error(ErrorCode::Usage, "not inside a work tree — pass --config <path of .vigil.toml>"));
    }
    config_path = repo->workdir() + "/.vigil.toml";
  }
  const auto text = read_whole_file(config_path);
  if (!text) return die(make_error(ErrorCode::Config, fmt::format("cannot read '{}' — check the path", config_path)));
  const std::string shown = a.config.empty() ? ".vigil.toml" : config_path;
  auto entries = read_waiver_entries(*text, shown);
  if (!entries) return die(entries.error());
  // The policy limits (span, ticket reference) come from the whole config.
  auto cfg = parse_config(*text, shown);
  const Date now = today();

  std::optional<std::vector<Finding>> findings;
  std::string stale_note;
  if (check && !a.no_scan) {
    Result<std::vector<Finding>> f = make_error(ErrorCode::Internal, "unset");
    if (!a.scan_report.empty()) f = read_scan_report(a.scan_report);
    else if (repo && !repo->is_bare()) f = scan_tracked(*repo, a.config);
    else f = make_error(ErrorCode::Usage, "not inside a work tree — pass --scan-report or --no-scan");
    // A report the user named and vigil cannot read is an error, not a check that quietly passes.
    if (!f && !a.scan_report.empty()) return die(f.error());
    if (!f) stale_note = "staleness not checked: " + f.error().message;
    else findings = std::move(*f);
  }

  std::vector<WaiverStatus> rows;
  for (auto& e : *entries) {
    WaiverStatus s{std::move(e), "ok", "", 0, false};
    const Waiver& w = s.entry.waiver;
    if (!s.entry.problem.empty()) {
      s.state = "invalid";
      s.detail = s.entry.problem;
      if (has_expiry(s.entry) && now > w.expires) {
        s.detail += fmt::format("; it also expired {} day{} ago", days_between(w.expires, now),
                                days_between(w.expires, now) == 1 ? "" : "s");
      }
    } else if (std::vector<std::string> p = cfg ? waiver_policy_problems(w, cfg->settings.governance)
                                                : std::vector<std::string>{};
               !p.empty()) {
      s.state = "invalid";
      s.detail = p.front();
    } else if (now > w.expires) {
      s.state = "expired";
      s.detail = fmt::format("expired {} day{} ago", days_between(w.expires, now), days_between(w.expires, now) == 1 ? "" : "s");
    } else if (days_between(now, w.expires) <= a.within) {
      s.state = "expiring";
      s.detail = fmt::format("expires in {} day{}", days_between(now, w.expires), days_between(now, w.expires) == 1 ? "" : "s");
    }
    if (findings && s.state != "invalid") {
      for (const auto& f : *findings) s.matches += waiver_matches(w, f) ? 1 : 0;
      if (s.matches == 0) {
        s.detail = s.state == "ok" ? "matches nothing any more — remove it" : s.detail + "; matches nothing any more";
        if (s.state == "ok") s.state = "stale";
      }
    }
    s.problem = s.state != "ok" || (findings && s.matches == 0);
    rows.push_back(std::move(s));
  }
  const auto problems = static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [](const auto& r) { return r.problem; }));
  if (a.format == "json") {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : rows) {
      const Waiver& w = r.entry.waiver;
      nlohmann::json j = {{"where", w.where}, {"id", w.id}, {"owner", w.owner}, {"rule", w.rule}, {"path", w.path}, {"fingerprint", w.fingerprint}, {"reason", w.reason}, {"state", r.state}, {"detail", r.detail}, {"problem", r.problem}};
      if (has_expiry(r.entry)) j["expires"] = to_string(w.expires);
      if (w.created) j["created"] = to_string(*w.created);
      if (findings) j["matches"] = r.matches;
      arr.push_back(j);
    }
    nlohmann::json out = {{"today", to_string(now)}, {"within_days", a.within}, {"waivers", arr}, {"problems", problems}};
    if (!stale_note.empty()) out["note"] = stale_note;
    fmt::print("{}\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    fmt::print("vigil: {} waiver{} in {} (today {}){}\n", rows.size(), rows.size() == 1 ? "" : "s", shown, to_string(now),
               problems ? fmt::format(", {} need{} attention", problems, problems == 1 ? "s" : "") : "");
    for (const auto& r : rows) {
      const Waiver& w = r.entry.waiver;
      const std::string what = !w.fingerprint.empty() ? w.fingerprint : w.rule + " " + w.path;
      fmt::print("  {:<9} {}  {}{}  owner {}  expires {}{}\n", r.state, w.where, w.id.empty() ? "" : w.id + "  ", what,
                 w.owner.empty() ? "(none)" : w.owner, expiry(r.entry),
                 r.detail.empty() ? "" : "\n            " + r.detail);
    }
    if (!stale_note.empty()) fmt::print(stderr, "vigil: {}\n", stale_note);
  }
  if (!cfg && problems == 0) return die(cfg.error());
  return check && problems > 0 ? kExitBlocked : kExitAllowed;
}

}  // namespace

void register_waivers(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("waivers", "List and check [[waivers]]: expired, expiring, stale, invalid");
  cmd->require_subcommand(1);
  auto args = std::make_shared<WaiversArgs>();
  auto* list = cmd->add_subcommand("list", "Show every waiver with its state");
  auto* check = cmd->add_subcommand("check", "Exit 1 when a waiver is expired, expiring soon, stale or invalid (for CI)");
  for (auto* sub : {list, check}) {
    sub->add_option("-c,--config", args->config, "Config file [default: <repo>/.vigil.toml]");
    sub->add_option("--within", args->within, "Days ahead that count as expiring soon [default: 14]");
    sub->add_option("-f,--format", args->format, "text or json [default: text]");
  }
  check->add_option("--scan-report", args->scan_report,
                    "Test staleness against this `vigil scan --format json` output instead of scanning the tracked files");
  check->add_flag("--no-scan", args->no_scan, "Do not test whether waivers still match anything");
  check->footer("Exit status: 0 all waivers healthy, 1 a waiver needs attention, 2 error.\n"
                "VIGIL_NOW=YYYY-MM-DD sets today's date (reproducible CI runs).");
  list->callback([args, &exit_code] { exit_code = run_waivers(*args, false); });
  check->callback([args, &exit_code] { exit_code = run_waivers(*args, true); });
}

}  // namespace vigil::cli
