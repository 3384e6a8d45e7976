#include "detectors/git/changes.h"

#include <fmt/format.h>
#include <git2.h>

#include "detectors/git/handles.h"

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

std::string hex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}


struct Collect {
  std::vector<FileChange>* out;
};

int on_file(const git_diff_delta* d, float, void* payload) {
  auto& out = *static_cast<Collect*>(payload)->out;
  FileChange c;
  c.kind = change_kind(d->status);
  const bool deleted = d->status == GIT_DELTA_DELETED;
  c.path = deleted ? d->old_file.path : d->new_file.path;
  if (d->status == GIT_DELTA_RENAMED || d->status == GIT_DELTA_COPIED) c.old_path = d->old_file.path;
  if (!deleted) c.blob = hex(d->new_file.id);
  if (d->status != GIT_DELTA_ADDED) c.old_blob = hex(d->old_file.id);
  c.mode = d->new_file.mode;
  c.old_mode = d->old_file.mode;
  c.size = d->new_file.size;
  c.binary = (d->flags & GIT_DIFF_FLAG_BINARY) != 0;
  out.push_back(std::move(c));
  return 0;
}

int on_hunk(const git_diff_delta*, const git_diff_hunk* h, void* payload) {
  auto& out = *static_cast<Collect*>(payload)->out;
  if (!out.empty() && h->new_lines > 0) {
    out.back().added_lines.emplace_back(static_cast<std::size_t>(h->new_start),
                                        static_cast<std::size_t>(h->new_start + h->new_lines - 1));
  }
  return 0;
}

}  // namespace

Result<std::vector<FileChange>> staged_changes(const Repo& repo, const std::string& index_file) {
  git_repository* r = repo.raw();
  git_index* idx = nullptr;
  if (!index_file.empty()) {
    if (git_index_open(&idx, index_file.c_str()) != 0) {
      return git_error(fmt::format("cannot read the index '{}'", index_file));
    }
  } else if (git_repository_index(&idx, r) != 0) {
    return git_error("cannot read the repository index");
  }
  IndexPtr index(idx);

  TreePtr head_tree;
  git_object* o = nullptr;
  if (git_revparse_single(&o, r, "HEAD^{tree}") == 0) {
    head_tree.reset(reinterpret_cast<git_tree*>(o));
  } else if (!git_repository_head_unborn(r)) {
    return git_error("cannot read the tree of HEAD");
  }

  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  opts.context_lines = 0;
  opts.interhunk_lines = 0;
  opts.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
  git_diff* d = nullptr;
  if (git_diff_tree_to_index(&d, r, head_tree.get(), index.get(), &opts) != 0) {
    return git_error("cannot diff the index against HEAD");
  }
  DiffPtr diff(d);
  git_diff_find_options fopts = GIT_DIFF_FIND_OPTIONS_INIT;
  fopts.flags = GIT_DIFF_FIND_RENAMES | GIT_DIFF_FIND_FOR_UNTRACKED;
  if (git_diff_find_similar(d, &fopts) != 0) return git_error("cannot detect renames");

  std::vector<FileChange> out;
  Collect col{&out};
  if (git_diff_foreach(d, on_file, nullptr, on_hunk, nullptr, &col) != 0) {
    return git_error("cannot enumerate staged changes");
  }
  return out;
}

}  // namespace vigil::git
