#include "detectors/git/pack_reader.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <filesystem>

namespace vigil::git {

namespace {

constexpr int kCommit = 1, kTree = 2, kBlob = 3, kTag = 4, kOfsDelta = 6, kRefDelta = 7;
constexpr std::uint64_t kAnySize = UINT64_MAX;
const char* type_name(int type) { return type == kTree ? "tree" : "blob"; }
// git writes chains of at most 4095 (pack.depth); a longer one is damage, or a REF_DELTA loop.
constexpr std::size_t kMaxChain = 10000;
// Larger objects are left to libgit2: a damaged size field must not become a huge allocation.
constexpr std::uint64_t kMaxObject = std::uint64_t{1} << 30;
// A page fault on a mapped file maps the 64 KB around the page (the kernel's fault-around), so
// the resident budget is counted in aligned 64 KB pieces: reading one header makes one piece
// resident (docs/performance.md).
constexpr unsigned kPieceShift = 16;

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

std::uint64_t cache_key(std::uint32_t pack, std::uint64_t offset) { return (std::uint64_t{pack} << 48) ^ offset; }

// A delta's base or result size: 7 bits a byte, least significant first.
bool delta_size(const unsigned char*& p, const unsigned char* end, std::uint64_t& out) {
  out = 0;
  for (unsigned shift = 0;; shift += 7) {
    if (p >= end || shift > 63) return false;
    const unsigned char c = *p++;
    out |= static_cast<std::uint64_t>(c & 0x7f) << shift;
    if (!(c & 0x80)) return true;
  }
}

}  // namespace

PackIndex::PackIndex(const std::string& file) : map_(file) {
  static const unsigned char magic[8] = {0xff, 't', 'O', 'c', 0, 0, 0, 2};
  if (map_.size() < 8 + 256 * 4 + 40 || std::memcmp(bytes(), magic, 8) != 0) return;
  const std::uint32_t n = be32(8 + 255 * 4);
  // Names, CRCs and 4-byte offsets, then 8-byte offsets (a multiple of 8), then two checksums.
  const std::size_t fixed = 8 + 256 * 4 + static_cast<std::size_t>(n) * 28 + 40;
  if (map_.size() < fixed || (map_.size() - fixed) % 8 != 0) return;
  count_ = n;
}

std::uint32_t PackIndex::be32(std::size_t at) const { return git::be32(bytes() + at); }

bool PackIndex::find(const unsigned char* id, std::uint32_t& rank, std::uint64_t& offset) const {
  if (count_ == 0) return false;
  const std::uint32_t lo = id[0] == 0 ? 0 : be32(8 + (id[0] - 1) * 4), hi = be32(8 + id[0] * 4);
  const unsigned char* names = bytes() + 8 + 256 * 4;
  std::uint32_t a = lo, b = std::min(hi, count_);
  while (a < b) {
    const std::uint32_t m = a + (b - a) / 2;
    const int c = std::memcmp(names + static_cast<std::size_t>(m) * 20, id, 20);
    if (c == 0) {
      const std::size_t offs = 8 + 256 * 4 + static_cast<std::size_t>(count_) * 24;
      const std::uint32_t o = be32(offs + static_cast<std::size_t>(m) * 4);
      rank = m;
      if (!(o & 0x80000000u)) {
        offset = o;
        return true;
      }
      const std::size_t big = offs + static_cast<std::size_t>(count_) * 4 + static_cast<std::size_t>(o & 0x7fffffffu) * 8;
      if (big + 8 > map_.size() - 40) return false;
      offset = (static_cast<std::uint64_t>(be32(big)) << 32) | be32(big + 4);
      return true;
    }
    if (c < 0) a = m + 1;
    else b = m;
  }
  return false;
}

PackedObjects::PackedObjects(const std::string& objects_dir, std::uint64_t resident_budget) : budget_(resident_budget) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(objects_dir) / "pack", ec)) {
    if (e.path().extension() == ".idx") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    packs_.push_back(Pack{PackIndex(f), MappedFile(f.substr(0, f.size() - 4) + ".pack")});
    Pack& p = packs_.back();
    // The pack must be the one its index describes: header, object count and the checksum
    // that closes the pack and is repeated in the index's trailer.
    const auto* d = static_cast<const unsigned char*>(p.pack.data());
    const std::size_t n = p.pack.size();
    p.usable = p.idx.count() > 0 && n >= 12 + 20 && std::memcmp(d, "PACK", 4) == 0 && (be32(d + 4) == 2 || be32(d + 4) == 3) &&
               be32(d + 8) == p.idx.count() && std::memcmp(d + n - 20, p.idx.pack_checksum(), 20) == 0;
    if (p.usable) mapped_ += n;
    first_.push_back(total_);
    first_piece_.push_back(pieces_);
    pieces_ += (n >> kPieceShift) + 1;
    total_ += p.idx.count();
  }
}

std::optional<PackedAt> PackedObjects::find(const unsigned char* id) const {
  for (std::size_t p = 0; p < packs_.size(); ++p) {
    std::uint32_t rank = 0;
    std::uint64_t offset = 0;
    if (packs_[p].idx.find(id, rank, offset)) return PackedAt{first_[p] + rank, static_cast<std::uint32_t>(p), offset};
  }
  return std::nullopt;
}

const char* PackedObjects::header(std::uint32_t pack, std::uint64_t at, ObjectHeader& h) const {
  const MappedFile* map = pack < packs_.size() ? data(pack) : nullptr;
  if (!map) return "the pack is not readable here";
  const std::uint64_t end = map->size() - 20;  // the trailing checksum is no object's
  if (at < 12 || at >= end) return "an object offset outside the pack";
  const auto* base = static_cast<const unsigned char*>(map->data());
  const unsigned char* p = base + at;
  const unsigned char* lim = base + end;
  unsigned char c = *p++;
  h.type = (c >> 4) & 7;
  h.size = c & 15;
  for (unsigned shift = 4; c & 0x80; shift += 7) {
    if (p >= lim || shift > 57) return "a damaged object header";
    c = *p++;
    h.size |= static_cast<std::uint64_t>(c & 0x7f) << shift;
  }
  if (h.size > kMaxObject) return "an object over 1 GiB";
  if (h.type == kOfsDelta) {
    if (p >= lim) return "a damaged delta header";
    c = *p++;
    std::uint64_t back = c & 0x7f;
    while (c & 0x80) {
      if (p >= lim || back > (UINT64_MAX >> 8)) return "a damaged delta header";
      c = *p++;
      back = ((back + 1) << 7) | (c & 0x7f);
    }
    if (back == 0 || back > at - 12) return "a delta whose base is outside the pack";
    h.base_at = at - back;
  } else if (h.type == kRefDelta) {
    if (lim - p < 20) return "a damaged delta header";
    std::uint32_t rank = 0;
    if (!packs_[pack].idx.find(p, rank, h.base_at)) return "a delta whose base is in another pack";
    p += 20;
  } else if (h.type < kCommit || h.type > kTag) {
    return "an unknown object type";
  }
  h.data = p;
  h.avail = static_cast<std::size_t>(lim - p);
  return nullptr;
}

void PackedObjects::touched(Residency& r, std::uint32_t pack, std::uint64_t offset, std::uint64_t bytes) const {
  if (mapped_ <= budget_ || pack >= packs_.size()) return;
  if (r.bits.size() != (pieces_ + 63) / 64) r.bits.assign((pieces_ + 63) / 64, 0);
  const std::uint64_t first = first_piece_[pack] + (offset >> kPieceShift);
  const std::uint64_t last = first_piece_[pack] + ((offset + std::max<std::uint64_t>(bytes, 1) - 1) >> kPieceShift);
  for (std::uint64_t i = first; i <= last && i < pieces_; ++i) {
    std::uint64_t& word = r.bits[i / 64];
    const std::uint64_t bit = std::uint64_t{1} << (i % 64);
    if (word & bit) continue;
    word |= bit;
    ++r.pieces;
  }
  if ((r.pieces << kPieceShift) <= budget_) return;
  std::fill(r.bits.begin(), r.bits.end(), 0);
  r.pieces = 0;
  // Read-only and never written: the pages come back from the file, so this is safe while
  // another thread reads the same mapping (it takes a minor fault).
  for (const auto& p : packs_) {
    if (p.usable) madvise(const_cast<void*>(p.pack.data()), p.pack.size(), MADV_DONTNEED);
  }
}

std::uint64_t PackedObjects::chain_root(std::uint32_t pack, std::uint64_t offset, Residency& r) const {
  ObjectHeader h;
  for (std::size_t depth = 0; depth <= kMaxChain; ++depth) {
    touched(r, pack, offset, 32);  // a header and a delta's base offset
    if (header(pack, offset, h) != nullptr || (h.type != kOfsDelta && h.type != kRefDelta)) return offset;
    offset = h.base_at;
  }
  return offset;
}

// A delta waiting for its base: where its compressed data starts and its inflated size.
struct PackReader::Link {
  std::uint64_t offset;
  const unsigned char* data;
  std::size_t avail;  // bytes from `data` to the end of the pack's objects
  std::uint64_t size;
};

PackReader::PackReader(const PackedObjects& packs, std::size_t cache_bytes, std::shared_ptr<Residency> residency)
    : packs_(packs), cache_limit_(cache_bytes), resident_(residency ? std::move(residency) : std::make_shared<Residency>()) {
  auto* zs = new z_stream{};
  if (inflateInit(zs) != Z_OK) {
    delete zs;
    zs = nullptr;  // every read declines
  }
  zs_ = zs;
}

PackReader::PackReader(PackReader&& o) noexcept
    : packs_(o.packs_),
      cache_limit_(o.cache_limit_),
      cache_used_(o.cache_used_),
      lru_(std::move(o.lru_)),
      cache_(std::move(o.cache_)),
      zs_(o.zs_),
      chain_(std::move(o.chain_)),
      delta_(std::move(o.delta_)),
      delta_cap_(o.delta_cap_),
      current_(std::move(o.current_)),
      target_(std::move(o.target_)),
      target_cap_(o.target_cap_),
      declined_(std::move(o.declined_)),
      resident_(std::move(o.resident_)),
      stats_(o.stats_) {
  o.zs_ = nullptr;
}

PackReader::~PackReader() {
  if (auto* zs = static_cast<z_stream*>(zs_)) {
    inflateEnd(zs);
    delete zs;
  }
}

std::optional<std::string_view> PackReader::decline(std::string why) {
  declined_ = std::move(why);
  ++stats_.declined;
  return std::nullopt;
}

// Inflates exactly `out_size` bytes from a zlib stream that must end there.
bool PackReader::inflate(std::uint32_t pack, const unsigned char* in, std::size_t in_size, unsigned char* out, std::size_t out_size) {
  auto* zs = static_cast<z_stream*>(zs_);
  if (!zs || inflateReset(zs) != Z_OK) return false;
  unsigned char none = 0;
  zs->next_in = const_cast<unsigned char*>(in);
  zs->avail_in = static_cast<uInt>(std::min<std::size_t>(in_size, UINT_MAX));
  zs->next_out = out_size ? out : &none;
  zs->avail_out = static_cast<uInt>(out_size);  // out_size <= kMaxObject < 4 GiB
  const int rc = ::inflate(zs, Z_FINISH);
  packs_.touched(*resident_, pack, static_cast<std::uint64_t>(in - static_cast<const unsigned char*>(packs_.data(pack)->data())), zs->total_in);
  stats_.inflated_bytes += zs->total_out;
  // Z_STREAM_END with every byte written: a stream with more data would have stopped with
  // Z_BUF_ERROR, a short one ends early.
  return rc == Z_STREAM_END && zs->total_out == out_size;
}

PackReader::Shared PackReader::cache_find(std::uint64_t key) {
  auto it = cache_.find(key);
  if (it == cache_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  ++stats_.cache_hits;
  return it->second->buf;
}

void PackReader::cache_put(std::uint64_t key, Shared buf) {
  const std::size_t cost = buf->size + 64;
  if (cost > cache_limit_ / 2) return;  // one object must not flush the cache
  if (auto it = cache_.find(key); it != cache_.end()) {
    cache_used_ -= it->second->buf->size + 64;
    lru_.erase(it->second);
    cache_.erase(it);
  }
  while (cache_used_ + cost > cache_limit_ && !lru_.empty()) {
    cache_used_ -= lru_.back().buf->size + 64;
    cache_.erase(lru_.back().key);
    lru_.pop_back();
  }
  lru_.push_front(Cached{key, std::move(buf)});
  cache_.emplace(key, lru_.begin());
  cache_used_ += cost;
}

std::optional<std::string_view> PackReader::read_blob(std::uint32_t pack, std::uint64_t offset, std::uint64_t size) {
  return read_object(pack, offset, kBlob, size);
}

std::optional<std::string_view> PackReader::read_tree(std::uint32_t pack, std::uint64_t offset) {
  return read_object(pack, offset, kTree, kAnySize);
}

std::optional<std::string_view> PackReader::read_object(std::uint32_t pack, std::uint64_t offset, int type, std::uint64_t size) {
  current_.reset();
  const auto size_ok = [&](std::uint64_t n) { return size == kAnySize || n == size; };

  // Down the chain to a base: a cached object, or a whole one.
  chain_.clear();
  Shared base;
  std::uint64_t at = offset;
  PackedObjects::ObjectHeader h;
  for (std::size_t depth = 0; !base; ++depth) {
    if (depth > kMaxChain) return decline(fmt::format("delta chain longer than {} at offset {}", kMaxChain, offset));
    if ((base = cache_find(cache_key(pack, at)))) break;
    if (const char* why = packs_.header(pack, at, h)) return decline(fmt::format("{} at offset {}", why, at));
    if (h.type == kOfsDelta || h.type == kRefDelta) {
      chain_.push_back(Link{at, h.data, h.avail, h.size});
      at = h.base_at;
      continue;
    }
    if (depth == 0) {  // a whole object: into the reused buffer, nothing to cache
      if (h.type != type) return decline(fmt::format("object at offset {} is not a {}", at, type_name(type)));
      if (!size_ok(h.size)) return decline(fmt::format("object at offset {} has {} bytes, its header said {}", at, h.size, size));
      unsigned char* out = target(h.size);
      if (!inflate(pack, h.data, h.avail, out, h.size)) return decline(fmt::format("damaged zlib data at offset {}", at));
      ++stats_.inflated;
      ++stats_.served;
      return std::string_view(reinterpret_cast<const char*>(out), h.size);
    }
    auto whole = std::make_shared<Buffer>();
    whole->bytes.reset(new unsigned char[h.size ? h.size : 1]);
    whole->size = h.size;
    whole->type = h.type;
    if (!inflate(pack, h.data, h.avail, whole->bytes.get(), h.size)) return decline(fmt::format("damaged zlib data at offset {}", at));
    ++stats_.inflated;
    base = std::move(whole);
    cache_put(cache_key(pack, at), base);
  }
  stats_.longest_chain = std::max<std::uint64_t>(stats_.longest_chain, chain_.size());
  if (chain_.empty()) {  // a cache hit
    if (base->type != type || !size_ok(base->size)) return decline(fmt::format("object at offset {} is not the {} expected", offset, type_name(type)));
    ++stats_.served;
    current_ = std::move(base);
    return std::string_view(reinterpret_cast<const char*>(current_->bytes.get()), current_->size);
  }
  if (base->type != type) return decline(fmt::format("object at offset {} is not a {}", offset, type_name(type)));

  // Up the chain: each delta applied to the object below it. The intermediate results are
  // cached: they are the bases of the blobs of the same family read next; the blob itself goes
  // to the reused buffer.
  for (std::size_t i = chain_.size(); i-- > 0;) {
    const Link& l = chain_[i];
    // Not zero-filled: a damaged size field costs address space, not memory, as inflate
    // writes only the bytes the stream really holds.
    if (delta_cap_ < l.size || (delta_cap_ > (std::size_t{16} << 20) && l.size < delta_cap_ / 4)) {
      delta_cap_ = std::max<std::size_t>(l.size, 64 << 10);
      delta_.reset(new unsigned char[delta_cap_]);
    }
    if (!inflate(pack, l.data, l.avail, delta_.get(), l.size)) return decline(fmt::format("damaged zlib data at offset {}", l.offset));
    const unsigned char* p = delta_.get();
    const unsigned char* e = p + l.size;
    std::uint64_t base_size = 0, result_size = 0;
    if (!delta_size(p, e, base_size) || !delta_size(p, e, result_size) || base_size != base->size || result_size > kMaxObject) {
      return decline(fmt::format("damaged delta at offset {}", l.offset));
    }
    if (i == 0 && !size_ok(result_size)) return decline(fmt::format("object at offset {} has {} bytes, its header said {}", offset, result_size, size));
    std::shared_ptr<Buffer> out;
    unsigned char* o = nullptr;
    if (i > 0) {
      out = std::make_shared<Buffer>();
      out->bytes.reset(new unsigned char[result_size ? result_size : 1]);
      out->size = result_size;
      out->type = base->type;
      o = out->bytes.get();
    } else {
      o = target(result_size);
    }
    std::uint64_t written = 0;
    while (p < e) {
      const unsigned char op = *p++;
      if (op & 0x80) {  // copy from the base: offset and size bytes present as the low bits say
        std::uint64_t from = 0, len = 0;
        for (unsigned b = 0; b < 4; ++b) {
          if (!(op & (1u << b))) continue;
          if (p >= e) return decline(fmt::format("damaged delta at offset {}", l.offset));
          from |= std::uint64_t{*p++} << (8 * b);
        }
        for (unsigned b = 0; b < 3; ++b) {
          if (!(op & (0x10u << b))) continue;
          if (p >= e) return decline(fmt::format("damaged delta at offset {}", l.offset));
          len |= std::uint64_t{*p++} << (8 * b);
        }
        if (len == 0) len = 0x10000;
        if (from > base->size || len > base->size - from || len > result_size - written) {
          return decline(fmt::format("delta at offset {} copies outside its base or result", l.offset));
        }
        std::memcpy(o + written, base->bytes.get() + from, len);
        written += len;
      } else if (op != 0) {  // insert the next `op` bytes
        if (op > e - p || op > result_size - written) return decline(fmt::format("damaged delta at offset {}", l.offset));
        std::memcpy(o + written, p, op);
        p += op;
        written += op;
      } else {
        return decline(fmt::format("damaged delta at offset {} (reserved opcode 0)", l.offset));
      }
    }
    if (written != result_size) return decline(fmt::format("delta at offset {} is short of its result size", l.offset));
    ++stats_.deltas;
    if (i == 0) {
      ++stats_.served;
      return std::string_view(reinterpret_cast<const char*>(o), result_size);
    }
    base = std::move(out);
    cache_put(cache_key(pack, l.offset), base);
  }
  return decline("empty delta chain");  // not reached: the chain is not empty
}

std::optional<std::uint64_t> PackReader::object_size(std::uint32_t pack, std::uint64_t offset) {
  PackedObjects::ObjectHeader h;
  if (packs_.header(pack, offset, h) != nullptr) return std::nullopt;
  packs_.touched(*resident_, pack, offset, 64);  // the header and the delta's first bytes
  if (h.type != kOfsDelta && h.type != kRefDelta) return h.type == kBlob ? std::optional<std::uint64_t>(h.size) : std::nullopt;
  // The delta's first bytes: its base size and its result size, 10 bytes each at most.
  auto* zs = static_cast<z_stream*>(zs_);
  unsigned char head[20];
  if (!zs || inflateReset(zs) != Z_OK) return std::nullopt;
  zs->next_in = const_cast<unsigned char*>(h.data);
  zs->avail_in = static_cast<uInt>(std::min<std::size_t>(h.avail, UINT_MAX));
  zs->next_out = head;
  zs->avail_out = static_cast<uInt>(std::min<std::uint64_t>(sizeof head, h.size));
  const int rc = ::inflate(zs, Z_SYNC_FLUSH);
  if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return std::nullopt;
  const unsigned char* p = head;
  const unsigned char* e = head + zs->total_out;
  std::uint64_t base_size = 0, result_size = 0;
  if (!delta_size(p, e, base_size) || !delta_size(p, e, result_size) || result_size > kMaxObject) return std::nullopt;
  return result_size;
}

unsigned char* PackReader::target(std::size_t size) {
  // Grown as needed, and given back after a blob far larger than the usual ones.
  if (size > target_cap_ || (target_cap_ > (std::size_t{16} << 20) && size < target_cap_ / 4)) {
    target_cap_ = std::max<std::size_t>(size, 64 << 10);
    target_.reset(new unsigned char[target_cap_]);
  }
  return target_.get();
}

}  // namespace vigil::git
