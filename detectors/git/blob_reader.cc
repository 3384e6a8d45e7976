// BlobReader: blob bytes straight from libgit2's object database, and the process-wide libgit2
// settings that bound what reading a whole history keeps in memory.
#include "detectors/git/blob_reader.h"

#include <fmt/format.h>
#include <git2.h>

#include <cstring>

#include "detectors/git/handles.h"

namespace vigil::git {

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

}  // namespace vigil::git
