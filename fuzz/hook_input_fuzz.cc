// Fuzz target: the push hooks' inputs. The same bytes are read as pre-push stdin, pre-receive
// stdin, the update hook's argv (split at spaces) and push options (GIT_PUSH_OPTION_COUNT and
// GIT_PUSH_OPTION_<n>, one per line, then the vigil.bypass option parse). Parsed updates must
// hold exactly what the input said: full-length hex object ids.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <list>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/gates/push_gate.h"

namespace {

bool hex_oid(const std::string& s) {
  return (s.size() == 40 || s.size() == 64) && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

void check(const vigil::RefUpdate& u) {
  if (!hex_oid(u.old_oid) || !hex_oid(u.new_oid)) std::abort();
}

std::vector<std::string> lines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size() && out.size() < 64) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    out.emplace_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto pre_push = vigil::parse_pre_push_input(text)) {
    for (const auto& u : *pre_push) check(u);
  }
  if (auto pre_receive = vigil::parse_pre_receive_input(text)) {
    for (const auto& u : *pre_receive) {
      check(u);
      if (u.ref.rfind("refs/", 0) != 0) std::abort();
    }
  }

  // update <ref> <old> <new>: argv[0] is the hook's path, the rest is the input split at spaces
  // (so any argc, including too few and too many arguments).
  std::vector<std::string> args{"hooks/update"};
  std::size_t pos = 0;
  while (pos <= text.size() && args.size() < 8) {
    auto sp = text.find(' ', pos);
    if (sp == std::string_view::npos) sp = text.size();
    args.emplace_back(text.substr(pos, sp - pos));
    pos = sp + 1;
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (auto u = vigil::parse_update_args(static_cast<int>(args.size()), argv.data())) check(*u);

  // Push options: the first line is GIT_PUSH_OPTION_COUNT as git would export it (or not), the
  // others are the options. Environment strings end at a NUL, as they would from git.
  // putenv with strings owned here, not setenv: glibc's setenv never frees the values it replaces,
  // which would grow without bound over millions of runs.
  const auto opts = lines(text);
  std::list<std::string> env;
  auto put = [&env](const std::string& name, const std::string& value) {
    env.push_back(name + "=" + value.substr(0, value.find('\0')));
    ::putenv(env.back().data());
  };
  put("GIT_PUSH_OPTION_COUNT", opts[0]);
  for (std::size_t i = 1; i < opts.size(); ++i) put("GIT_PUSH_OPTION_" + std::to_string(i - 1), opts[i]);
  (void)vigil::bypass_option_reason(text);  // the whole input, NUL bytes included
  for (const auto& opt : vigil::push_options_from_env()) {
    if (auto reason = vigil::bypass_option_reason(opt)) {
      if (reason->size() > opt.size()) std::abort();
    }
  }
  for (std::size_t i = 1; i < opts.size(); ++i) ::unsetenv(("GIT_PUSH_OPTION_" + std::to_string(i - 1)).c_str());
  ::unsetenv("GIT_PUSH_OPTION_COUNT");
  return 0;
}
