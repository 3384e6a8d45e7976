#include "detectors/audit/audit_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "detectors/util/hash.h"
#include "detectors/util/read_file.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

constexpr const char* kGenesis = "genesis";
constexpr std::string_view kMacField = ",\"mac\":\"";  // the mac is always the last member of a line
constexpr std::size_t kMacHex = 64;

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

bool is_hex(std::string_view s, std::size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// A line's body (the line as it reads without its mac) and its mac, when it ends the way
// audit_append writes one: ...,"mac":"<64 hex>"}
std::optional<std::pair<std::string, std::string>> split_mac(const std::string& line) {
  const std::size_t tail = kMacField.size() + kMacHex + 2;
  if (line.size() < tail + 1 || line.compare(line.size() - 2, 2, "\"}") != 0) return std::nullopt;
  const std::size_t at = line.size() - tail;
  if (line.compare(at, kMacField.size(), kMacField) != 0) return std::nullopt;
  const std::string mac = line.substr(at + kMacField.size(), kMacHex);
  if (!is_hex(mac, kMacHex)) return std::nullopt;
  return std::make_pair(line.substr(0, at) + "}", mac);
}

std::string record_mac(const std::string& key, std::string_view body) {
  return hmac_sha256_hex(key, "vigil-audit-v1\n" + std::string(body));
}

std::string head_mac(const std::string& key, std::uint64_t seq, const std::string& hash) {
  return hmac_sha256_hex(key, fmt::format("vigil-audit-head-v1 {} {}", seq, hash));
}

struct KeyRead {
  std::string key;  // empty when there is none
  bool missing = false;
};

Result<KeyRead> read_key(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) return KeyRead{{}, true};
  const auto text = read_whole_file(path);
  if (!text) {
    return make_error(ErrorCode::Io, fmt::format("cannot read the audit key '{}': {} — check its owner and mode "
                                                 "(0600, readable by the hook's user)",
                                                 path, std::strerror(errno)));
  }
  const auto key = std::string(trim(*text));
  if (key.size() < 16) {
    return make_error(ErrorCode::Config, fmt::format("the audit key '{}' is shorter than 16 bytes — make a new one: "
                                                     "openssl rand -hex 32 > {} && chmod 600 {}",
                                                     path, path, path));
  }
  return KeyRead{key, false};
}

// A new random key, written to a temporary file and linked into place, so two processes never
// see a half-written key and the first one wins.
Result<KeyRead> create_key(const std::string& path) {
  const std::string key = random_hex(32);
  if (key.empty()) return make_error(ErrorCode::Internal, "no random bytes for a new audit key (RAND_bytes failed)");
  const std::string tmp = fmt::format("{}.tmp{}", path, ::getpid());
  {
    Fd f;
    f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (f.fd < 0) {
      return make_error(ErrorCode::Io, fmt::format("cannot create the audit key '{}': {} — create it by hand: "
                                                   "openssl rand -hex 32 > {} && chmod 600 {}",
                                                   path, std::strerror(errno), path, path));
    }
    if (auto w = write_all(f.fd, key + "\n"); !w) return w.error();
    ::fsync(f.fd);
  }
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0 && link_errno != EEXIST) {
    return make_error(ErrorCode::Io, fmt::format("cannot create the audit key '{}': {}", path, std::strerror(link_errno)));
  }
  return read_key(path);
}

// The seq of a record line, when it has a proper one.
std::optional<std::uint64_t> seq_of(const std::string& line) {
  const auto j = nlohmann::json::parse(line, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  const auto it = j.find("seq");
  if (it == j.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<std::uint64_t>();
}

// The type a known member must have; unknown members are free (later versions add some).
const char* expected_type(const std::string& key, const nlohmann::json& v) {
  static const std::set<std::string> kStrings = {"time", "hook", "repo", "pusher", "decision", "reason",
                                                 "pusher_source", "vigil_version", "rules_version", "prev", "mac"};
  static const std::set<std::string> kArrays = {"findings", "updates", "notes"};
  static const std::set<std::string> kCounts = {"seq", "unkeyed_before", "commits_scanned"};
  if (kStrings.count(key)) return v.is_string() ? nullptr : "a string";
  if (kArrays.count(key)) return v.is_array() ? nullptr : "an array";
  if (kCounts.count(key)) return v.is_number_unsigned() ? nullptr : "a non-negative integer";
  if (key == "duration_ms") return v.is_number() ? nullptr : "a number";
  if (key == "bypass" || key == "ai") return v.is_object() ? nullptr : "an object";
  return nullptr;
}

const char* json_type(const nlohmann::json& v) {
  if (v.is_string()) return "a string";
  if (v.is_number_float()) return "a fraction";
  if (v.is_number_integer() && !v.is_number_unsigned()) return "a negative number";
  if (v.is_number()) return "a number";
  if (v.is_boolean()) return "a boolean";
  if (v.is_null()) return "null";
  if (v.is_array()) return "an array";
  return "an object";
}

}  // namespace

std::string default_audit_key_path(const std::string& log_path) {
  const auto slash = log_path.rfind('/');
  return (slash == std::string::npos ? std::string() : log_path.substr(0, slash + 1)) + "vigil-audit.key";
}

std::string audit_line_hash(const std::string& line) { return sha256_hex(line); }

Result<bool> ensure_audit_key(const std::string& key_path) {
  auto k = read_key(key_path);
  if (!k) return k.error();
  if (!k->missing) return false;
  auto made = create_key(key_path);
  if (!made) return made.error();
  return true;
}

Result<void> audit_append(const std::string& path, nlohmann::json record, const AuditKeyOptions& key_opts) {
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
  const std::string key_path = key_opts.path.empty() ? default_audit_key_path(path) : key_opts.path;
  auto key = read_key(key_path);
  if (key && key->missing && key_opts.create) key = create_key(key_path);
  if (!key) return key.error();
  const std::string prev_line = last_line(f.fd);
  std::uint64_t seq = 1;
  std::string prev = kGenesis;
  if (!prev_line.empty()) {
    prev = audit_line_hash(prev_line);
    const auto last = seq_of(prev_line);
    if (!last) {
      return make_error(ErrorCode::Io, fmt::format("the audit log '{}' ends with a damaged record — run `vigil audit verify {}`",
                                                   path, path));
    }
    seq = *last + 1;
  }
  record.erase("mac");
  record.erase("unkeyed_before");
  const bool keyed = !key->key.empty();
  // The first keyed record of a log that began without a key pins how many came before it.
  if (keyed && !prev_line.empty() && !split_mac(prev_line)) record["unkeyed_before"] = seq - 1;
  record["seq"] = seq;
  record["prev"] = prev;
  // Never throws: a string that is not UTF-8 (an excerpt of a Latin-1 file) gets U+FFFD; names
  // are quoted reversibly before they get here.
  std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (keyed) {
    const auto mac = record_mac(key->key, line);
    line.pop_back();  // the closing '}'
    line += fmt::format("{}{}\"}}", kMacField, mac);
  }
  if (auto w = write_all(f.fd, line + "\n"); !w) return w;
  if (fsync(f.fd) != 0) return make_error(ErrorCode::Io, fmt::format("cannot sync the audit log '{}'", path));
  // The head file anchors the end of the chain; written atomically while the lock is held.
  const std::string head = path + ".head", tmp = head + ".tmp";
  {
    Fd h;
    h.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (h.fd < 0) return make_error(ErrorCode::Io, fmt::format("cannot write '{}'", tmp));
    const auto hash = audit_line_hash(line);
    const auto text = keyed ? fmt::format("{} {} {}\n", seq, hash, head_mac(key->key, seq, hash))
                            : fmt::format("{} {}\n", seq, hash);
    if (auto w = write_all(h.fd, text); !w) return w;
    fsync(h.fd);
  }
  if (std::rename(tmp.c_str(), head.c_str()) != 0) return make_error(ErrorCode::Io, fmt::format("cannot write '{}'", head));
  return {};
}

Result<AuditVerifyResult> audit_verify(const std::string& path, const std::string& key_path_in) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::Io, fmt::format("cannot read the audit log '{}' — check the path", path));
  AuditVerifyResult res;
  const std::string key_path = key_path_in.empty() ? default_audit_key_path(path) : key_path_in;
  std::string key;
  if (auto k = read_key(key_path); !k) {
    res.key_note = k.error().message;
  } else if (k->missing) {
    res.key_note = fmt::format("no key at {}", key_path);
  } else {
    key = k->key;
    res.key_used = true;
  }
  std::string line, prev = kGenesis;
  std::uint64_t expect_seq = 1;
  std::size_t lineno = 0;
  bool keyed_seen = false;
  bool last_keyed = false;
  auto fail = [&](std::string what) {
    res.ok = false;
    res.problem = fmt::format("line {}: {}", lineno, what);
    return res;
  };
  while (std::getline(in, line)) {
    ++lineno;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("not a valid JSON record (edited or damaged)");
    if (!j.contains("seq") || !j.contains("prev")) return fail("record has no seq/prev fields");
    for (const auto& [k, v] : j.items()) {
      if (const char* want = expected_type(k, v)) {
        return fail(fmt::format("\"{}\" is {} where {} belongs (the record was edited or damaged)", k, json_type(v), want));
      }
    }
    const auto seq = j["seq"].get<std::uint64_t>();
    if (seq != expect_seq) return fail(fmt::format("sequence {} where {} was expected (a record was deleted)", seq, expect_seq));
    if (j["prev"].get<std::string>() != prev) return fail("hash chain broken: the previous record was edited or removed");
    const bool has_mac = j.contains("mac");
    if (has_mac) {
      const auto split = split_mac(line);
      if (!split) return fail("the \"mac\" is not where vigil writes it (the record was edited)");
      if (!keyed_seen) {
        // The first keyed record: every record before it must be the unkeyed past it names.
        const auto it = j.find("unkeyed_before");
        const std::uint64_t before = it == j.end() ? 0 : it->get<std::uint64_t>();
        if (before != res.records) {
          return fail(fmt::format("the first keyed record says {} unkeyed record{} came before it, the log has {} "
                                  "(records were added or removed)",
                                  before, before == 1 ? "" : "s", res.records));
        }
      }
      keyed_seen = true;
      if (!key.empty()) {
        if (!constant_time_equal(record_mac(key, split->first), split->second)) {
          return fail(fmt::format("the MAC of record {} does not match: it is the first record that differs from what "
                                  "vigil wrote (rewritten, or written under another key)",
                                  seq));
        }
        ++res.keyed;
      }
    } else if (keyed_seen) {
      return fail(fmt::format("record {} has no MAC after keyed records (it was rewritten without the key)", seq));
    } else {
      ++res.unkeyed;
    }
    last_keyed = has_mac;
    prev = audit_line_hash(line);
    ++expect_seq;
    ++res.records;
  }
  ++lineno;
  if (!key.empty() && res.records > 0 && !keyed_seen) {
    return fail(fmt::format("no record carries a MAC, yet there is a key ({}): the log was rewritten without the key, "
                            "or nothing was recorded since the key was made",
                            key_path));
  }
  std::ifstream head(path + ".head");
  std::string head_line;
  std::getline(head, head_line);
  std::istringstream hs(head_line);
  std::uint64_t head_seq = 0;
  std::string head_hash, head_tag;
  if (hs >> head_seq >> head_hash) {
    hs >> head_tag;
    res.ok = false;
    if (head_seq != res.records) {
      res.problem = fmt::format("end of log: the head file records {}, the log ends at {} (the log was truncated, or "
                                "records were appended by hand)",
                                head_seq, res.records);
    } else if (head_hash != prev) {
      res.problem = fmt::format("end of log: record {} is not the one the head file records (its last record was edited)",
                                res.records);
    } else if (!key.empty() && last_keyed && head_tag.empty()) {
      res.problem = "end of log: the head file carries no MAC (it was rewritten without the key)";
    } else if (!key.empty() && !head_tag.empty() && !constant_time_equal(head_mac(key, head_seq, head_hash), head_tag)) {
      res.problem = "end of log: the head file's MAC does not match (it was rewritten without the key)";
    } else {
      res.ok = true;
    }
  } else if (res.records > 0) {
    res.ok = false;
    res.problem = fmt::format("the head file '{}.head' is missing — the log cannot be checked for truncation", path);
  }
  return res;
}

}  // namespace vigil
