// PackReader: reads blobs straight from a repository's pack files, one reader per thread with
// its own delta-base cache, so that history-scan threads share no lock (libgit2 shares one pack
// object, its mutexes and its 16 MB delta-base cache between every handle of the process).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "detectors/git/object_id.h"
#include "detectors/util/mapped_file.h"

namespace vigil::git {

/// One pack index (.idx version 2, SHA-1), mapped: the fan-out table, the sorted object names,
/// their CRCs, 4-byte offsets (high bit: index into the 8-byte offsets). Any other version, or
/// a truncated file, lists nothing.
class PackIndex {
 public:
  explicit PackIndex(const std::string& file);
  std::uint32_t count() const { return count_; }
  /// The rank of `id` (20 bytes) in this index and its offset in the pack, if the index lists it.
  bool find(const unsigned char* id, std::uint32_t& rank, std::uint64_t& offset) const;
  /// The checksum of the pack this index describes (its trailer names it).
  const unsigned char* pack_checksum() const { return count_ ? bytes() + map_.size() - 40 : nullptr; }

 private:
  std::uint32_t be32(std::size_t at) const;
  const unsigned char* bytes() const { return static_cast<const unsigned char*>(map_.data()); }
  MappedFile map_;
  std::uint32_t count_ = 0;
};

/// Where a packed object is: its number among all packed objects (its pack's first number plus
/// its rank in the pack index), its pack and its offset there (the order blobs are read in).
struct PackedAt {
  std::uint64_t number = 0;
  std::uint32_t pack = 0;
  std::uint64_t offset = 0;
};

/// What one thread read of the packs since their pages were last dropped, in pieces of 64 KB:
/// a page fault maps the 64 KB around it (the kernel's fault-around), so the pieces read bound
/// what the thread made resident. See PackedObjects::touched.
struct Residency {
  std::vector<std::uint64_t> bits;
  std::uint64_t pieces = 0;
};

/// The packs of an object directory (`<objects>/pack/*.idx` and their `.pack`), as they were
/// when this was built: a pack written later is not in it. Immutable once built, so threads
/// share it; the packs are mapped read-only here, before any reader exists.
class PackedObjects {
 public:
  /// `resident_budget`: see touched().
  explicit PackedObjects(const std::string& objects_dir, std::uint64_t resident_budget = std::uint64_t{32} << 20);
  PackedObjects(const PackedObjects&) = delete;
  PackedObjects& operator=(const PackedObjects&) = delete;
  std::uint64_t total() const { return total_; }
  std::optional<PackedAt> find(const unsigned char* id) const;
  std::size_t packs() const { return packs_.size(); }
  const PackIndex& index(std::size_t p) const { return packs_[p].idx; }
  /// The bytes of pack `p`, or nullptr when it could not be mapped or does not match its
  /// index (then its objects are read through libgit2).
  const MappedFile* data(std::size_t p) const { return packs_[p].usable ? &packs_[p].pack : nullptr; }

  /// An object's header: its type (git's number), size, where its zlib data starts and, for a
  /// delta, its base's offset in the same pack.
  struct ObjectHeader {
    int type = 0;
    std::uint64_t size = 0;
    std::uint64_t base_at = 0;
    const unsigned char* data = nullptr;
    std::size_t avail = 0;  // bytes from `data` to the end of the pack's objects
  };
  /// Reads the header of the object at `at` in pack `p`, every field bounds-checked: nullptr,
  /// or what is wrong with it.
  const char* header(std::uint32_t p, std::uint64_t at, ObjectHeader& h) const;
  /// The offset of the whole object at the bottom of the delta chain of the object at `offset`
  /// (itself when it is whole, or when the chain cannot be followed). Reads headers only.
  /// `r` is the caller's, for touched().
  std::uint64_t chain_root(std::uint32_t p, std::uint64_t offset, Residency& r) const;
  /// A thread tells which bytes of pack `p` it read (`bytes` from `offset`), in `r` (its own).
  /// Once the distinct 64 KB pieces it read since the last drop exceed the resident budget,
  /// the packs' pages are dropped from the resident set (they come back from the page cache on
  /// the next read), so that what a scan keeps mapped does not follow the size of the packs.
  /// Packs that are smaller than the budget together stay mapped.
  void touched(Residency& r, std::uint32_t p, std::uint64_t offset, std::uint64_t bytes) const;

 private:
  struct Pack {
    PackIndex idx;
    MappedFile pack;
    bool usable = false;
  };
  std::vector<Pack> packs_;
  std::vector<std::uint64_t> first_;
  std::vector<std::uint64_t> first_piece_;  // of each pack, in a Residency's numbering
  std::uint64_t total_ = 0, mapped_ = 0, pieces_ = 0, budget_;
};

/// Reads blobs and trees out of PackedObjects' packs: zlib, OFS_DELTA and same-pack REF_DELTA
/// chains resolved iteratively, a delta-base cache of `cache_bytes` (least recently used
/// evicted). Not thread-safe: one per thread. Whatever it cannot serve — an object of another
/// type, a base in another pack, damaged data, an object over 1 GiB — it declines (nullopt,
/// reason in declined()) and the caller reads through libgit2, which reports damage in its own
/// words.
class PackReader {
 public:
  /// The cache holds one delta family at a time when blobs come family by family (see
  /// HistoryBatch), so 4 MB serves as many bases as a larger one (docs/performance.md). An object
  /// over half the cache is not kept.
  /// `residency`: where its reads are counted (see PackedObjects::touched); share one between
  /// the readers of a thread. Its own when null.
  explicit PackReader(const PackedObjects& packs, std::size_t cache_bytes = std::size_t{4} << 20,
                      std::shared_ptr<Residency> residency = nullptr);
  PackReader(PackReader&&) noexcept;
  PackReader& operator=(PackReader&&) = delete;
  ~PackReader();

  /// The bytes of the blob at `offset` in pack `pack`, valid until the next read. `size` is the
  /// size the caller knows (from the object header); a different one declines.
  std::optional<std::string_view> read_blob(std::uint32_t pack, std::uint64_t offset, std::uint64_t size);
  /// The raw bytes of the tree at `offset` in pack `pack` (git's tree format), valid until the
  /// next read.
  std::optional<std::string_view> read_tree(std::uint32_t pack, std::uint64_t offset);
  /// The size of the object at `offset` in pack `pack` as its header says (for a delta, the
  /// result size at the start of its data), without inflating it; nullopt when it cannot tell
  /// (a whole object other than a blob, a header it cannot read).
  std::optional<std::uint64_t> object_size(std::uint32_t pack, std::uint64_t offset);
  const std::string& declined() const { return declined_; }
  /// Where this reader counts what it made resident of the packs.
  const std::shared_ptr<Residency>& residency() const { return resident_; }

  struct Stats {
    std::uint64_t served = 0, declined = 0, cache_hits = 0, inflated = 0, deltas = 0, longest_chain = 0, inflated_bytes = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Buffer {
    std::unique_ptr<unsigned char[]> bytes;
    std::size_t size = 0;
    int type = 0;  // git's object type number
  };
  using Shared = std::shared_ptr<const Buffer>;
  struct Cached {
    std::uint64_t key;
    Shared buf;
  };
  struct Link;  // one step of a delta chain

  std::optional<std::string_view> read_object(std::uint32_t pack, std::uint64_t offset, int type, std::uint64_t size);
  std::optional<std::string_view> decline(std::string why);
  bool inflate(std::uint32_t pack, const unsigned char* in, std::size_t in_size, unsigned char* out, std::size_t out_size);
  unsigned char* target(std::size_t size);
  Shared cache_find(std::uint64_t key);
  void cache_put(std::uint64_t key, Shared buf);

  const PackedObjects& packs_;
  std::size_t cache_limit_;
  std::size_t cache_used_ = 0;
  std::list<Cached> lru_;  // most recently used first
  std::unordered_map<std::uint64_t, std::list<Cached>::iterator> cache_;
  void* zs_ = nullptr;  // z_stream*, reused for every object
  std::vector<Link> chain_;
  std::unique_ptr<unsigned char[]> delta_;  // the delta being applied, inflated
  std::size_t delta_cap_ = 0;
  Shared current_;                           // the last blob, when the cache held it
  std::unique_ptr<unsigned char[]> target_;  // the last blob otherwise
  std::size_t target_cap_ = 0;
  std::string declined_;
  std::shared_ptr<Residency> resident_;  // see PackedObjects::touched
  Stats stats_;
};

}  // namespace vigil::git
