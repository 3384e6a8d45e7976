// Help from one source: the CLI11 command table. Examples go into every command's --help footer,
// and the hidden `vigil help-man DIR` and `vigil help-completion` commands walk the same table to
// write man pages and the bash completion script, so none of them can drift from the parser.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "detectors/cli/setup_cmds.h"
#include "detectors/gates/common.h"
#include "detectors/report/report.h"

namespace fs = std::filesystem;

namespace vigil::cli {

namespace {

// Examples per command path ("rules list"). Each line: the command, then what it does.
const std::map<std::string, std::vector<std::pair<std::string, std::string>>>& examples_table() {
  static const std::map<std::string, std::vector<std::pair<std::string, std::string>>> t = {
      {"scan",
       {{"vigil scan .", "a directory (honours .gitignore)"},
        {"vigil scan --staged", "the added lines of staged changes, as pre-commit does"},
        {"vigil scan --staged --format json -o staged.json", "the same, with any report option of scan"},
        {"vigil scan -C ../app --history", "as if started in ../app (like git -C)"},
        {"git diff | vigil scan -", "stdin"},
        {"vigil scan --history --format sarif -o vigil.sarif", "every blob in history, once (CI backstop)"},
        {"vigil scan --range origin/main..HEAD", "what a branch adds"},
        {"vigil scan --baseline .vigil-baseline .", "only findings that are not in the baseline"}}},
      {"rules",
       {{"vigil rules list", "every rule: id, severity, name"},
        {"vigil rules explain github.pat", "one rule in full"},
        {"vigil rules check my-rules.toml", "validate and compile, with database stats"},
        {"vigil rules check /etc/vigil/policy.toml", "a whole .vigil.toml or server policy, on its own"},
        {"vigil rules test", "prove every rule's examples"}}},
      {"rules list", {{"vigil rules list", "built-in and .vigil.toml rules"}, {"vigil rules list extra.toml", "plus a rules file"}}},
      {"rules explain", {{"vigil rules explain aws.access-key-id", "regex, keywords, entropy, source"}}},
      {"rules check", {{"vigil rules check", "the effective rules"}, {"vigil rules check extra.toml", "plus a rules file"}}},
      {"rules test", {{"vigil rules test", "all rules"}, {"vigil rules test rules/cloud-aws.toml", "one file's rules"}}},
      {"rules import-gitleaks",
       {{"vigil rules import-gitleaks .gitleaks.toml -o gitleaks.vigil.toml", "convert; what did not map goes to stderr"},
        {"cat gitleaks.vigil.toml >> .vigil.toml && vigil rules check", "use the rules and allows"}}},
      {"install",
       {{"vigil install", "this repository (keeps existing hooks, respects core.hooksPath)"},
        {"vigil install --global", "every repository of this user (global core.hooksPath)"},
        {"vigil install --server /srv/git/*.git", "bare repositories: pre-receive + policy scaffold"},
        {"vigil install --server --with-update --policy /etc/vigil/policy.toml /srv/git/app.git", "shared policy, update hook too"},
        {"vigil install --gitlab /var/opt/gitlab/git-data/repositories/@hashed/ab/cd/abcd.git", "GitLab custom_hooks"},
        {"vigil install --gitea /var/lib/gitea/repositories/org/app.git", "Gitea/Forgejo pre-receive.d"}}},
      {"uninstall",
       {{"vigil uninstall", "this repository: previous hooks restored byte for byte"},
        {"vigil uninstall --global", "restores the previous global core.hooksPath"},
        {"vigil uninstall --server /srv/git/app.git", "any server layout; unset vigil.policy, unchanged scaffold removed"}}},
      {"init", {{"vigil init", "write .vigil.toml at the repository root"}, {"vigil init --force", "replace an existing one"}}},
      {"doctor",
       {{"vigil doctor", "exit 0 when healthy, 1 with each problem and its fix"},
        {"vigil doctor -C ~/src/app", "another repository"}}},
      {"baseline", {{"vigil baseline create -o .vigil-baseline", "record today's findings"}}},
      {"baseline create",
       {{"vigil baseline create . -o .vigil-baseline", "record today's findings"},
        {"vigil scan --baseline .vigil-baseline .", "then report only new ones"}}},
      {"audit", {{"vigil audit verify", "this repository's audit trail"}}},
      {"audit verify",
       {{"vigil audit verify", "<git dir>/vigil-audit.jsonl"},
        {"vigil audit verify /srv/git/app.git/vigil-audit.jsonl", "a server repository's trail"}}},
      {"waivers", {{"vigil waivers list", "every waiver and its state"}, {"vigil waivers check --within 30", "CI: fail on expiring waivers"}}},
      {"waivers list", {{"vigil waivers list", "every waiver and its state"}, {"vigil waivers list -f json", "as JSON"}}},
      {"waivers check", {{"vigil waivers check", "exit 1 when a waiver needs attention"}, {"vigil waivers check --no-scan", "dates and syntax only"}}},
      {"report",
       {{"vigil report", "this repository's audit log"},
        {"vigil report --since 2025-01-01 -f html -o report.html /srv/git/*.git/vigil-audit.jsonl", "a server's quarter"}}},
  };
  return t;
}

std::string format_examples(const std::vector<std::pair<std::string, std::string>>& ex) {
  std::size_t width = 0;
  for (const auto& [cmd, what] : ex) width = std::max(width, cmd.size());
  std::string s = "Examples:";
  for (const auto& [cmd, what] : ex) s += fmt::format("\n  {:<{}}  # {}", cmd, width, what);
  return s;
}

bool hidden(const CLI::App* a) { return a->get_group().empty(); }

std::vector<const CLI::App*> visible_subcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* a) { return !hidden(a); });
}

std::string command_path(const CLI::App& app) {
  std::string p = app.get_name();
  for (const CLI::App* a = app.get_parent(); a && a->get_parent(); a = a->get_parent()) p = a->get_name() + " " + p;
  return p;
}

void add_examples_rec(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App* a) { return !a->get_group().empty(); })) {
    const auto& table = examples_table();
    const auto it = table.find(command_path(*sub));
    const std::string footer = sub->get_footer();
    if (it != table.end() && footer.find("Example") == std::string::npos) {
      sub->footer(footer.empty() ? format_examples(it->second) : footer + "\n" + format_examples(it->second));
    }
    add_examples_rec(*sub);
  }
}

// --- man pages ---------------------------------------------------------------------------

std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

std::string option_label(const CLI::Option* o) {
  std::string names;
  for (const auto& s : o->get_snames()) names += (names.empty() ? "" : ", ") + std::string("-") + s;
  for (const auto& l : o->get_lnames()) names += (names.empty() ? "" : ", ") + std::string("--") + l;
  std::string label = "\\fB" + roff(names) + "\\fR";
  if (o->get_type_size() != 0) label += " \\fI" + roff(o->get_type_name()) + "\\fR";
  return label;
}

void man_options(std::string& out, const CLI::App& app) {
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_positional() || o == app.get_help_ptr() || o->get_group().empty()) continue;
    out += ".TP\n" + option_label(o) + "\n" + roff(o->get_description()) + "\n";
  }
  out += ".TP\n\\fB\\-h, \\-\\-help\\fR\nPrint this help and exit.\n";
}

std::string man_synopsis(const CLI::App& app) {
  std::string s = ".B " + roff("vigil " + command_path(app)) + "\n";
  if (!visible_subcommands(app).empty()) s += ".I command\n";
  s += "[\\fIoptions\\fR]";
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_positional()) s += " [\\fI" + roff(o->get_name(true)) + "\\fR" + (o->get_items_expected_max() > 1 ? "...]" : "]");
  }
  return s + "\n";
}

// Splits a footer into prose and the examples block.
void man_footer(std::string& out, const std::string& footer) {
  const auto at = footer.find("Example");
  std::string notes = footer.substr(0, at);
  while (!notes.empty() && notes.back() == '\n') notes.pop_back();
  if (!notes.empty()) out += ".SH NOTES\n" + roff(notes) + "\n";
  if (at == std::string::npos) return;
  std::string ex = footer.substr(footer.find('\n', at) == std::string::npos ? footer.size() : footer.find('\n', at) + 1);
  out += ".SH EXAMPLES\n.nf\n" + roff(ex) + "\n.fi\n";
}

const char* kExitStatus =
    ".SH EXIT STATUS\n.TP\n.B 0\nallowed: clean, or findings that do not block\n.TP\n.B 1\nblocked by policy\n"
    ".TP\n.B 2\nvigil could not do its job (usage, config or internal error; the message says which). On a "
    "server this rejects the push unless the policy says on_error = \"accept\".\n";

std::string th(const std::string& name) {
  std::string up = name;
  for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return fmt::format(".TH {} 1 \"\" \"vigil {}\" \"vigil manual\"\n", roff(up), vigil_version());
}

std::string command_page(const CLI::App& app) {
  const std::string path = command_path(app);
  std::string page_name = "vigil-" + path;
  for (auto& c : page_name) c = c == ' ' ? '-' : c;
  std::string out = th(page_name);
  out += ".SH NAME\n" + roff(page_name) + " \\- " + roff(app.get_description()) + "\n";
  out += ".SH SYNOPSIS\n" + man_synopsis(app);
  out += ".SH DESCRIPTION\n" + roff(app.get_description()) + ".\n";
  bool positional = false;
  for (const CLI::Option* o : app.get_options()) {
    if (!o->get_positional()) continue;
    if (!positional) out += ".SH ARGUMENTS\n";
    positional = true;
    out += ".TP\n\\fI" + roff(o->get_name(true)) + "\\fR\n" + roff(o->get_description()) + "\n";
  }
  out += ".SH OPTIONS\n";
  man_options(out, app);
  for (const CLI::App* sub : visible_subcommands(app)) {
    out += ".SH COMMAND: " + roff(command_path(*sub)) + "\n" + roff(sub->get_description()) + ".\n";
    out += ".PP\n" + man_synopsis(*sub);
    for (const CLI::Option* o : sub->get_options()) {
      if (o->get_positional()) out += ".TP\n\\fI" + roff(o->get_name(true)) + "\\fR\n" + roff(o->get_description()) + "\n";
    }
    man_options(out, *sub);
    std::string footer = sub->get_footer();
    if (!footer.empty()) out += ".PP\n.nf\n" + roff(footer) + "\n.fi\n";
  }
  man_footer(out, app.get_footer());
  out += kExitStatus;
  out += ".SH SEE ALSO\n.BR vigil (1)\n";
  return out;
}

std::string main_page(const CLI::App& app) {
  std::string out = th("vigil");
  out += ".SH NAME\nvigil \\- " + roff(app.get_description().substr(app.get_description().find(':') + 2)) + "\n";
  out += ".SH SYNOPSIS\n.B vigil\n.I command\n[\\fIoptions\\fR]\n.br\n.B vigil \\-\\-version\n";
  out += ".SH DESCRIPTION\n" + roff(app.get_description()) +
         ".\nThe hooks (pre-commit, commit-msg, pre-push on laptops; pre-receive and update on servers) and "
         "the CLI share one detection core and one policy file, .vigil.toml, at the repository root.\n";
  out += ".SH COMMANDS\n";
  std::string see_also;
  for (const CLI::App* sub : visible_subcommands(app)) {
    out += ".TP\n.B " + roff(sub->get_name()) + "\n" + roff(sub->get_description()) + ". See \\fBvigil\\-" +
           roff(sub->get_name()) + "\\fR(1).\n";
    see_also += ".BR vigil\\-" + roff(sub->get_name()) + " (1),\n";
  }
  out += ".SH HOOKS\nInstalled by \\fBvigil install\\fR; git runs them, they take git's arguments and stdin.\n"
         ".TP\n.B vigil\\-pre\\-commit\nthe added lines of the staged changes (the index git commits, also with commit \\-a), "
         "file policy\n.TP\n.B vigil\\-commit\\-msg\nmessage rules, secrets in the message\n"
         ".TP\n.B vigil\\-pre\\-push\nthe commits the remote lacks: secrets in added lines, file, message and ref policy\n"
         ".TP\n.B vigil\\-pre\\-receive\\fR, \\fBvigil\\-update\nthe same on a server, inside git's quarantine, under the "
         "server policy (git config vigil.policy) and its deadline, audited\n";
  out += kExitStatus;
  out += ".SH ENVIRONMENT\n.TP\n.B VIGIL_FORMAT\nreport format of the hooks (text, json, sarif, junit, csv, gitlab)\n"
         ".TP\n.B VIGIL_CACHE_DIR\nwhere the compiled rules database is cached [default: $XDG_CACHE_HOME/vigil or "
         "~/.cache/vigil]\n.TP\n.B NO_COLOR\nno colour in text reports\n";
  out += ".SH FILES\n.TP\n.I .vigil.toml\nthe repository's policy (\\fBvigil init\\fR writes a starter)\n"
         ".TP\n.I .pre\\-commit\\-hooks.yaml\nvigil as a pre\\-commit framework hook\n"
         ".TP\n.I ~/.config/vigil/hooks\nthe global hooks directory of \\fBvigil install \\-\\-global\\fR\n";
  man_footer(out, app.get_footer());
  out += ".SH SEE ALSO\n" + see_also + ".BR git (1),\n.BR githooks (5)\n";
  return out;
}

// --- bash completion ---------------------------------------------------------------------

void completion_cases(const CLI::App& app, const std::string& path, std::string& paths, std::string& cases) {
  std::string subs, opts;
  for (const CLI::App* sub : visible_subcommands(app)) subs += (subs.empty() ? "" : " ") + sub->get_name();
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_positional() || o->get_group().empty()) continue;
    for (const auto& s : o->get_snames()) opts += " -" + s;
    for (const auto& l : o->get_lnames()) opts += " --" + l;
  }
  cases += fmt::format("    '{}') subs='{}'; opts='{}' ;;\n", path, subs, opts.empty() ? "" : opts.substr(1));
  for (const CLI::App* sub : visible_subcommands(app)) {
    const std::string p = path + "/" + sub->get_name();
    paths += (paths.empty() ? "" : "|") + p;
    completion_cases(*sub, p, paths, cases);
  }
}

}  // namespace

void add_help_examples(CLI::App& app) { add_examples_rec(app); }

bool write_man_pages(const CLI::App& app, const std::string& dir, std::string& error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream out(fs::path(dir) / name, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) error = fmt::format("cannot write {}/{} — check the directory is writable", dir, name);
    return static_cast<bool>(out);
  };
  if (!write("vigil.1", main_page(app))) return false;
  for (const CLI::App* sub : visible_subcommands(app)) {
    if (!write("vigil-" + sub->get_name() + ".1", command_page(*sub))) return false;
  }
  return true;
}

std::string bash_completion(const CLI::App& app) {
  std::string paths, cases;
  completion_cases(app, "", paths, cases);
  return fmt::format(R"(# bash completion for vigil {version} — generated by `vigil help-completion` from vigil's
# own command table, so it lists exactly the commands and options the parser knows.
_vigil() {{
  local cur word path='' i subs='' opts=''
  cur="${{COMP_WORDS[COMP_CWORD]}}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="${{COMP_WORDS[i]}}"
    case "$word" in -*) continue ;; esac
    case "$path/$word" in
      {paths}) path="$path/$word" ;;
    esac
  done
  case "$path" in
{cases}  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
  elif [[ -n "$subs" ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  fi
}}
complete -o default -o bashdefault -F _vigil vigil
)",
                     fmt::arg("version", vigil_version()), fmt::arg("paths", paths), fmt::arg("cases", cases));
}

void register_help_docs(CLI::App& app, int& exit_code) {
  auto dir = std::make_shared<std::string>();
  auto* man = app.add_subcommand("help-man", "Write man pages (vigil.1, vigil-<command>.1) into DIR");
  man->group("");  // hidden: a build step, not a user command
  man->add_option("dir", *dir, "Output directory")->required();
  man->callback([&app, dir, &exit_code] {
    std::string error;
    exit_code = write_man_pages(app, *dir, error) ? kExitAllowed : die(make_error(ErrorCode::Io, error));
  });
  auto out = std::make_shared<std::string>();
  auto* comp = app.add_subcommand("help-completion", "Print the bash completion script");
  comp->group("");
  comp->add_option("-o,--output", *out, "Write it to FILE instead of stdout");
  comp->callback([&app, out, &exit_code] {
    const std::string text = bash_completion(app);
    if (out->empty()) {
      fmt::print("{}", text);
      exit_code = kExitAllowed;
      return;
    }
    std::ofstream f(*out, std::ios::binary | std::ios::trunc);
    f << text;
    exit_code = f ? kExitAllowed : die(make_error(ErrorCode::Io, fmt::format("cannot write {} — check the directory exists", *out)));
  });
}

}  // namespace vigil::cli
