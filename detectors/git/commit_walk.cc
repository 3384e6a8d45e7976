// walk_commits: the commits a push makes reachable, oldest first, and every blob they introduce,
// each listed once with every path at which it appears.
#include "detectors/git/commit_walk.h"

#include <fmt/format.h>
#include <git2.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "detectors/git/handles.h"
#include "detectors/git/tree_diff.h"
#include "detectors/git/walk_order.h"

namespace vigil::git {

Result<WalkResult> walk_commits(const Repo& repo, const WalkOptions& opts, const std::function<bool()>& should_stop) {
  git_repository* r = repo.raw();
  auto walked = walk_order(repo, opts);
  if (!walked) return walked.error();
  const OidSet& shallow = walked->shallow;
  const std::vector<git_oid>& order = walked->commits;
  git_odb* odb_raw = nullptr;
  if (git_repository_odb(&odb_raw, r) != 0) return git_error("cannot open the object database");
  OdbPtr odb(odb_raw);
  WalkResult out;
  std::unordered_map<git_oid, std::size_t, OidHash, OidEq> seen;  // blob id -> index in out.blobs
  std::unordered_set<std::string> sited;                          // blob id + NUL + path, beyond the first
  git_diff_options dopts;
  git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);  // the _INIT macro leaves fields out (clang warns)
  dopts.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
  dopts.context_lines = 0;
  dopts.interhunk_lines = 0;
  for (const git_oid& oid : order) {
    if (should_stop && should_stop()) return make_error(ErrorCode::Timeout, "deadline exceeded while listing commits");
    git_commit* c = nullptr;
    if (const int crc = git_commit_lookup(&c, r, &oid); crc != 0) return unreadable_object(r, crc, "commit", hex(&oid));
    CommitPtr commit(c);
    const git_signature* committer = git_commit_committer(c);
    if (opts.since > 0 && committer && committer->when.time < opts.since) continue;
    WalkCommit info;
    info.id = hex(&oid);
    if (const git_signature* a = git_commit_author(c)) {
      info.author = fmt::format("{} <{}>", a->name ? a->name : "", a->email ? a->email : "");
      info.author_email = a->email ? a->email : "";
      info.date = iso_time(a->when.time);
    }
    if (committer) {
      info.committer = fmt::format("{} <{}>", committer->name ? committer->name : "", committer->email ? committer->email : "");
      info.committer_email = committer->email ? committer->email : "";
      info.time = committer->when.time;
    }
    info.message = git_commit_message_raw(c) ? git_commit_message_raw(c) : "";
    info.parents = git_commit_parentcount(c);
    const std::size_t index = out.commits.size();
    out.commits.push_back(std::move(info));

    git_tree* tree = nullptr;
    if (git_commit_tree(&tree, c) != 0) return git_error(fmt::format("cannot read the tree of {}", hex(&oid)));
    TreePtr new_tree(tree);
    TreePtr old_tree;
    if (shallow.count(oid) && git_commit_parentcount(c) > 0) {
      out.shallow_boundaries.push_back(hex(&oid));  // parents cut off: judged against the empty tree
    } else if (git_commit_parentcount(c) > 0) {
      git_commit* parent = nullptr;
      if (git_commit_parent(&parent, c, 0) != 0) return git_error(fmt::format("cannot read the parent of {}", hex(&oid)));
      CommitPtr p(parent);
      git_tree* pt = nullptr;
      if (git_commit_tree(&pt, parent) != 0) return git_error("cannot read a parent tree");
      old_tree.reset(pt);
    }
    // What changed, from vigil's own tree comparison (it descends only into subtrees whose ids
    // differ). Most commits only modify or add files: their changes are taken as they are. A
    // commit that deletes something (a rename candidate) or adds, removes or retypes a directory
    // gets libgit2's diff, limited to the changed paths (libgit2 otherwise iterates both whole
    // trees), with rename detection where asked. Taking the simple commits directly halved the
    // walk of a 1,000-commit push, which ran libgit2's diff after the same comparison.
    struct Delta {
      git_delta_t status = GIT_DELTA_UNMODIFIED;
      std::string path, old_path;
      git_oid new_id{}, old_id{};
      unsigned new_mode = 0, old_mode = 0;
    };
    std::vector<Delta> deltas;
    std::vector<TreeChange> tree_changes;
    if (old_tree) {
      if (auto dt = diff_trees(r, old_tree.get(), new_tree.get(), tree_changes); !dt) return dt.error();
    }
    const bool simple = old_tree && std::all_of(tree_changes.begin(), tree_changes.end(), [](const TreeChange& t) {
                          return t.new_mode != 0 && !t.old_is_tree && !t.new_is_tree;
                        });
    if (simple) {
      std::sort(tree_changes.begin(), tree_changes.end(), [](const TreeChange& x, const TreeChange& y) { return x.path < y.path; });
      for (auto& t : tree_changes) {
        Delta dl;
        dl.status = t.old_mode == 0                              ? GIT_DELTA_ADDED
                    : ((t.old_mode ^ t.new_mode) & 0170000) != 0 ? GIT_DELTA_TYPECHANGE
                                                                 : GIT_DELTA_MODIFIED;
        dl.path = std::move(t.path);
        dl.new_id = t.new_id;
        dl.old_id = t.old_id;
        dl.new_mode = t.new_mode;
        dl.old_mode = t.old_mode;
        deltas.push_back(std::move(dl));
      }
    } else {
      git_diff_options topts = dopts;
      std::vector<std::string> changed;
      std::vector<char*> specs;
      if (old_tree) {
        for (auto& t : tree_changes) changed.push_back(std::move(t.path));
        std::sort(changed.begin(), changed.end());
        for (auto& p : changed) specs.push_back(p.data());
        topts.pathspec = {specs.data(), specs.size()};
        topts.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
      }
      git_diff* d = nullptr;
      if (git_diff_tree_to_tree(&d, r, old_tree.get(), new_tree.get(), &topts) != 0) {
        return git_error(fmt::format("cannot diff commit {}", hex(&oid)));
      }
      DiffPtr diff(d);
      if (opts.detect_renames) {
        git_diff_find_options fopts;
        git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
        fopts.flags = GIT_DIFF_FIND_RENAMES;
        if (git_diff_find_similar(d, &fopts) != 0) return git_error("cannot detect renames");
      }
      const std::size_t n = git_diff_num_deltas(d);
      for (std::size_t i = 0; i < n; ++i) {
        const git_diff_delta* delta = git_diff_get_delta(d, i);
        Delta dl;
        dl.status = delta->status;
        dl.path = delta->status == GIT_DELTA_DELETED ? delta->old_file.path : delta->new_file.path;
        if (delta->status == GIT_DELTA_RENAMED || delta->status == GIT_DELTA_COPIED) dl.old_path = delta->old_file.path;
        dl.new_id = delta->new_file.id;
        dl.old_id = delta->old_file.id;
        dl.new_mode = delta->new_file.mode;
        dl.old_mode = delta->old_file.mode;
        deltas.push_back(std::move(dl));
      }
    }
    std::vector<FileChange> changes;
    for (const Delta& dl : deltas) {
      FileChange fc;
      fc.kind = change_kind(dl.status);
      const bool deleted = dl.status == GIT_DELTA_DELETED;
      fc.path = dl.path;
      fc.old_path = dl.old_path;
      if (!deleted) fc.blob = hex(&dl.new_id);
      if (dl.status != GIT_DELTA_ADDED) fc.old_blob = hex(&dl.old_id);
      fc.mode = dl.new_mode;
      fc.old_mode = dl.old_mode;
      const bool modified = dl.status == GIT_DELTA_MODIFIED || dl.status == GIT_DELTA_RENAMED;
      if (!deleted && dl.new_mode != GIT_FILEMODE_COMMIT && !seen.count(dl.new_id)) {
        seen.emplace(dl.new_id, out.blobs.size());
        BlobRef b;
        b.blob = fc.blob;
        b.path = fc.path;
        b.commit = index;
        size_t len = 0;
        git_object_t type = GIT_OBJECT_INVALID;
        if (const int hrc = git_odb_read_header(&len, &type, odb.get(), &dl.new_id); hrc != 0) {
          return unreadable_object(r, hrc, fmt::format("blob of {} in commit {}", fc.path, hex(&oid).substr(0, 12)), fc.blob);
        }
        b.size = len;
        fc.size = len;
        if (opts.track_lines && modified && (opts.max_blob_size == 0 || len <= opts.max_blob_size)) {
          b.old_blob = fc.old_blob;  // the scan computes the added lines (added_line_ranges)
          b.old_path = fc.old_path;
          b.whole_blob = false;
        }
        out.blobs.push_back(std::move(b));
      } else if (!deleted && dl.new_mode != GIT_FILEMODE_COMMIT) {
        // The same bytes at another path: an exemption scoped to the first path must not cover
        // this one, so the path is listed with the blob (once per path; its bytes are read once).
        BlobRef& b = out.blobs[seen.at(dl.new_id)];
        fc.size = b.size;
        if (b.path != fc.path && sited.insert(b.blob + '\0' + fc.path).second) {
          BlobSite site;
          site.path = fc.path;
          site.commit = index;
          if (opts.track_lines && modified && (opts.max_blob_size == 0 || b.size <= opts.max_blob_size)) {
            site.old_blob = fc.old_blob;
            site.old_path = fc.old_path;
            site.whole_blob = false;
          }
          b.more_sites.push_back(std::move(site));
        }
      }
      if (opts.keep_changes) changes.push_back(std::move(fc));
    }
    if (opts.keep_changes) out.changes.push_back(std::move(changes));
  }
  return out;
}

}  // namespace vigil::git
