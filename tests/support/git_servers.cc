#include "tests/support/git_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;

namespace vigil::test {

namespace {

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool alive(int pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  // A zombie (not yet reaped by its new parent) is gone for our purposes.
  const std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'Z';
}

bool port_open(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// Starts `command` in the background with its output in `log`; returns its pid.
int start(const std::string& cwd, const std::string& command, const std::string& log) {
  const auto r = sh(cwd, "nohup " + command + " >'" + log + "' 2>&1 </dev/null & echo $!");
  if (r.status != 0) throw std::runtime_error("could not start: " + command + ": " + r.err);
  return std::atoi(r.out.c_str());
}

void wait_listening(int pid, int port, const std::string& what, const std::string& log) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until) {
    if (port_open(port)) return;
    if (!alive(pid)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error(what + " did not start listening on 127.0.0.1:" + std::to_string(port) + ": " + slurp(log));
}

void stop(int pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 100 && alive(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (alive(pid)) ::kill(pid, SIGKILL);
}

std::string user_name() {
  const passwd* pw = ::getpwuid(::geteuid());
  return pw ? pw->pw_name : "root";
}

}  // namespace

std::string missing_program(const std::vector<std::string>& programs) {
  for (const auto& p : programs) {
    if (p.find('/') != std::string::npos) {
      if (::access(p.c_str(), X_OK) != 0) return p;
    } else if (sh("/", "command -v " + p + " >/dev/null 2>&1").status != 0) {
      return p;
    }
  }
  return "";
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = 0;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

std::vector<std::pair<std::string, std::string>> hook_environment() {
  hermetic_git_env();
  std::vector<std::pair<std::string, std::string>> out;
  for (const char* v : {"XDG_CACHE_HOME", "VIGIL_CACHE_DIR", "GIT_CONFIG_NOSYSTEM", "PATH", "ASAN_OPTIONS",
                        "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* val = std::getenv(v)) out.emplace_back(v, val);
  }
  return out;
}

HttpGitServer::HttpGitServer(const std::vector<std::pair<std::string, std::string>>& users) {
  hermetic_git_env();
  fs::create_directories(repos());
  std::string userfile;
  for (const auto& [u, p] : users) userfile += u + ":" + p + "\n";
  dir_.write("users", userfile);
  port_ = free_port();
  // The CGI gets only what lighttpd passes: the CGI variables (REMOTE_USER among them) and these.
  std::string env = "\"GIT_PROJECT_ROOT\" => \"" + repos() + "\", \"GIT_HTTP_EXPORT_ALL\" => \"\", \"HOME\" => \"" +
                    std::string(std::getenv("HOME")) + "\"";
  for (const auto& [k, v] : hook_environment()) env += ", \"" + k + "\" => \"" + v + "\"";
  dir_.write("lighttpd.conf",
             "server.modules = (\"mod_alias\", \"mod_auth\", \"mod_authn_file\", \"mod_cgi\", \"mod_setenv\")\n"
             "server.document-root = \"" +
                 dir_.path() + "\"\n"
                               "server.bind = \"127.0.0.1\"\n"
                               "server.port = " +
                 std::to_string(port_) + "\n"
                                         "server.errorlog = \"" +
                 dir_.path() + "/error.log\"\n"
                               "alias.url = (\"/git\" => \"/usr/lib/git-core/git-http-backend\", "
                               "\"/anon\" => \"/usr/lib/git-core/git-http-backend\")\n"
                               "$HTTP[\"url\"] =~ \"^/(git|anon)/\" {\n"
                               "  cgi.assign = (\"\" => \"\")\n"
                               "  setenv.add-environment = (" +
                 env + ")\n"
                       "}\n"
                       "$HTTP[\"url\"] =~ \"^/git/\" {\n"
                       "  auth.backend = \"plain\"\n"
                       "  auth.backend.plain.userfile = \"" +
                 dir_.path() + "/users\"\n"
                               "  auth.require = (\"\" => (\"method\" => \"basic\", \"realm\" => \"git\", \"require\" => \"valid-user\"))\n"
                               "}\n");
  const std::string log = dir_.path() + "/lighttpd.out";
  pid_ = start(dir_.path(), "lighttpd -D -f '" + dir_.path() + "/lighttpd.conf'", log);
  try {
    wait_listening(pid_, port_, "lighttpd", log);
  } catch (const std::exception& e) {
    stop(pid_);
    throw std::runtime_error(std::string(e.what()) + slurp(dir_.path() + "/error.log"));
  }
}

HttpGitServer::~HttpGitServer() { stop(pid_); }

std::string HttpGitServer::url(const std::string& repo, const std::string& user, const std::string& password) const {
  const std::string cred = user.empty() ? "" : user + ":" + password + "@";
  return "http://" + cred + "127.0.0.1:" + std::to_string(port_) + "/git/" + repo + ".git";
}

std::string HttpGitServer::anonymous_url(const std::string& repo) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/anon/" + repo + ".git";
}

GitoliteServer::GitoliteServer(const std::vector<std::string>& users, const std::string& repo) {
  hermetic_git_env();
  fs::create_directories(home());
  fs::create_directories(keys());
  // sshd running as root keeps its privilege-separated children in /run/sshd, which the package's
  // service would create; a run as any other user needs nothing outside the temp dir.
  if (::geteuid() == 0 && sh("/", "mkdir -p /run/sshd && chmod 0755 /run/sshd").status != 0) {
    throw std::runtime_error("cannot create /run/sshd");
  }
  std::string made = "ssh-keygen -q -t ed25519 -N '' -f hostkey && ssh-keygen -q -t ed25519 -N '' -C admin -f keys/admin";
  for (const auto& u : users) made += " && ssh-keygen -q -t ed25519 -N '' -C " + u + " -f keys/" + u;
  if (auto r = sh(dir_.path(), made); r.status != 0) throw std::runtime_error("ssh-keygen: " + r.err);
  if (auto r = gitolite("setup -pk '" + keys() + "/admin.pub'"); r.status != 0) {
    throw std::runtime_error("gitolite setup: " + r.out + r.err);
  }
  std::string conf = "repo gitolite-admin\n    RW+ = admin\n\nrepo " + repo + "\n    RW+ = admin";
  for (const auto& u : users) {
    conf += " " + u;
    fs::copy_file(keys() + "/" + u + ".pub", home() + "/.gitolite/keydir/" + u + ".pub", fs::copy_options::overwrite_existing);
  }
  dir_.write("gl/.gitolite/conf/gitolite.conf", conf + "\n");
  // The server admin's way: compile the conf, create the repository, write authorized_keys.
  if (auto r = gitolite("setup"); r.status != 0) throw std::runtime_error("gitolite setup: " + r.out + r.err);
  port_ = free_port();
  std::string setenv = "HOME=" + home();
  for (const auto& [k, v] : hook_environment()) setenv += " " + k + "=" + v;
  dir_.write("sshd_config",
             "Port " + std::to_string(port_) + "\nListenAddress 127.0.0.1\nHostKey " + dir_.path() + "/hostkey\n"
                                                                                                     "PidFile " +
                 dir_.path() + "/sshd.pid\nAuthorizedKeysFile " + home() + "/.ssh/authorized_keys\n"
                                                                           "StrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                                                                           "PubkeyAuthentication yes\nPermitRootLogin prohibit-password\nAllowUsers " +
                 user_name() + "\n"
                               "SetEnv " +
                 setenv + "\n");
  const std::string log = dir_.path() + "/sshd.log";
  pid_ = start(dir_.path(), "/usr/sbin/sshd -D -e -f '" + dir_.path() + "/sshd_config'", log);
  try {
    wait_listening(pid_, port_, "sshd", log);
  } catch (...) {
    stop(pid_);
    throw;
  }
}

GitoliteServer::~GitoliteServer() { stop(pid_); }

std::string GitoliteServer::url(const std::string& repo) const {
  return "ssh://" + user_name() + "@127.0.0.1:" + std::to_string(port_) + "/" + repo;
}

std::string GitoliteServer::ssh_command(const std::string& user) const {
  return "ssh -F /dev/null -i " + keys() + "/" + user +
         " -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
         "-o LogLevel=ERROR";
}

CmdResult GitoliteServer::gitolite(const std::string& args) const {
  return sh(home(), "HOME='" + home() + "' gitolite " + args);
}

}  // namespace vigil::test
