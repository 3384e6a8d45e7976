#include "detectors/scan/db_cache.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <cstring>
#include <memory>
#include <utility>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "detectors/util/c_free.h"
#include "detectors/util/cache_file.h"

namespace vigil {

namespace {

constexpr char kMagic[8] = {'V', 'I', 'G', 'I', 'L', 'D', 'B', '3'};
constexpr std::size_t kPage = 4096;
constexpr std::size_t kHeaderSum = 4096;  // bytes of the image our checksum covers (see db_cache.h)

struct Trailer {
  char magic[8];
  std::uint64_t image_len;
  std::uint64_t xxh3;  // of the image's first kHeaderSum bytes
  std::uint64_t reserved;
};
static_assert(sizeof(Trailer) == 32);

}  // namespace

HsDb HsDb::owned(hs_database_t* db) {
  HsDb h;
  h.db_ = db;
  return h;
}

HsDb::HsDb(HsDb&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), map_(std::move(o.map_)), proto_(std::exchange(o.proto_, nullptr)) {}

HsDb& HsDb::operator=(HsDb&& o) noexcept {
  if (this != &o) {
    reset();
    std::swap(db_, o.db_);
    std::swap(map_, o.map_);
    std::swap(proto_, o.proto_);
  }
  return *this;
}

HsDb::~HsDb() { reset(); }

bool HsDb::prepare_scratch() {
  if (proto_ != nullptr) return true;
  return db_ != nullptr && hs_alloc_scratch(db_, &proto_) == HS_SUCCESS;
}

void HsDb::reset() {
  if (proto_ != nullptr) hs_free_scratch(proto_);
  proto_ = nullptr;
  if (!map_.ok() && db_ != nullptr) hs_free_database(db_);
  db_ = nullptr;
  map_ = MappedFile();
}

std::string hs_platform_key() {
  hs_platform_info_t plat{};
  hs_populate_platform(&plat);
  return fmt::format("{}:{}:{}", hs_version(), plat.tune, plat.cpu_features);
}

HsDb load_db_cache(const std::string& file, std::string& note) {
  HsDb h;
  h.map_ = MappedFile(file);  // written by rename, never in place (store_db_cache)
  if (!h.map_.ok()) {
    std::error_code ec;
    note = std::filesystem::exists(file, ec) ? "cached database is corrupt; rebuilt it" : "no cached database";
    return {};
  }
  const std::size_t size = h.map_.size();
  if (size <= sizeof(Trailer)) {
    note = "cached database is corrupt; rebuilt it";
    return {};
  }
  const void* map = h.map_.data();
  Trailer t{};
  std::memcpy(&t, static_cast<const char*>(map) + size - sizeof t, sizeof t);
  const std::size_t image_len = size - sizeof t;
  if (std::memcmp(t.magic, kMagic, sizeof kMagic) != 0 || t.image_len != image_len ||
      XXH3_64bits(map, std::min(image_len, kHeaderSum)) != t.xxh3) {
    note = "cached database is stale or corrupt; rebuilt it";
    return {};
  }
  // Hyperscan validates its own header (magic, version) here; a mismatch means a stale cache.
  auto* db = static_cast<hs_database_t*>(const_cast<void*>(map));  // read-only: Hyperscan only reads it
  std::size_t db_size = 0;
  if (hs_database_size(db, &db_size) != HS_SUCCESS || db_size > image_len) {
    note = "cached database is stale or corrupt; rebuilt it";
    return {};
  }
  h.db_ = db;
  if (!h.prepare_scratch()) {  // Hyperscan's CRC over the bytecode, or a version it refuses
    note = "cached database is stale or corrupt; rebuilt it";
    return {};
  }
  mark_cache_entry_used(file);
  return h;
}

void store_db_cache(const std::string& file, const hs_database_t* db, std::string& note) {
  char* ser = nullptr;
  std::size_t ser_len = 0;
  if (hs_serialize_database(db, &ser, &ser_len) != HS_SUCCESS) {
    note = "cannot serialize the database for the cache";
    return;
  }
  std::unique_ptr<char, CFree<std::free>> owned_ser(ser);
  std::size_t image_len = 0;
  if (hs_serialized_database_size(ser, ser_len, &image_len) != HS_SUCCESS) {
    note = "cannot serialize the database for the cache";
    return;
  }
  // Page-aligned, as mmap will place it: the bytecode's cache-line alignment is then the same.
  const std::size_t alloc_len = (image_len + sizeof(Trailer) + kPage - 1) / kPage * kPage;
  std::unique_ptr<char, CFree<std::free>> buf(static_cast<char*>(std::aligned_alloc(kPage, alloc_len)));
  if (!buf) {
    note = "out of memory writing the database cache";
    return;
  }
  std::memset(buf.get(), 0, alloc_len);
  if (hs_deserialize_database_at(ser, ser_len, reinterpret_cast<hs_database_t*>(buf.get())) != HS_SUCCESS) {
    note = "cannot lay out the database for the cache";
    return;
  }
  Trailer t{};
  std::memcpy(t.magic, kMagic, sizeof kMagic);
  t.image_len = image_len;
  t.xxh3 = XXH3_64bits(buf.get(), std::min(image_len, kHeaderSum));
  std::memcpy(buf.get() + image_len, &t, sizeof t);
  if (!write_file_atomic(file, std::string_view(buf.get(), image_len + sizeof t))) {
    note = fmt::format("cannot write the database cache {}", file);
    return;
  }
  // One database per rule set and platform: bounded by keeping the 32 most recently used.
  prune_cache_entries(std::filesystem::path(file).parent_path().string(), "", ".hsdb", 32, 60, file);
}

}  // namespace vigil
