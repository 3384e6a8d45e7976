// What `vigil` prints when its command line does not parse: the word it did not know, and the
// command or option it most likely meant.
#include <fmt/format.h>

#include <algorithm>

#include "detectors/cli/commands.h"
#include "detectors/util/text.h"

namespace vigil::cli {

namespace {

// The deepest subcommand the parse got into (`vigil rules chek` stops in `rules`).
const CLI::App* deepest(const CLI::App& app) {
  const CLI::App* cur = &app;
  for (;;) {
    const auto subs = cur->get_subcommands();
    if (subs.empty()) return cur;
    cur = subs.front();
  }
}

// "vigil rules", for "run `vigil rules --help`".
std::string command_path(const CLI::App* a) {
  std::string path;
  for (; a; a = a->get_parent()) path = a->get_name() + (path.empty() ? "" : " " + path);
  return path;
}

std::string_view letters(std::string_view w) { return w.substr(std::min(w.find_first_not_of('-'), w.size())); }

// Edit distance, with two swapped neighbours counted as one edit ("scna" is one typo from "scan").
std::size_t typo_distance(std::string_view a, std::string_view b) {
  if (a.size() == b.size()) {
    std::size_t i = 0;
    while (i < a.size() && a[i] == b[i]) ++i;
    if (i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] && a.substr(i + 2) == b.substr(i + 2)) return 1;
  }
  return edit_distance(a, b);
}

// The nearest known word when it is near enough to be a typo (dashes aside): one edit in a short
// word, two from six letters, three from nine; "--bogus" suggests nothing rather than "--jobs".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& known) {
  const std::string_view w = letters(word);
  const std::size_t allowed = w.size() < 3 ? 0 : w.size() < 6 ? 1
                                             : w.size() < 9   ? 2
                                                              : 3;
  std::string best;
  std::size_t best_d = allowed + 1;
  for (const auto& k : known) {
    const auto d = typo_distance(w, letters(k));
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best);
}

}  // namespace

std::string parse_error_message(const CLI::App& app, const CLI::ParseError& e) {
  const CLI::App* cur = deepest(app);
  const std::string help = fmt::format(" — run `{} --help`", command_path(cur));
  // CLI11 leaves what it could not place in the apps' lists of remaining arguments.
  // (CLI11 names an ExtrasError after the command, not the error: tell the kinds apart by type.)
  const bool extras = dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr;
  const bool required = dynamic_cast<const CLI::RequiredError*>(&e) != nullptr;
  const auto left = app.remaining(true);
  if (left.empty() || !(extras || required)) return e.what() + help;
  const std::string& word = left.front();
  if (word.size() > 1 && word[0] == '-') {
    // An option: "--formt=json" is looked up as "--formt".
    const std::string flag = word.substr(0, word.find('='));
    std::vector<std::string> known;
    for (const auto* o : cur->get_options()) {
      for (const auto& l : o->get_lnames()) known.push_back("--" + l);
      for (const auto& s : o->get_snames()) known.push_back("-" + s);
    }
    return fmt::format("unknown option '{}' for `{}`{}{}", flag, command_path(cur), did_you_mean(flag, known), help);
  }
  const auto subs = cur->get_subcommands([](const CLI::App*) { return true; });
  if (!subs.empty()) {
    std::vector<std::string> known;
    for (const auto* s : subs) {
      if (!s->get_group().empty()) known.push_back(s->get_name());  // hidden commands are not suggested
    }
    return fmt::format("unknown command '{}' for `{}`{}{}", word, command_path(cur), did_you_mean(word, known), help);
  }
  return fmt::format("unexpected argument '{}' for `{}`{}", word, command_path(cur), help);
}

}  // namespace vigil::cli
