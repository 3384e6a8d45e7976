#include "tests/support/evidence_fixture.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <glob.h>
#include <nlohmann/json.hpp>

#include "detectors/util/hash.h"
#include "tests/support/temp_repo.h"

namespace fs = std::filesystem;

namespace vigil::test {

void write_audit_log(const std::string& path, const AuditLogSpec& spec) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const auto dir = fs::path(path).parent_path();
  std::ofstream(dir / "vigil-audit.key") << spec.key << "\n";
  fs::permissions(dir / "vigil-audit.key", fs::perms::owner_read | fs::perms::owner_write);
  std::string prev = "genesis";
  std::tm tm{};
  strptime((spec.start_day + "T08:00:00").c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  const std::time_t start = timegm(&tm);
  const char* pushers[] = {"alice", "bob", "carol", "dave"};
  const char* rules[] = {"github.pat", "aws.access-key", "generic.password"};
  std::uint64_t rng = spec.seed * 2654435761u + 1;
  auto next = [&] { return rng = rng * 6364136223846793005ULL + 1442695040888963407ULL, static_cast<unsigned>(rng >> 33); };
  for (std::size_t i = 1; i <= spec.records; ++i) {
    const std::time_t t = start + static_cast<std::time_t>(i * spec.spacing_seconds);
    std::tm ut{};
    gmtime_r(&t, &ut);
    char ts[32];
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &ut);
    const unsigned r = next() % 100;
    const std::string decision = r < 85 ? "accept" : r < 96 ? "reject"
                                                            : "bypass";
    const std::string pusher = pushers[next() % 4];
    nlohmann::json rec = {{"time", ts}, {"hook", "pre-receive"}, {"repo", spec.repo}, {"pusher", pusher}, {"updates", {{{"ref", "refs/heads/main"}, {"old", std::string(40, 'a')}, {"new", std::string(40, 'b')}}}}, {"decision", decision}, {"duration_ms", 12.5}, {"vigil_version", "test"}, {"rules_version", "rv1"}};
    auto findings = nlohmann::json::array();
    if (decision != "accept" || r % 7 == 0) {
      const std::string disp = decision == "reject" ? "block" : decision == "bypass" ? "bypassed"
                                                                                     : "waived";
      nlohmann::json f = {{"rule", rules[next() % 3]}, {"severity", r % 2 ? "high" : "medium"}, {"path", "app/config.env"}, {"disposition", disp}, {"fingerprint", fmt::format("github.pat:{:08x}", next())}};
      if (disp == "waived") {
        f["note"] = "waived by waiver 'W-1' (owner sec@example.com)";
        f["kind"] = r % 2 ? "false-positive" : "accepted-risk";
      }
      findings.push_back(f);
    }
    rec["findings"] = findings;
    rec["skips"] = nlohmann::json::array();
    if (decision == "bypass") rec["bypass"] = {{"reason", "hotfix INC-7"}, {"by", pusher}};
    rec["seq"] = i;
    rec["prev"] = prev;
    std::string line = rec.dump();
    const auto mac = hmac_sha256_hex(spec.key, "vigil-audit-v1\n" + line);
    line.pop_back();
    line += ",\"mac\":\"" + mac + "\"}";
    out << line << '\n';
    prev = sha256_hex(line);
  }
  out.close();
  const auto head_mac = hmac_sha256_hex(spec.key, fmt::format("vigil-audit-head-v1 {} {}", spec.records, prev));
  std::ofstream(path + ".head") << fmt::format("{} {} {}\n", spec.records, prev, head_mac);
}

TempPostgres& TempPostgres::shared() {
  static TempPostgres pg;
  return pg;
}

TempPostgres::TempPostgres() {
  glob_t g{};
  if (::glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &g) == 0 && g.gl_pathc > 0) {
    bin_ = fs::path(g.gl_pathv[g.gl_pathc - 1]).parent_path().string();  // the newest version
  }
  globfree(&g);
  if (bin_.empty()) {
    why_not_ = "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)";
    return;
  }
  char tmpl[] = "/tmp/vigil-pg-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    why_not_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  std::string prefix;
  if (::geteuid() == 0) {
    // initdb refuses to run as root: the server runs as an unprivileged user that owns the directory.
    for (const char* user : {"postgres", "nobody"}) {
      if (const passwd* pw = ::getpwnam(user)) {
        if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) == 0) {
          run_as_ = user;
          break;
        }
      }
    }
    if (run_as_.empty()) {
      why_not_ = "running as root and neither 'postgres' nor 'nobody' exists to run initdb as";
      return;
    }
    prefix = "runuser -u " + run_as_ + " -- ";
  }
  const auto init = sh(dir_, prefix + bin_ + "/initdb -D " + dir_ + "/data -A trust -U vigil --no-sync -E UTF8 >" + dir_ + "/initdb.log 2>&1");
  if (init.status != 0) {
    why_not_ = "initdb failed (see " + dir_ + "/initdb.log)";
    return;
  }
  const auto start = sh(dir_, prefix + bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ +
                                  "/server.log -w -o \"-k " + dir_ + " -c listen_addresses='' -p 5432 -F\" start >/dev/null 2>&1");
  if (start.status != 0) why_not_ = "pg_ctl start failed (see " + dir_ + "/server.log)";
}

TempPostgres::~TempPostgres() {
  if (dir_.empty()) return;
  const std::string prefix = run_as_.empty() ? "" : "runuser -u " + run_as_ + " -- ";
  if (ok()) (void)sh("/", prefix + bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop >/dev/null 2>&1");
  if (!std::getenv("VIGIL_KEEP_TMP")) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string TempPostgres::fresh_db_url() {
  const std::string name = fmt::format("evidence{}_{}", ::getpid(), ++dbs_);
  (void)sh("/", bin_ + "/createdb -h " + dir_ + " -p 5432 -U vigil " + name);
  return fmt::format("postgresql://vigil@/{}?host={}&port=5432", name, dir_);
}

}  // namespace vigil::test
