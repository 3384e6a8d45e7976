// The on-disk cache of compiled Hyperscan databases. A hook run maps the cached database into
// memory and scans with it in place: deserializing copied ~2 MB and ran Hyperscan's CRC over it,
// which (with the page faults of the copies) was the largest fixed cost of a pre-commit run.
//
// File layout: the database exactly as Hyperscan lays it out in memory (an "image", produced by
// deserializing into page-aligned memory, so its internal alignment holds wherever mmap puts it),
// then a 32-byte trailer: magic, image length, XXH3-64 of the image's first 4 KB, reserved. The
// file name carries the key (rules hash, Hyperscan version, CPU platform). A corrupt or truncated
// file is rebuilt. Two checksums cover the image between them: ours covers the first 4 KB, which
// hold Hyperscan's header (where its bytecode starts and how long it is, which Hyperscan's own
// checksum leaves out), and Hyperscan's CRC-32C covers the bytecode; it runs when the first
// scratch is allocated, which loading does (hashing the whole image again cost more than any
// other step of loading: docs/performance.md).
#pragma once

#include <hs.h>

#include <cstddef>
#include <string>

#include "detectors/util/mapped_file.h"

namespace vigil {

/// A database that is either owned on the heap (freed with hs_free_database) or a read-only
/// mapping of a cache file (unmapped). Move-only.
class HsDb {
 public:
  HsDb() = default;
  static HsDb owned(hs_database_t* db);
  HsDb(HsDb&& o) noexcept;
  HsDb& operator=(HsDb&& o) noexcept;
  HsDb(const HsDb&) = delete;
  HsDb& operator=(const HsDb&) = delete;
  ~HsDb();

  const hs_database_t* get() const { return db_; }
  explicit operator bool() const { return db_ != nullptr; }
  bool mapped() const { return map_.ok(); }
  /// Allocates the first scratch for this database (where Hyperscan checks the database's
  /// CRC). False when Hyperscan refuses the database or memory runs out.
  bool prepare_scratch();
  /// The first scratch: every scan's own scratch is cloned from it (no second check).
  const hs_scratch_t* prototype() const { return proto_; }

 private:
  friend HsDb load_db_cache(const std::string&, std::string&);
  void reset();
  hs_database_t* db_ = nullptr;  // owned, or in map_
  MappedFile map_;
  hs_scratch_t* proto_ = nullptr;
};

/// Maps the cached database in `file`. Empty on a missing, stale or corrupt file; `note` then says
/// which (empty for a plain miss).
HsDb load_db_cache(const std::string& file, std::string& note);

/// Writes `db` to `file` atomically (temp file + rename). Sets `note` when it cannot.
void store_db_cache(const std::string& file, const hs_database_t* db, std::string& note);

/// Hyperscan version and this CPU's platform, for cache keys.
std::string hs_platform_key();

}  // namespace vigil
