// BlobReader: reads blob bytes without copying them out of libgit2; and the process-wide libgit2
// settings for reading a whole history (object cache, pack mapping).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "detectors/git/object_id.h"
#include "detectors/git/repo.h"

namespace vigil::git {

/// Turns libgit2's object cache off for the process: it kept every tree a history walk read, so
/// peak memory followed the length of history (docs/performance.md).
void disable_object_cache();

/// Bounds how much of the pack files libgit2 keeps mapped, for the process: windows of
/// `window_bytes`, at most `mapped_bytes` of them at a time (least recently used unmapped
/// first). By default libgit2 maps a pack whole, so peak RSS followed the size of the pack
/// (docs/performance.md).
void limit_pack_mapping(std::size_t window_bytes, std::size_t mapped_bytes);

/// Reads blobs without copying them out of libgit2: the bytes stay valid until the next read
/// or until the reader is destroyed. One per thread (it holds its repository's object database).
class BlobReader {
 public:
  static Result<BlobReader> open(const Repo& repo);
  BlobReader(BlobReader&&) noexcept;
  BlobReader& operator=(BlobReader&&) = delete;
  ~BlobReader();
  /// The bytes of blob `oid_hex`; a missing or damaged object is an error that names it.
  Result<std::string_view> read(const std::string& oid_hex);
  Result<std::string_view> read(const ObjectId& id);

 private:
  BlobReader(const Repo& repo, void* odb) : repo_(&repo), odb_(odb) {}
  void release();
  const Repo* repo_;
  void* odb_;                // git_odb*
  void* current_ = nullptr;  // git_odb_object* of the last read
};

}  // namespace vigil::git
