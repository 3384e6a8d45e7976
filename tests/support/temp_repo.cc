#include "tests/support/temp_repo.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

#include "detectors/util/hash.h"
#include "detectors/util/read_file.h"

namespace fs = std::filesystem;

namespace vigil::test {

namespace {

std::string slurp(const std::string& p) { return read_whole_file(p).value_or(""); }

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

}  // namespace

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "vigil-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  if (std::getenv("VIGIL_KEEP_TMP")) return;
  std::error_code ec;
  fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(path_, ec);
}

void TempDir::write(const std::string& rel, const std::string& content) const {
  const fs::path p = fs::path(path_) / rel;
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
}

std::string TempDir::read(const std::string& rel) const { return slurp((fs::path(path_) / rel).string()); }

void hermetic_git_env() {
  static TempDir* home = nullptr;
  if (home) return;
  home = new TempDir();  // lives for the whole test run
  for (const char* v : {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                        "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS",
                        "GIT_CONFIG_COUNT", "GIT_PREFIX", "GIT_QUARANTINE_PATH", "GIT_NAMESPACE",
                        "VIGIL_FORMAT", "VIGIL_SKIP", "VIGIL_SKIP_REASON", "VIGIL_NOW", "XDG_CONFIG_HOME", "GNUPGHOME"}) {
    unsetenv(v);
  }
  setenv("HOME", home->path().c_str(), 1);
  setenv("XDG_CACHE_HOME", (home->path() + "/.cache").c_str(), 1);
  setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
  setenv("GIT_AUTHOR_NAME", "Test Author", 1);
  setenv("GIT_AUTHOR_EMAIL", "author@example.com", 1);
  setenv("GIT_COMMITTER_NAME", "Test Committer", 1);
  setenv("GIT_COMMITTER_EMAIL", "committer@example.com", 1);
  setenv("GIT_TERMINAL_PROMPT", "0", 1);
  // A shared database cache keeps the suite from recompiling the rules in every test.
  if (const char* cache = std::getenv("VIGIL_TEST_CACHE_DIR")) setenv("VIGIL_CACHE_DIR", cache, 1);
  home->write(".gitconfig",
              "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n[protocol \"file\"]\n\tallow = always\n");
  setenv("VIGIL", (bin_dir() + "/vigil").c_str(), 1);
  // Compile the rules database once, so no test pays for it inside a hook's deadline.
  std::system(("echo | " + bin_dir() + "/vigil scan -q - >/dev/null 2>&1").c_str());
}

CmdResult sh(const std::string& cwd, const std::string& command, const std::string& input) {
  hermetic_git_env();
  TempDir io;
  const std::string in_p = io.path() + "/in", out_p = io.path() + "/out", err_p = io.path() + "/err";
  {
    std::ofstream in(in_p, std::ios::binary);
    in << input;
  }
  const std::string full = "cd " + quote(cwd) + " && { " + command + "\n} <" + quote(in_p) + " >" + quote(out_p) +
                           " 2>" + quote(err_p);
  CmdResult r;
  const int st = std::system(full.c_str());
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  r.out = slurp(out_p);
  r.err = slurp(err_p);
  return r;
}

std::string bin_dir() {
  if (const char* d = std::getenv("VIGIL_BIN_DIR"); d && *d) return d;
  std::error_code ec;
  return fs::read_symlink("/proc/self/exe", ec).parent_path().string();  // built side by side
}

std::string source_dir() {
  const char* d = std::getenv("VIGIL_SOURCE_DIR");
  return d ? d : VIGIL_SOURCE_DIR;
}

TempRepo::TempRepo() {
  hermetic_git_env();
  auto r = sh(path(), "git init -q && $VIGIL install >/dev/null");
  if (r.status != 0) throw std::runtime_error("git init / vigil install failed: " + r.err);
}

CmdResult TempRepo::run(const std::string& command, const std::string& input) const {
  return sh(path(), command, input);
}

CmdResult TempRepo::commit_all(const std::string& msg) const {
  return run("git add -A && git commit -q -m " + quote(msg));
}

std::string fake_github_pat(unsigned seed) {
  static const char* kAlpha = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::mt19937 rng(seed * 7919u + 17u);
  std::string body;
  for (int i = 0; i < 30; ++i) body += kAlpha[rng() % 62];
  std::uint32_t c = crc32(body);
  std::string check(6, '0');
  for (int i = 5; i >= 0; --i) {
    check[static_cast<std::size_t>(i)] = kAlpha[c % 62];
    c /= 62;
  }
  return "ghp_" + body + check;
}

}  // namespace vigil::test
