#include "detectors/audit/audit_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "detectors/util/hash.h"

namespace vigil {

namespace {

constexpr const char* kGenesis = "genesis";

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Result<void> write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorCode::Io, fmt::format("cannot write the audit log: {}", std::strerror(errno)));
    }
    off += static_cast<std::size_t>(n);
  }
  return {};
}

// The last complete line of the file open at fd (empty when none).
std::string last_line(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0 || st.st_size == 0) return {};
  std::string tail;
  off_t pos = st.st_size;
  constexpr off_t kChunk = 64 * 1024;
  while (pos > 0) {
    const off_t start = pos > kChunk ? pos - kChunk : 0;
    std::string buf(static_cast<std::size_t>(pos - start), '\0');
    if (pread(fd, buf.data(), buf.size(), start) != static_cast<ssize_t>(buf.size())) return {};
    tail = buf + tail;
    pos = start;
    // Need a newline before the last line's start (or the file start).
    const auto body = tail.substr(0, tail.size() - (tail.back() == '\n' ? 1 : 0));
    if (body.rfind('\n') != std::string::npos || pos == 0) {
      const auto nl = body.rfind('\n');
      return nl == std::string::npos ? body : body.substr(nl + 1);
    }
  }
  return {};
}

}  // namespace

std::string audit_line_hash(const std::string& line) { return sha256_hex(line); }

Result<void> audit_append(const std::string& path, nlohmann::json record) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (f.fd < 0) {
    return make_error(ErrorCode::Io, fmt::format("cannot open the audit log '{}': {} — check the path and permissions",
                                                 path, std::strerror(errno)));
  }
  // The exclusive lock serialises concurrent pushes: each reads the previous hash and appends.
  while (flock(f.fd, LOCK_EX) != 0) {
    if (errno != EINTR) return make_error(ErrorCode::Io, fmt::format("cannot lock the audit log '{}'", path));
  }
  const std::string prev_line = last_line(f.fd);
  std::uint64_t seq = 1;
  std::string prev = kGenesis;
  if (!prev_line.empty()) {
    prev = audit_line_hash(prev_line);
    try {
      seq = nlohmann::json::parse(prev_line).at("seq").get<std::uint64_t>() + 1;
    } catch (const std::exception&) {
      return make_error(ErrorCode::Io, fmt::format("the audit log '{}' ends with a damaged record — run `vigil audit verify {}`", path, path));
    }
  }
  record["seq"] = seq;
  record["prev"] = prev;
  // Never throws: a string that is not UTF-8 (an excerpt of a Latin-1 file) gets U+FFFD; names
  // are quoted reversibly before they get here.
  const std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (auto w = write_all(f.fd, line + "\n"); !w) return w;
  if (fsync(f.fd) != 0) return make_error(ErrorCode::Io, fmt::format("cannot sync the audit log '{}'", path));
  // The head file anchors the end of the chain; written atomically while the lock is held.
  const std::string head = path + ".head", tmp = head + ".tmp";
  {
    Fd h;
    h.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (h.fd < 0) return make_error(ErrorCode::Io, fmt::format("cannot write '{}'", tmp));
    if (auto w = write_all(h.fd, fmt::format("{} {}\n", seq, audit_line_hash(line))); !w) return w;
    fsync(h.fd);
  }
  if (std::rename(tmp.c_str(), head.c_str()) != 0) return make_error(ErrorCode::Io, fmt::format("cannot write '{}'", head));
  return {};
}

Result<AuditVerifyResult> audit_verify(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::Io, fmt::format("cannot read the audit log '{}' — check the path", path));
  AuditVerifyResult res;
  std::string line, prev = kGenesis;
  std::uint64_t expect_seq = 1;
  std::size_t lineno = 0;
  auto fail = [&](std::string what) {
    res.ok = false;
    res.problem = fmt::format("line {}: {}", lineno, what);
    return res;
  };
  while (std::getline(in, line)) {
    ++lineno;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const std::exception&) {
      return fail("not a valid JSON record (edited or damaged)");
    }
    if (!j.contains("seq") || !j.contains("prev")) return fail("record has no seq/prev fields");
    const auto seq = j["seq"].get<std::uint64_t>();
    if (seq != expect_seq) return fail(fmt::format("sequence {} where {} was expected (a record was deleted)", seq, expect_seq));
    if (j["prev"].get<std::string>() != prev) return fail("hash chain broken: the previous record was edited or removed");
    prev = audit_line_hash(line);
    ++expect_seq;
    ++res.records;
  }
  std::ifstream head(path + ".head");
  std::uint64_t head_seq = 0;
  std::string head_hash;
  if (head >> head_seq >> head_hash) {
    if (head_seq != res.records || head_hash != prev) {
      ++lineno;
      res.ok = false;
      res.problem = fmt::format("end of log: {} records, but the head file records {} (the log was truncated or "
                                "its last record edited)", res.records, head_seq);
    }
  } else if (res.records > 0) {
    res.ok = false;
    res.problem = fmt::format("the head file '{}.head' is missing — the log cannot be checked for truncation", path);
  }
  return res;
}

}  // namespace vigil
