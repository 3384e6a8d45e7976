#include "detectors/git/ref_target.h"

#include <fmt/format.h>
#include <git2.h>

#include "detectors/git/handles.h"
#include "detectors/git/walk_order.h"

namespace vigil::git {

namespace {

std::string ident(const git_signature* s) {
  if (!s) return {};
  return fmt::format("{} <{}>", s->name ? s->name : "", s->email ? s->email : "");
}

}  // namespace

Result<RefTarget> peel_ref_target(const Repo& repo, const std::string& oid) {
  git_repository* r = repo.raw();
  git_oid id;
  if (git_oid_fromstr(&id, oid.c_str()) != 0) return make_error(ErrorCode::Git, fmt::format("invalid object id '{}'", oid));
  RefTarget out;
  // A tag names its target by id, so a chain cannot loop; its length is bounded by the objects
  // the push carries.
  for (;;) {
    git_object* o = nullptr;
    if (const int rc = git_object_lookup(&o, r, &id, GIT_OBJECT_ANY); rc != 0) {
      return unreadable_object(r, rc, out.tags.empty() ? "pushed ref target" : "target of tag " + out.tags.back().id, hex(&id));
    }
    ObjectPtr obj(o);
    const git_object_t type = git_object_type(o);
    if (type != GIT_OBJECT_TAG) {
      out.id = hex(&id);
      out.type = git_object_type2string(type);
      return out;
    }
    auto* tag = reinterpret_cast<git_tag*>(o);
    TagObject t;
    t.id = hex(&id);
    t.name = git_tag_name(tag) ? git_tag_name(tag) : "";
    const git_signature* tagger = git_tag_tagger(tag);
    t.tagger = ident(tagger);
    if (tagger) t.date = iso_time(tagger->when.time);
    t.message = git_tag_message(tag) ? git_tag_message(tag) : "";
    id = *git_tag_target_id(tag);
    out.tags.push_back(std::move(t));
  }
}

Result<std::vector<TreeEntry>> list_tree(const Repo& repo, const std::string& tree, const std::function<bool()>& should_stop) {
  git_repository* r = repo.raw();
  git_oid id;
  if (git_oid_fromstr(&id, tree.c_str()) != 0) return make_error(ErrorCode::Git, fmt::format("invalid object id '{}'", tree));
  git_tree* t = nullptr;
  if (const int rc = git_tree_lookup(&t, r, &id); rc != 0) return unreadable_object(r, rc, "pushed tree", tree);
  TreePtr root(t);
  git_odb* odb_raw = nullptr;
  if (git_repository_odb(&odb_raw, r) != 0) return git_error("cannot open the object database");
  OdbPtr odb(odb_raw);
  struct State {
    std::vector<TreeEntry> entries;
    git_odb* odb;
    git_repository* repo;
    const std::function<bool()>* should_stop;
    std::optional<Error> error;
  } state{{}, odb.get(), r, &should_stop, std::nullopt};
  auto visit = [](const char* dir, const git_tree_entry* e, void* payload) -> int {
    auto& s = *static_cast<State*>(payload);
    if (*s.should_stop && (*s.should_stop)()) {
      s.error = make_error(ErrorCode::Timeout, "deadline exceeded while listing a pushed tree");
      return -1;
    }
    const git_object_t type = git_tree_entry_type(e);
    if (type == GIT_OBJECT_TREE) return 0;
    TreeEntry te;
    te.path = std::string(dir) + git_tree_entry_name(e);
    te.id = hex(git_tree_entry_id(e));
    te.mode = static_cast<unsigned>(git_tree_entry_filemode_raw(e));
    if (type == GIT_OBJECT_BLOB) {
      size_t len = 0;
      git_object_t t2 = GIT_OBJECT_INVALID;
      if (const int rc = git_odb_read_header(&len, &t2, s.odb, git_tree_entry_id(e)); rc != 0) {
        s.error = unreadable_object(s.repo, rc, "blob of " + te.path + " in a pushed tree", te.id);
        return -1;
      }
      te.size = len;
    }
    s.entries.push_back(std::move(te));
    return 0;
  };
  if (git_tree_walk(root.get(), GIT_TREEWALK_PRE, visit, &state) != 0) {
    if (state.error) return *state.error;
    return git_error(fmt::format("cannot list tree {}", tree));
  }
  return std::move(state.entries);
}

}  // namespace vigil::git
