#include "detectors/policy/file_policy.h"

#include <fmt/format.h>
#include <utf8proc.h>

#include <algorithm>
#include <deque>
#include <cstdlib>
#include <map>
#include <set>

#include "detectors/util/glob.h"
#include "detectors/util/quote.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

constexpr std::uint32_t kModeLink = 0120000;
constexpr std::uint32_t kModeGitlink = 0160000;

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::vector<std::string_view> split(std::string_view path, bool backslash_too) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/' || (backslash_too && path[i] == '\\')) {
      out.push_back(path.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// Paths and symlink targets are shown to the user; never let them carry terminal escapes.
std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool is_new_name(const git::FileChange& c) {
  return c.kind == git::ChangeKind::Added || c.kind == git::ChangeKind::Renamed ||
         c.kind == git::ChangeKind::Copied;
}

const char* verb(unsigned types) {
  if (types & kOnAdd) return "adds";
  if (types & kOnDelete) return "deletes";
  if (types & kOnRename) return "renames";
  if (types & kOnModify) return "modifies";
  return "changes the mode of";
}

bool rule_matches(const FileRule& r, const git::FileChange& c) {
  if (r.globs.empty()) return true;
  for (const auto& g : r.globs) {
    if (glob_match(g, c.path)) return true;
    if (!c.old_path.empty() && glob_match(g, c.old_path)) return true;  // moving a file away counts
  }
  return false;
}

std::string mode_text(std::uint32_t m) { return fmt::format("{:06o}", m); }

}  // namespace

unsigned change_types(const git::FileChange& c) {
  unsigned t = 0;
  switch (c.kind) {
    case git::ChangeKind::Added:
    case git::ChangeKind::Copied:
      return kOnAdd;
    case git::ChangeKind::Deleted:
      return kOnDelete;
    case git::ChangeKind::Renamed:
      t = kOnRename;
      break;
    case git::ChangeKind::TypeChange:
      return kOnModify | kOnMode;
    case git::ChangeKind::Modified:
      break;
  }
  if (c.blob != c.old_blob) t |= kOnModify;
  if (c.old_mode != 0 && c.mode != c.old_mode) t |= kOnMode;
  if (t == 0) t = kOnModify;  // e.g. a libgit2 delta without ids: treat it as an edit
  return t;
}

bool FileRule::has_limits() const {
  return max_size || deny_binary || symlink != SymlinkPolicy::Allow || deny_submodule || lfs_over;
}

std::string collision_key(std::string_view path) {
  const bool ascii = std::all_of(path.begin(), path.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
  if (!ascii) {
    utf8proc_uint8_t* out = nullptr;
    // NFC + case folding: "Café" (NFD) and "café" (NFC) and "CAFÉ" share a key, as they share a
    // file on macOS (APFS/HFS+ are case-insensitive and normalization-insensitive by default).
    const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(path.data()),
                                static_cast<utf8proc_ssize_t>(path.size()), &out,
                                static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
    if (n >= 0 && out) {
      std::string key(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
      std::free(out);
      return key;
    }
    std::free(out);  // not UTF-8: fall back to ASCII folding of the raw bytes
  }
  std::string key(path);
  for (auto& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return key;
}

std::optional<std::string> unsafe_name_problem(std::string_view path) {
  if (!is_valid_utf8(path)) return std::string("the name is not valid UTF-8");
  for (unsigned char c : path) {
    if (c < 0x20 || c == 0x7f) return fmt::format("control character 0x{:02x} in the name", c);
  }
  static const std::vector<std::string_view> kReserved = {"con", "prn", "aux", "nul"};
  for (const auto comp : split(path, false)) {
    if (comp.empty()) continue;
    if (comp.back() == '.' || comp.back() == ' ') {
      return fmt::format("'{}' ends with a {}, which Windows drops", comp, comp.back() == '.' ? "dot" : "space");
    }
    // Windows reserves these device names with any extension ("aux.txt") and ignores trailing
    // spaces before it ("con .txt").
    auto base = comp.substr(0, comp.find('.'));
    while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
    bool reserved = std::any_of(kReserved.begin(), kReserved.end(), [&](std::string_view r) { return ieq(base, r); });
    if (!reserved && base.size() == 4 && (ieq(base.substr(0, 3), "com") || ieq(base.substr(0, 3), "lpt")) &&
        base[3] >= '1' && base[3] <= '9') {
      reserved = true;
    }
    if (reserved) return fmt::format("'{}' is a reserved device name on Windows", comp);
  }
  return std::nullopt;
}

std::optional<std::string> traversal_problem(std::string_view path) {
  if (!path.empty() && path.front() == '/') return std::string("the path is absolute");
  // Backslashes count as separators: git for Windows turns "..\\x" into a parent reference.
  for (const auto comp : split(path, true)) {
    if (comp.empty()) return std::string("the path has an empty component");
    if (comp == "." || comp == "..") return fmt::format("the path has a '{}' component", comp);
    // ".git" in any case, and the NTFS spellings that resolve to it (".git.", ".git ", "git~1").
    auto c = comp;
    while (!c.empty() && (c.back() == '.' || c.back() == ' ')) c.remove_suffix(1);
    if (ieq(c, ".git") || ieq(comp, "git~1")) return fmt::format("the path has a '{}' component", printable(comp));
  }
  return std::nullopt;
}

bool symlink_stays_inside(std::string_view link_path, std::string_view target) {
  if (target.empty() || target.front() == '/' || target.find('\\') != std::string_view::npos) return false;
  if (target.size() >= 2 && target[1] == ':') return false;  // "C:..." on Windows
  auto stack = split(link_path, false);
  stack.pop_back();  // the link's own name
  for (const auto comp : split(target, false)) {
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") {
      if (stack.empty()) return false;
      stack.pop_back();
      continue;
    }
    auto c = comp;
    while (!c.empty() && (c.back() == '.' || c.back() == ' ')) c.remove_suffix(1);
    if (ieq(c, ".git")) return false;  // into the repository's own files
    stack.push_back(comp);
  }
  return true;
}

Result<bool> symlink_resolves_inside(std::string_view link_path, std::string_view target, const TreeLookup& lookup,
                                     const BlobReader& read) {
  // Lexically outside is outside (conservative); physically outside is what a checkout makes of it.
  if (!symlink_stays_inside(link_path, target)) return false;
  if (!lookup || !read) return true;
  constexpr int kMaxLinks = 40;             // as Linux's MAXSYMLINKS: more means a loop
  constexpr std::size_t kMaxTarget = 4096;  // PATH_MAX
  std::vector<std::string> dir;             // where resolution stands, from the repository root
  for (const auto comp : split(link_path, false)) dir.emplace_back(comp);
  dir.pop_back();  // the link's own name
  std::deque<std::string> todo;
  for (const auto comp : split(target, false)) todo.emplace_back(comp);
  int links = 0;
  while (!todo.empty()) {
    std::string comp = std::move(todo.front());
    todo.pop_front();
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") {
      if (dir.empty()) return false;  // above the repository's root
      dir.pop_back();
      continue;
    }
    auto trimmed = std::string_view(comp);
    while (!trimmed.empty() && (trimmed.back() == '.' || trimmed.back() == ' ')) trimmed.remove_suffix(1);
    if (ieq(trimmed, ".git")) return false;
    std::string here;
    for (const auto& d : dir) here += d + "/";
    here += comp;
    auto entry = lookup(here);
    if (!entry) return entry.error();
    if (*entry && (*entry)->mode == kModeLink) {
      if (++links > kMaxLinks) return false;
      auto next = read((*entry)->id);
      if (!next) return next.error();
      const std::string_view t = *next;
      if (t.empty() || t.size() > kMaxTarget || t.front() == '/' || t.find('\\') != std::string_view::npos ||
          (t.size() >= 2 && t[1] == ':')) {
        return false;
      }
      // The link's target replaces it, relative to the directory that holds the link.
      const auto parts = split(t, false);
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) todo.emplace_front(*it);
      continue;
    }
    dir.push_back(std::move(comp));
  }
  return true;
}

bool is_lfs_pointer(std::string_view bytes) {
  // https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md: under 1024 bytes, "version" first,
  // then sorted keys; "oid sha256:<64 hex>" and "size <n>" are required.
  if (bytes.size() >= 1024) return false;
  if (bytes.rfind("version https://git-lfs.github.com/spec/v1\n", 0) != 0 &&
      bytes.rfind("version https://hawser.github.com/spec/v1\n", 0) != 0) {
    return false;
  }
  bool oid = false, size = false;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    auto nl = bytes.find('\n', pos);
    if (nl == std::string_view::npos) return false;  // every line ends with LF
    const auto line = bytes.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.rfind("oid sha256:", 0) == 0) {
      const auto h = line.substr(11);
      oid = h.size() == 64 && std::all_of(h.begin(), h.end(), [](char ch) {
              return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
            });
    } else if (line.rfind("size ", 0) == 0) {
      const auto n = line.substr(5);
      size = !n.empty() && std::all_of(n.begin(), n.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    }
  }
  return oid && size;
}

namespace {

struct Checker {
  const FilePolicy& policy;
  const FileCheckInput& in;
  std::vector<Finding> out;

  void add(std::string_view id, std::string_view name, const std::string& path, PolicyAction action,
           std::string problem, const std::string& reason) {
    if (action == PolicyAction::Off) return;
    auto f = policy_finding(id, name, printable(path), action, in.mode, std::move(problem), reason);
    f.commit = in.commit;
    f.blob = "";
    out.push_back(std::move(f));
  }

  Result<std::string> read(const std::string& blob) {
    if (!in.read_blob) return make_error(ErrorCode::Internal, "file policy needs blob contents but has no reader");
    return in.read_blob(blob);
  }

  Result<void> apply_rule(const FileRule& r, const git::FileChange& c) {
    const unsigned types = change_types(c);
    if ((types & r.on) == 0 || !rule_matches(r, c)) return {};
    auto fire = [&](std::string problem) { add(r.id, "file policy", c.path, r.action, std::move(problem), r.reason); };
    if (!r.has_limits()) {
      std::string what = fmt::format("{} {}", verb(types & r.on), printable(c.path));
      if ((types & r.on & kOnRename) && !c.old_path.empty()) {
        what = fmt::format("renames {} to {}", printable(c.old_path), printable(c.path));
      } else if ((types & r.on) == kOnMode) {
        what = fmt::format("changes the mode of {} from {} to {}", printable(c.path), mode_text(c.old_mode), mode_text(c.mode));
      }
      fire(what);
      return {};
    }
    if (c.kind == git::ChangeKind::Deleted || c.blob.empty()) return {};  // limits judge new content
    if (c.mode == kModeGitlink) {
      if (r.deny_submodule) {
        fire(fmt::format("{} submodule {} (commit {})", c.old_mode == kModeGitlink ? "updates" : "adds",
                         printable(c.path), c.blob.substr(0, 12)));
      }
      return {};
    }
    if (c.mode == kModeLink) {
      if (r.symlink == SymlinkPolicy::Deny) {
        auto target = read(c.blob);
        if (!target) return target.error();
        fire(fmt::format("symlink to '{}'", printable(*target)));
      } else if (r.symlink == SymlinkPolicy::Inside) {
        auto target = read(c.blob);
        if (!target) return target.error();
        auto inside = symlink_resolves_inside(c.path, *target, in.lookup, in.read_blob);
        if (!inside) return inside.error();
        if (!*inside) {
          fire(fmt::format("symlink to '{}' points outside the repository", printable(*target)));
        }
      }
      return {};
    }
    if (r.max_size && c.size > *r.max_size) {
      fire(fmt::format("{} is larger than max_size {}", human_size(c.size), human_size(*r.max_size)));
    }
    if (r.deny_binary && c.binary) fire("binary file");
    if (r.lfs_over && c.size > *r.lfs_over) {
      // A pointer is under 1024 bytes, so only a small blob can be one; bigger ones are not.
      bool pointer = false;
      if (c.size < 1024) {
        auto bytes = read(c.blob);
        if (!bytes) return bytes.error();
        pointer = is_lfs_pointer(*bytes);
      }
      if (!pointer) {
        fire(fmt::format("{} and not a Git LFS pointer (files over {} must be stored with Git LFS)",
                         human_size(c.size), human_size(*r.lfs_over)));
      }
    }
    return {};
  }

  void path_checks(const std::vector<git::FileChange>& changes) {
    std::set<std::string> new_names;
    for (const auto& c : changes) {
      if (!is_new_name(c)) continue;
      new_names.insert(c.path);
      if (auto p = traversal_problem(c.path)) {
        add(kPathTraversalId, "path traversal", c.path, policy.path_traversal.action, *p, policy.path_traversal.reason);
      } else if (auto u = unsafe_name_problem(c.path)) {
        add(kUnsafeNameId, "unsafe file name", c.path, policy.unsafe_name.action, *u, policy.unsafe_name.reason);
      }
    }
    if (new_names.empty() || policy.case_collision.action == PolicyAction::Off) return;
    std::set<std::string> all(new_names);
    if (in.tree_paths) all.insert(in.tree_paths->begin(), in.tree_paths->end());
    for (const auto& c : changes) {
      if (c.kind == git::ChangeKind::Deleted) all.erase(c.path);
      if (c.kind == git::ChangeKind::Renamed) all.erase(c.old_path);
    }
    for (const auto& n : new_names) all.insert(n);
    std::map<std::string, std::vector<std::string>> groups;
    std::set<std::string> wanted;
    for (const auto& n : new_names) wanted.insert(collision_key(n));
    for (const auto& p : all) {
      auto key = collision_key(p);
      if (wanted.count(key)) groups[key].push_back(p);
    }
    for (const auto& [key, paths] : groups) {
      if (paths.size() < 2) continue;
      // Report once per group, on its first new path, naming the others.
      const auto first = std::find_if(paths.begin(), paths.end(), [&](const std::string& p) { return new_names.count(p) > 0; });
      std::string others;
      for (const auto& p : paths) {
        if (p == *first) continue;
        others += fmt::format("{}'{}'", others.empty() ? "" : ", ", printable(p));
      }
      add(kCaseCollisionId, "path collision", *first, policy.case_collision.action,
          fmt::format("collides with {} when case or Unicode normalization is ignored", others),
          policy.case_collision.reason);
    }
  }
};

}  // namespace

Result<std::vector<Finding>> check_file_changes(const FilePolicy& policy, const FileCheckInput& in) {
  Checker ch{policy, in, {}};
  if (!in.changes) return ch.out;
  for (const auto& c : *in.changes) {
    for (const auto& r : policy.rules) {
      if (r.action == PolicyAction::Off) continue;
      auto res = ch.apply_rule(r, c);
      if (!res) return res.error();
    }
  }
  ch.path_checks(*in.changes);
  return std::move(ch.out);
}

}  // namespace vigil
