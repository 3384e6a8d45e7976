#include "detectors/git/commit_walk.h"

#include <fmt/format.h>
#include <git2.h>

#include <cstring>
#include <ctime>
#include <unordered_set>

#include "detectors/git/handles.h"
#include "detectors/util/glob.h"

namespace vigil::git {

namespace {

std::string hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, oid);
  return buf;
}

std::string iso_time(git_time_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct OidHash {
  std::size_t operator()(const git_oid& o) const noexcept {
    std::size_t h;
    std::memcpy(&h, o.id, sizeof h);
    return h;
  }
};
struct OidEq {
  bool operator()(const git_oid& a, const git_oid& b) const noexcept { return git_oid_equal(&a, &b); }
};


int collect_hunk(const git_diff_delta*, const git_diff_hunk* h, void* payload) {
  auto& lines = *static_cast<std::vector<std::pair<std::size_t, std::size_t>>*>(payload);
  if (h->new_lines > 0) {
    lines.emplace_back(static_cast<std::size_t>(h->new_start), static_cast<std::size_t>(h->new_start + h->new_lines - 1));
  }
  return 0;
}

}  // namespace

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
  return git_graph_descendant_of(repo.raw(), &d, &a) == 1;
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

Result<WalkResult> walk_commits(const Repo& repo, const WalkOptions& opts, const std::function<bool()>& should_stop) {
  git_repository* r = repo.raw();
  git_revwalk* w = nullptr;
  if (git_revwalk_new(&w, r) != 0) return git_error("cannot walk commits");
  RevwalkPtr walk(w);
  git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);

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
    const int rc = hide ? git_revwalk_hide(w, git_object_id(peeled)) : git_revwalk_push(w, git_object_id(peeled));
    if (rc != 0) return git_error(fmt::format("cannot walk from {}", id));
    return {};
  };

  for (const auto& id : opts.include) {
    auto res = push_oid(id, false);
    if (!res) return res.error();
  }
  if (opts.all_refs && git_revwalk_push_glob(w, "refs/*") != 0) return git_error("cannot walk all refs");
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

  git_odb* odb_raw = nullptr;
  if (git_repository_odb(&odb_raw, r) != 0) return git_error("cannot open the object database");
  OdbPtr odb(odb_raw);
  WalkResult out;
  std::unordered_set<git_oid, OidHash, OidEq> seen;
  git_diff_options dopts;
  git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);  // the _INIT macro leaves fields out (clang warns)
  dopts.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
  dopts.context_lines = 0;
  dopts.interhunk_lines = 0;
  git_oid oid;
  while (true) {
    const int rc = git_revwalk_next(&oid, w);
    if (rc == GIT_ITEROVER) break;
    if (rc != 0) return git_error("cannot walk commits");
    if (should_stop && should_stop()) return make_error(ErrorCode::Timeout, "deadline exceeded while listing commits");
    git_commit* c = nullptr;
    if (git_commit_lookup(&c, r, &oid) != 0) return git_error(fmt::format("cannot read commit {}", hex(&oid)));
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
    if (git_commit_parentcount(c) > 0) {
      git_commit* parent = nullptr;
      if (git_commit_parent(&parent, c, 0) != 0) return git_error(fmt::format("cannot read the parent of {}", hex(&oid)));
      CommitPtr p(parent);
      git_tree* pt = nullptr;
      if (git_commit_tree(&pt, parent) != 0) return git_error("cannot read a parent tree");
      old_tree.reset(pt);
    }
    git_diff* d = nullptr;
    if (git_diff_tree_to_tree(&d, r, old_tree.get(), new_tree.get(), &dopts) != 0) {
      return git_error(fmt::format("cannot diff commit {}", hex(&oid)));
    }
    DiffPtr diff(d);
    if (opts.detect_renames) {
      git_diff_find_options fopts;
      git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
      fopts.flags = GIT_DIFF_FIND_RENAMES;
      if (git_diff_find_similar(d, &fopts) != 0) return git_error("cannot detect renames");
    }
    std::vector<FileChange> changes;
    const std::size_t n = git_diff_num_deltas(d);
    for (std::size_t i = 0; i < n; ++i) {
      const git_diff_delta* delta = git_diff_get_delta(d, i);
      FileChange fc;
      fc.kind = change_kind(delta->status);
      const bool deleted = delta->status == GIT_DELTA_DELETED;
      fc.path = deleted ? delta->old_file.path : delta->new_file.path;
      if (delta->status == GIT_DELTA_RENAMED || delta->status == GIT_DELTA_COPIED) fc.old_path = delta->old_file.path;
      if (!deleted) fc.blob = hex(&delta->new_file.id);
      if (delta->status != GIT_DELTA_ADDED) fc.old_blob = hex(&delta->old_file.id);
      fc.mode = delta->new_file.mode;
      fc.old_mode = delta->old_file.mode;
      if (!deleted && delta->new_file.mode != GIT_FILEMODE_COMMIT && !seen.count(delta->new_file.id)) {
        seen.insert(delta->new_file.id);
        BlobRef b;
        b.blob = fc.blob;
        b.path = fc.path;
        b.commit = index;
        size_t len = 0;
        git_object_t type = GIT_OBJECT_INVALID;
        if (git_odb_read_header(&len, &type, odb.get(), &delta->new_file.id) != 0) {
          return make_error(ErrorCode::Git,
                            fmt::format("missing blob {} for {} in commit {} — a partial or shallow clone? fetch "
                                        "the objects (git fetch --refetch) and run again",
                                        fc.blob, fc.path, hex(&oid).substr(0, 12)));
        }
        b.size = len;
        fc.size = len;
        const bool modified = delta->status == GIT_DELTA_MODIFIED || delta->status == GIT_DELTA_RENAMED;
        if (opts.track_lines && modified && (opts.max_blob_size == 0 || len <= opts.max_blob_size)) {
          git_blob* ob = nullptr;
          git_blob* nb = nullptr;
          if (git_blob_lookup(&ob, r, &delta->old_file.id) == 0 && git_blob_lookup(&nb, r, &delta->new_file.id) == 0) {
            BlobPtr o1(ob), n1(nb);
            git_diff_blobs(ob, nullptr, nb, nullptr, &dopts, nullptr, nullptr, collect_hunk, nullptr, &b.added_lines);
            b.whole_blob = false;
          } else {
            if (ob) git_blob_free(ob);
            return git_error(fmt::format("cannot read blob for {} in commit {}", fc.path, hex(&oid).substr(0, 12)));
          }
        }
        out.blobs.push_back(std::move(b));
      } else if (!deleted) {
        size_t len = 0;
        git_object_t type = GIT_OBJECT_INVALID;
        if (opts.keep_changes && delta->new_file.mode != GIT_FILEMODE_COMMIT &&
            git_odb_read_header(&len, &type, odb.get(), &delta->new_file.id) == 0) {
          fc.size = len;
        }
      }
      if (opts.keep_changes) changes.push_back(std::move(fc));
    }
    if (opts.keep_changes) out.changes.push_back(std::move(changes));
  }
  return out;
}

}  // namespace vigil::git
