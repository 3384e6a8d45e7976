#include "tests/support/attack_server.h"

#include <doctest/doctest.h>

namespace vigil::test {

namespace {

std::string trim_nl(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

AttackServer::AttackServer(std::optional<std::string> policy, ServerHooks hooks, const std::string& base_commit) {
  hermetic_git_env();
  const std::string bin = bin_dir();
  std::string install;
  switch (hooks) {
    case ServerHooks::PreReceive: install = "ln -s " + bin + "/vigil-pre-receive srv.git/hooks/pre-receive"; break;
    case ServerHooks::Update: install = "ln -s " + bin + "/vigil-update srv.git/hooks/update"; break;
    case ServerHooks::Both: install = "$VIGIL install --server --with-update --no-warm srv.git >/dev/null"; break;
  }
  const auto r = sh(dir.path(), "git init -q --bare srv.git && git -C srv.git config receive.advertisePushOptions true && " +
                                    install + " && git clone -q srv.git work 2>/dev/null && cd work && " + base_commit +
                                    " && git push -q origin HEAD:main 2>/dev/null");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  if (policy) set_policy(*policy);
}

void AttackServer::set_policy(std::string text) const {
  if (text.find("deadline_ms") == std::string::npos) {
    const auto at = text.find("[server]\n");
    text = at == std::string::npos ? "[server]\ndeadline_ms = 300000\n" + text : text.insert(at + 9, "deadline_ms = 300000\n");
  }
  dir.write("policy.toml", text);
  REQUIRE(sh(dir.path(), "git -C srv.git config vigil.policy " + dir.path() + "/policy.toml").status == 0);
}

CmdResult AttackServer::in_clone(const std::string& cmd) const { return sh(clone(), cmd); }

CmdResult AttackServer::push(const std::string& refspecs) const { return in_clone("git push --no-verify origin " + refspecs); }

CmdResult AttackServer::commit_and_push(const std::string& msg, const std::string& ref, const std::string& opts) const {
  REQUIRE(in_clone("git add -A && git commit -q --no-verify -m '" + msg + "'").status == 0);
  return in_clone("git push --no-verify " + opts + " origin HEAD:" + ref);
}

void AttackServer::land(const std::string& msg) const {
  REQUIRE(sh(bare(), "mv hooks hooks.off && mkdir hooks").status == 0);
  REQUIRE(in_clone("git add -A && git commit -q --no-verify -m '" + msg + "' && git push -q origin HEAD:main").status == 0);
  REQUIRE(sh(bare(), "rmdir hooks && mv hooks.off hooks").status == 0);
}

void AttackServer::forget_refused() const { REQUIRE(in_clone("git reset -q --soft origin/main").status == 0); }

std::string AttackServer::blob(const std::string& text) const {
  return trim_nl(in_clone("printf '%s\\n' '" + text + "' | git hash-object -w --stdin").out);
}

std::string AttackServer::server_ref(const std::string& ref) const {
  return trim_nl(sh(bare(), "git rev-parse -q --verify " + ref).out);
}

std::string AttackServer::clone_rev(const std::string& rev) const { return trim_nl(in_clone("git rev-parse " + rev).out); }

bool AttackServer::server_has(const std::string& oid) const { return sh(bare(), "git cat-file -e " + oid).status == 0; }

std::string AttackServer::last_record() const {
  const auto a = audit();
  const auto end = a.find_last_not_of('\n');
  if (end == std::string::npos) return {};
  const auto start = a.rfind('\n', end);
  return a.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start == std::string::npos ? 0 : start + 1));
}

CmdResult AttackServer::verify(const std::string& log) const { return sh(dir.path(), "$VIGIL audit verify " + log); }

}  // namespace vigil::test
