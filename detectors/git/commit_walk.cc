#include "detectors/git/commit_walk.h"

#include <fmt/format.h>
#include <git2.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <optional>
#include <ctime>
#include <fstream>
#include <unordered_map>
#include <unordered_set>

#include "detectors/git/handles.h"
#include "detectors/git/walk_order.h"
#include "detectors/git/tree_diff.h"
#include "detectors/git/push_paths.h"
#include "detectors/util/glob.h"

namespace vigil::git {

namespace {



// The commits a shallow clone has cut off from their parents ($GIT_DIR/shallow). libgit2 1.5 does
// not know shallow clones: its revwalk and merge-base fail on the first missing parent, so a
// shallow repository is walked here instead, stopping at these commits.
OidSet shallow_commits(git_repository* r) {
  OidSet out;
  std::string path = git_repository_commondir(r);
  if (!path.empty() && path.back() != '/') path += '/';
  std::ifstream in(path + "shallow");
  for (std::string line; std::getline(in, line);) {
    git_oid oid;
    if (line.size() >= GIT_OID_HEXSZ && git_oid_fromstrn(&oid, line.data(), GIT_OID_HEXSZ) == 0) out.insert(oid);
  }
  return out;
}

// Parents of `id` that the clone has (none for a shallow boundary).
Result<std::vector<git_oid>> parents_of(git_repository* r, const git_oid& id, const OidSet& shallow) {
  std::vector<git_oid> out;
  if (shallow.count(id)) return out;
  git_commit* c = nullptr;
  if (git_commit_lookup(&c, r, &id) != 0) return git_error(fmt::format("cannot read commit {}", hex(&id)));
  CommitPtr commit(c);
  for (unsigned i = 0; i < git_commit_parentcount(c); ++i) out.push_back(*git_commit_parent_id(c, i));
  return out;
}

// Commits reachable from `include` and not from `hide`, parents before children, never crossing
// a shallow boundary. Hidden commits the clone does not have hide nothing.
Result<std::vector<git_oid>> shallow_walk(git_repository* r, const std::vector<git_oid>& include,
                                          const std::vector<git_oid>& hide, const OidSet& shallow) {
  OidSet hidden;
  std::vector<git_oid> queue;
  for (const auto& h : hide) {
    if (hidden.insert(h).second) queue.push_back(h);
  }
  while (!queue.empty()) {
    const git_oid id = queue.back();
    queue.pop_back();
    auto ps = parents_of(r, id, shallow);
    if (!ps) continue;  // not in the clone: nothing more to hide
    for (const auto& p : *ps) {
      if (hidden.insert(p).second) queue.push_back(p);
    }
  }
  // Iterative depth-first search; a commit is emitted after all of its parents.
  std::vector<git_oid> order;
  OidSet started, done;
  std::vector<std::pair<git_oid, bool>> stack;
  for (const auto& i : include) {
    if (!hidden.count(i)) stack.emplace_back(i, false);
  }
  while (!stack.empty()) {
    auto [id, expanded] = stack.back();
    if (expanded) {
      stack.pop_back();
      if (done.insert(id).second) order.push_back(id);
      continue;
    }
    if (started.count(id)) {
      stack.pop_back();
      continue;
    }
    started.insert(id);
    stack.back().second = true;
    auto ps = parents_of(r, id, shallow);
    if (!ps) return ps.error();
    for (const auto& p : *ps) {
      if (!hidden.count(p) && !started.count(p)) stack.emplace_back(p, false);
    }
  }
  return order;
}


}  // namespace

std::string iso_time(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// libgit2 reports a missing object as GIT_ENOTFOUND; anything else reading it means it is damaged.
Error unreadable_object(git_repository* r, int rc, const std::string& what, const std::string& id) {
  if (rc == GIT_ENOTFOUND) {
    // A partial clone names its promisor remote (remote.<name>.promisor, or extensions.partialClone).
    std::string promisor;
    git_config* c = nullptr;
    if (git_repository_config_snapshot(&c, r) == 0) {
      ConfigPtr cfg(c);
      const char* v = nullptr;
      if (git_config_get_string(&v, c, "extensions.partialclone") == 0 && v) promisor = v;
      git_config_iterator* it = nullptr;
      if (promisor.empty() && git_config_iterator_glob_new(&it, c, "^remote\\..*\\.promisor$") == 0) {
        git_config_entry* e = nullptr;
        while (promisor.empty() && git_config_next(&e, it) == 0) {
          const std::string name = e->name;  // remote.<name>.promisor
          if (std::string_view(e->value) == "true") promisor = name.substr(7, name.size() - 7 - 9);
        }
        git_config_iterator_free(it);
      }
    }
    if (!promisor.empty()) {
      return make_error(ErrorCode::Git,
                        fmt::format("missing object {} ({}): this is a partial clone (remote '{}' holds the objects "
                                    "it left out) and vigil does not download them — fetch them (git fetch "
                                    "--refetch {}, or clone without --filter) and run again",
                                    id, what, promisor, promisor));
    }
    return make_error(ErrorCode::Git, fmt::format("missing object {} ({}) — the repository is incomplete; run "
                                                  "`git fsck` and fetch the missing objects",
                                                  id, what));
  }
  const ::git_error* e = git_error_last();
  return make_error(ErrorCode::Git, fmt::format("corrupt object {} ({}): {} — the object database is damaged; "
                                                "run `git fsck` and restore the object from another clone",
                                                id, what, e && e->message ? e->message : "unreadable"));
}

Result<std::vector<std::pair<std::string, std::string>>> list_refs(const Repo& repo) {
  git_reference_iterator* it = nullptr;
  if (git_reference_iterator_new(&it, repo.raw()) != 0) return git_error("cannot list refs");
  std::vector<std::pair<std::string, std::string>> out;
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, it) == 0) {
    ReferencePtr owned(ref);
    git_object* peeled = nullptr;
    if (git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) == 0) {
      ObjectPtr p(peeled);
      out.emplace_back(git_reference_name(ref), hex(git_object_id(peeled)));
    }
  }
  git_reference_iterator_free(it);
  return out;
}

bool is_ancestor(const Repo& repo, const std::string& ancestor, const std::string& descendant) {
  git_oid a, d;
  if (git_oid_fromstr(&a, ancestor.c_str()) != 0 || git_oid_fromstr(&d, descendant.c_str()) != 0) return false;
  if (git_oid_equal(&a, &d)) return true;
  const OidSet shallow = shallow_commits(repo.raw());
  if (shallow.empty()) return git_graph_descendant_of(repo.raw(), &d, &a) == 1;
  OidSet seen{d};
  std::vector<git_oid> queue{d};
  while (!queue.empty()) {
    const git_oid id = queue.back();
    queue.pop_back();
    auto ps = parents_of(repo.raw(), id, shallow);
    if (!ps) return false;
    for (const auto& p : *ps) {
      if (git_oid_equal(&p, &a)) return true;
      if (seen.insert(p).second) queue.push_back(p);
    }
  }
  return false;
}

std::string object_type(const Repo& repo, const std::string& oid) {
  git_oid o;
  if (git_oid_fromstr(&o, oid.c_str()) != 0) return "";
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, repo.raw()) != 0) return "";
  OdbPtr owned(odb);
  size_t len = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  if (git_odb_read_header(&len, &type, odb, &o) != 0) return "";
  return git_object_type2string(type);
}

void disable_object_cache() { git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0); }

void limit_pack_mapping(std::size_t window_bytes, std::size_t mapped_bytes) {
  git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, window_bytes);
  git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, mapped_bytes);
}

Result<BlobReader> BlobReader::open(const Repo& repo) {
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, repo.raw()) != 0) return git_error("cannot open the object database");
  return BlobReader(repo, odb);
}

BlobReader::BlobReader(BlobReader&& o) noexcept : repo_(o.repo_), odb_(o.odb_), current_(o.current_) {
  o.odb_ = nullptr;
  o.current_ = nullptr;
}

void BlobReader::release() {
  if (current_) git_odb_object_free(static_cast<git_odb_object*>(current_));
  current_ = nullptr;
}

BlobReader::~BlobReader() {
  release();
  if (odb_) git_odb_free(static_cast<git_odb*>(odb_));
}

Result<std::string_view> BlobReader::read(const std::string& oid_hex) {
  ObjectId id;
  git_oid oid;
  if (git_oid_fromstr(&oid, oid_hex.c_str()) != 0) return make_error(ErrorCode::Git, fmt::format("invalid object id '{}'", oid_hex));
  std::memcpy(id.bytes.data(), oid.id, id.bytes.size());
  return read(id);
}

Result<std::string_view> BlobReader::read(const ObjectId& id) {
  release();
  git_oid oid;
  std::memcpy(oid.id, id.bytes.data(), id.bytes.size());
  git_odb_object* o = nullptr;
  if (const int rc = git_odb_read(&o, static_cast<git_odb*>(odb_), &oid); rc != 0) {
    return unreadable_object(repo_->raw(), rc, "blob", id.hex());
  }
  current_ = o;
  if (git_odb_object_type(o) != GIT_OBJECT_BLOB) {
    return make_error(ErrorCode::Git, fmt::format("object {} is a {}, not a blob — the repository is damaged; run `git fsck`",
                                                  id.hex(), git_object_type2string(git_odb_object_type(o))));
  }
  return std::string_view(static_cast<const char*>(git_odb_object_data(o)), git_odb_object_size(o));
}

Result<WalkOrder> walk_order(const Repo& repo, const WalkOptions& opts) {
  git_repository* r = repo.raw();
  git_revwalk* w = nullptr;
  if (git_revwalk_new(&w, r) != 0) return git_error("cannot walk commits");
  RevwalkPtr walk(w);
  git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
  WalkOrder out;
  out.shallow = shallow_commits(r);
  const OidSet& shallow = out.shallow;
  std::vector<git_oid> shallow_include, shallow_hide;  // the same starts, for shallow_walk

  auto push_oid = [&](const std::string& id, bool hide) -> Result<void> {
    git_oid oid;
    if (git_oid_fromstr(&oid, id.c_str()) != 0) return make_error(ErrorCode::Git, fmt::format("invalid object id '{}'", id));
    // Tags are peeled to the commit they name; other objects (a tagged tree or blob) are skipped.
    git_object* obj = nullptr;
    if (git_object_lookup(&obj, r, &oid, GIT_OBJECT_ANY) != 0) {
      if (hide) return {};  // a ref the remote has but we do not: nothing to hide
      return git_error(fmt::format("cannot read object {} (missing object?)", id));
    }
    ObjectPtr o(obj);
    git_object* peeled = nullptr;
    if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0) return {};
    ObjectPtr p(peeled);
    if (!shallow.empty()) {
      (hide ? shallow_hide : shallow_include).push_back(*git_object_id(peeled));
      return {};
    }
    const int rc = hide ? git_revwalk_hide(w, git_object_id(peeled)) : git_revwalk_push(w, git_object_id(peeled));
    if (rc != 0) return git_error(fmt::format("cannot walk from {}", id));
    return {};
  };

  for (const auto& id : opts.include) {
    auto res = push_oid(id, false);
    if (!res) return res.error();
  }
  if (opts.all_refs) {
    // Every ref, and HEAD: a detached HEAD's commits are on no branch, but they are history too.
    auto refs = list_refs(repo);
    if (!refs) return refs.error();
    for (const auto& [name, target] : *refs) {
      auto res = push_oid(target, false);
      if (!res) return res.error();
    }
    git_object* head = nullptr;
    if (git_revparse_single(&head, r, "HEAD^{commit}") == 0) {
      ObjectPtr h(head);
      auto res = push_oid(hex(git_object_id(head)), false);
      if (!res) return res.error();
    }
  }
  for (const auto& id : opts.hide) {
    auto res = push_oid(id, true);
    if (!res) return res.error();
  }
  if (opts.hide_all_refs || !opts.hide_ref_globs.empty()) {
    auto refs = list_refs(repo);
    if (!refs) return refs.error();
    for (const auto& [name, target] : *refs) {
      bool hide = opts.hide_all_refs;
      for (const auto& g : opts.hide_ref_globs) hide = hide || glob_match(g, name);
      if (hide) {
        auto res = push_oid(target, true);
        if (!res) return res.error();
      }
    }
  }

  if (!shallow.empty()) {
    auto walked = shallow_walk(r, shallow_include, shallow_hide, shallow);
    if (!walked) return walked.error();
    out.commits = std::move(*walked);
  } else {
    for (git_oid next;;) {
      const int rc = git_revwalk_next(&next, w);
      if (rc == GIT_ITEROVER) break;
      if (rc != 0) return git_error("cannot walk commits");
      out.commits.push_back(next);
    }
  }
  return out;
}

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
  std::unordered_set<std::string> sited;                           // blob id + NUL + path, beyond the first
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
        dl.status = t.old_mode == 0 ? GIT_DELTA_ADDED
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
