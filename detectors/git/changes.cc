#include "detectors/git/changes.h"

#include <fmt/format.h>
#include <git2.h>

#include <cstdlib>
#include <filesystem>

#include "detectors/git/handles.h"
#include "detectors/git/index_diff.h"
#include "detectors/util/process.h"
#include "detectors/util/trace.h"
#include "detectors/util/wide_text.h"

namespace vigil::git {

const char* to_string(ChangeKind k) {
  switch (k) {
    case ChangeKind::Added: return "add";
    case ChangeKind::Modified: return "modify";
    case ChangeKind::Deleted: return "delete";
    case ChangeKind::Renamed: return "rename";
    case ChangeKind::Copied: return "copy";
    case ChangeKind::TypeChange: return "typechange";
  }
  return "modify";
}

namespace {

constexpr std::string_view kEmptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

bool all_zero(std::string_view id) { return id.find_first_not_of('0') == std::string_view::npos; }

ChangeKind kind_of(char status) {
  switch (status) {
    case 'A': return ChangeKind::Added;
    case 'D': return ChangeKind::Deleted;
    case 'R': return ChangeKind::Renamed;
    case 'C': return ChangeKind::Copied;
    case 'T': return ChangeKind::TypeChange;
    default: return ChangeKind::Modified;
  }
}

std::string absolute(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::absolute(path, ec);
  return ec ? path : p.string();
}

/// Added-line ranges, binary flag and size of one staged file, from its old and new blobs.
Result<void> fill_patch(git_repository* r, FileChange& c) {
  git_oid nid;
  if (git_oid_fromstrn(&nid, c.blob.data(), c.blob.size()) != 0) return git_error(fmt::format("bad blob id for '{}'", c.path));
  git_blob* nb = nullptr;
  if (git_blob_lookup(&nb, r, &nid) != 0) {
    return git_error(fmt::format("cannot read the staged blob {} of '{}' — is the object database complete (git fsck)?", c.blob, c.path));
  }
  BlobPtr new_blob(nb);
  c.size = static_cast<std::uint64_t>(git_blob_rawsize(nb));
  BlobPtr old_blob;
  if (!c.old_blob.empty() && !all_zero(c.old_blob) && (c.old_mode & 0170000) != 0160000) {
    git_oid oid;
    git_blob* ob = nullptr;
    if (git_oid_fromstrn(&oid, c.old_blob.data(), c.old_blob.size()) != 0 || git_blob_lookup(&ob, r, &oid) != 0) {
      return git_error(fmt::format("cannot read blob {} of '{}' in HEAD", c.old_blob, c.old_path.empty() ? c.path : c.old_path));
    }
    old_blob.reset(ob);
  }
  git_diff_options opts;
  git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);  // the _INIT macro leaves fields out (clang warns)
  opts.context_lines = 0;
  opts.interhunk_lines = 0;
  git_patch* p = nullptr;
  // Plain buffers, no repository: a blob diff looks up diff attributes, which loads the whole
  // index (docs/performance.md). So binary means git's NUL heuristic, and a file
  // marked `binary` or `-diff` in .gitattributes is still scanned: attributes do not hide secrets.
  std::string_view old_view, new_view(static_cast<const char*>(git_blob_rawcontent(nb)), static_cast<std::size_t>(c.size));
  if (old_blob) {
    old_view = {static_cast<const char*>(git_blob_rawcontent(old_blob.get())),
                static_cast<std::size_t>(git_blob_rawsize(old_blob.get()))};
  }
  // UTF-16/32 text looks binary to git (NUL bytes): its lines are diffed as UTF-8, which has the
  // same lines, so the scanner (which reads it transcoded too) gets the right added lines.
  std::string old_utf8, new_utf8;
  old_view = as_utf8_text(old_view, old_utf8);
  new_view = as_utf8_text(new_view, new_utf8);
  if (git_patch_from_buffers(&p, old_blob ? old_view.data() : nullptr, old_view.size(), nullptr, new_view.data(),
                             new_view.size(), nullptr, &opts) != 0) {
    return git_error(fmt::format("cannot diff '{}'", c.path));
  }
  PatchPtr patch(p);
  c.binary = (git_patch_get_delta(p)->flags & GIT_DIFF_FLAG_BINARY) != 0;
  const std::size_t n = git_patch_num_hunks(p);
  for (std::size_t i = 0; i < n; ++i) {
    const git_diff_hunk* h = nullptr;
    if (git_patch_get_hunk(&h, nullptr, p, i) != 0) return git_error(fmt::format("cannot diff '{}'", c.path));
    if (h->new_lines > 0) {
      c.added_lines.emplace_back(static_cast<std::size_t>(h->new_start), static_cast<std::size_t>(h->new_start + h->new_lines - 1));
    }
  }
  return {};
}

}  // namespace

Result<void> diff_staged_file(const Repo& repo, FileChange& c) {
  c.added_lines.clear();
  if (c.kind == ChangeKind::Deleted || c.blob.empty() || (c.mode & 0170000) == 0160000) return {};
  return fill_patch(repo.raw(), c);
}

Result<std::vector<FileChange>> parse_diff_raw_z(std::string_view raw) {
  std::vector<FileChange> out;
  std::size_t pos = 0;
  auto field = [&](std::string_view& f) {
    const auto end = raw.find('\0', pos);
    if (end == std::string_view::npos) return false;
    f = raw.substr(pos, end - pos);
    pos = end + 1;
    return true;
  };
  const auto bad = [] { return make_error(ErrorCode::Git, "cannot parse the output of git diff-index — is git installed and working?"); };
  while (pos < raw.size()) {
    std::string_view head, path, path2;
    if (raw[pos] == '\0') break;  // the empty record before patch text (--raw -p -z)
    if (!field(head) || head.size() < 2 || head[0] != ':') return bad();
    // ":<old mode> <new mode> <old id> <new id> <status>[score]"
    std::string_view parts[5];
    std::size_t p = 1;
    for (int i = 0; i < 5; ++i) {
      const auto sp = i < 4 ? head.find(' ', p) : head.size();
      if (sp == std::string_view::npos) return bad();
      parts[i] = head.substr(p, sp - p);
      p = sp + 1;
    }
    if (parts[4].empty() || !field(path)) return bad();
    const char status = parts[4][0];
    if ((status == 'R' || status == 'C') && !field(path2)) return bad();
    if (status == 'U' || status == 'X') continue;  // unmerged: git commit refuses these itself
    FileChange c;
    c.kind = kind_of(status);
    c.old_mode = static_cast<std::uint32_t>(std::strtoul(std::string(parts[0]).c_str(), nullptr, 8));
    c.mode = static_cast<std::uint32_t>(std::strtoul(std::string(parts[1]).c_str(), nullptr, 8));
    if (status == 'R' || status == 'C') {
      c.old_path = path;
      c.path = path2;
    } else {
      c.path = path;
    }
    if (c.kind != ChangeKind::Deleted) c.blob = parts[3];
    if (c.kind != ChangeKind::Added) c.old_blob = parts[2];
    if (c.kind == ChangeKind::Deleted) c.mode = c.old_mode;
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<FileChange>> staged_changes_via_git(const Repo& repo, const std::string& index_file, const std::string& base) {
  // git reads every index format and extension (split and sparse indexes, unmerged entries) and
  // pairs renames by content. libgit2 is no alternative: it loads a large index ~20x slower
  // than git's whole diff (docs/performance.md).
  ProcOptions opts;
  opts.set_env.emplace_back("GIT_DIR", absolute(repo.git_dir()));
  if (!index_file.empty()) {
    opts.set_env.emplace_back("GIT_INDEX_FILE", absolute(index_file));
  } else {
    opts.unset_env.push_back("GIT_INDEX_FILE");
  }
  opts.unset_env.push_back("GIT_WORK_TREE");
  std::vector<std::string> argv = {"git", "diff-index", "--cached", "-z", "-M", "--no-abbrev", "--ignore-submodules=none", base};
  auto res = run_process(argv, opts);
  if (res.status != 0) {
    std::string why = res.err;
    while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
    if (auto nl = why.find('\n'); nl != std::string::npos) why.resize(nl);
    return make_error(ErrorCode::Git, fmt::format("cannot compare the index with HEAD ({}) — check that git is installed and `git diff --cached` works here",
                                                  why.empty() ? fmt::format("git exited with {}", res.status) : why));
  }
  return parse_diff_raw_z(res.out);
}

Result<std::vector<FileChange>> staged_changes(const Repo& repo, const std::string& index_file) {
  git_repository* r = repo.raw();
  std::string base(kEmptyTree);
  git_object* o = nullptr;
  if (git_revparse_single(&o, r, "HEAD^{tree}") == 0) {
    base = hex(git_object_id(o));
    git_object_free(o);
  } else if (!git_repository_head_unborn(r)) {
    return git_error("cannot read the tree of HEAD");
  }
  const std::string index_path = index_file.empty() ? repo.git_dir() + "/index" : absolute(index_file);
  Result<std::vector<FileChange>> changes = std::vector<FileChange>{};
  // The common case in this process (index_diff.h); git for everything that reader declines.
  IndexDiff mine;
  if (const char* via_git = std::getenv("VIGIL_INDEX_VIA_GIT"); via_git && *via_git) {
    mine.declined = "VIGIL_INDEX_VIA_GIT";
  } else {
    mine = diff_index_in_process(repo, index_path, base == kEmptyTree ? std::string() : base);
  }
  if (mine.changes) {
    trace("staged changes: index read in process");
    *changes = std::move(*mine.changes);
  } else {
    trace(fmt::format("staged changes: asking git diff-index ({})", mine.declined));
    changes = staged_changes_via_git(repo, index_file, base);
  }
  if (!changes) return changes.error();
  // Sizes from object headers: a blob over the limit is never loaded. Hunks are computed later,
  // and only for a file where the scan found something (diff_staged_file).
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, r) != 0) return git_error("cannot open the object database");
  OdbPtr owned(odb);
  for (auto& c : *changes) {
    if (c.kind == ChangeKind::Deleted || (c.mode & 0170000) == 0160000) continue;
    git_oid oid;
    size_t len = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (git_oid_fromstrn(&oid, c.blob.data(), c.blob.size()) != 0 || git_odb_read_header(&len, &type, odb, &oid) != 0) {
      return git_error(fmt::format("cannot read the staged blob {} of '{}' — is the object database complete (git fsck)?", c.blob, c.path));
    }
    c.size = len;
  }
  return changes;
}

}  // namespace vigil::git
