// PackReader against git itself: real repositories with long delta chains, REF_DELTA packs,
// several packs, loose objects, and damaged packs; every blob it serves must be git's bytes.
#include "detectors/git/object_id.h"
#include "detectors/git/pack_reader.h"
#include "detectors/git/raw_tree.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/support/temp_repo.h"

using vigil::git::PackedAt;
using vigil::git::PackedObjects;
using vigil::git::PackReader;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

struct Blob {
  std::array<unsigned char, 20> id{};
  std::string bytes;
};

// Every object of type `kind` of the repository, as `git cat-file --batch-all-objects --batch`
// prints them.
std::map<std::string, Blob> git_blobs(const std::string& dir, const std::string& kind = "blob") {
  const auto r = sh(dir, "git cat-file --batch-all-objects --batch");
  REQUIRE(r.status == 0);
  std::map<std::string, Blob> out;
  std::size_t at = 0;
  while (at < r.out.size()) {
    const std::size_t nl = r.out.find('\n', at);
    REQUIRE(nl != std::string::npos);
    const std::string header = r.out.substr(at, nl - at);
    const std::string hex = header.substr(0, 40);
    const std::size_t sp = header.rfind(' ');
    const std::string type = header.substr(41, sp - 41);
    const std::size_t size = std::stoul(header.substr(sp + 1));
    if (type == kind) {
      Blob b;
      for (std::size_t i = 0; i < 20; ++i) b.id[i] = static_cast<unsigned char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
      b.bytes = r.out.substr(nl + 1, size);
      out.emplace(hex, std::move(b));
    }
    at = nl + 1 + size + 1;
  }
  return out;
}

// A repository with `files` files edited over `revisions` commits: each commit changes one
// more line of each file, so a version is closest to its neighbours and delta chains grow long.
void build_history(const std::string& dir, int files, int revisions) {
  const std::string script = "git init -q . && f=0 && while [ $f -lt " + std::to_string(files) +
                             " ]; do seq 1 300 > file$f.txt; f=$((f+1)); done && i=0 && while [ $i -lt " +
                             std::to_string(revisions) + " ]; do f=0; while [ $f -lt " + std::to_string(files) +
                             " ]; do n=$(( (i * 37 + f * 11) % 300 + 1 )); sed -i \"${n}s/.*/line $n file $f rev $i/\" file$f.txt; "
                             "f=$((f+1)); done; git add -A && git commit -qm \"r$i\" || exit 1; i=$((i+1)); done";
  const auto r = sh(dir, script);
  REQUIRE_MESSAGE(r.status == 0, r.err);
}

// The longest delta chain of the repository's packs, as git counts it.
std::uint64_t git_longest_chain(const std::string& dir) {
  const auto r = sh(dir, "git verify-pack -v .git/objects/pack/*.idx | sed -n 's/^chain length = \\([0-9]*\\):.*/\\1/p' | sort -n | tail -1");
  REQUIRE(r.status == 0);
  return r.out.empty() ? 0 : std::stoull(r.out);
}

struct ReadOutcome {
  std::size_t served = 0, declined = 0, wrong = 0, wrong_size = 0;
};

// Reads every packed blob of `blobs` through a reader over `dir`'s packs, in reverse pack
// order (as a history scan does) or shuffled, and compares the bytes with git's.
ReadOutcome read_all(const std::string& dir, const std::map<std::string, Blob>& blobs, std::size_t cache, bool shuffled,
                     PackReader::Stats* stats = nullptr, std::uint64_t resident_budget = std::uint64_t{64} << 20) {
  const PackedObjects packs(dir + "/.git/objects", resident_budget);
  std::vector<std::pair<PackedAt, const Blob*>> order;
  for (const auto& [hex, b] : blobs) {
    if (auto at = packs.find(b.id.data())) order.emplace_back(*at, &b);
  }
  if (shuffled) {
    std::shuffle(order.begin(), order.end(), std::mt19937(7));
  } else {
    std::sort(order.begin(), order.end(), [](const auto& x, const auto& y) {
      return std::make_pair(x.first.pack, x.first.offset) > std::make_pair(y.first.pack, y.first.offset);
    });
  }
  PackReader reader(packs, cache);
  ReadOutcome o;
  for (const auto& [at, b] : order) {
    // The size from the header alone is the blob's (or unknown, on damage).
    if (const auto size = reader.object_size(at.pack, at.offset); size && *size != b->bytes.size()) ++o.wrong_size;
    auto got = reader.read_blob(at.pack, at.offset, b->bytes.size());
    if (!got) {
      ++o.declined;
      continue;
    }
    ++o.served;
    if (*got != b->bytes) ++o.wrong;
  }
  if (stats) *stats = reader.stats();
  return o;
}

}  // namespace

TEST_CASE("pack reader: the resident budget counts distinct 64 KB pieces of the packs") {
  TempDir dir;
  // Random bytes do not compress: a pack of about 300 KB, five pieces.
  const auto made = sh(dir.path(), "git init -q . && head -c 300000 /dev/urandom > noise.bin && git add noise.bin && "
                                   "git commit -qm noise && git repack -q -ad");
  REQUIRE_MESSAGE(made.status == 0, made.err);
  REQUIRE(std::stoull(sh(dir.path(), "cat .git/objects/pack/*.pack | wc -c").out) > (std::uint64_t{256} << 10));
  const PackedObjects packs(dir.path() + "/.git/objects", std::uint64_t{128} << 10);
  vigil::git::Residency r;
  packs.touched(r, 0, 12, 30);
  CHECK(r.pieces == 1);
  packs.touched(r, 0, 1000, 5000);  // the same piece again
  CHECK(r.pieces == 1);
  packs.touched(r, 0, 65530, 10);  // across a boundary: two pieces, one of them new
  CHECK(r.pieces == 2);
  packs.touched(r, 0, std::uint64_t{128} << 10, 1);  // a third piece: over 128 KB, dropped
  CHECK(r.pieces == 0);
  packs.touched(r, 0, 12, 30);
  CHECK(r.pieces == 1);
  // Packs within the budget are never counted.
  const PackedObjects roomy(dir.path() + "/.git/objects", std::uint64_t{1} << 30);
  vigil::git::Residency r2;
  roomy.touched(r2, 0, 12, std::uint64_t{1} << 20);
  CHECK(r2.pieces == 0);
}

TEST_CASE("pack reader: every blob of an aggressively repacked history is git's bytes, with and without a cache") {
  TempDir dir;
  build_history(dir.path(), 3, 120);
  REQUIRE(sh(dir.path(), "git -c pack.threads=1 repack -q -adf --depth=50 --window=250").status == 0);
  const auto blobs = git_blobs(dir.path());
  REQUIRE(blobs.size() == 3 * 120);
  const auto longest = git_longest_chain(dir.path());
  CHECK(longest >= 20);
  for (const std::size_t cache : {std::size_t{0}, std::size_t{64} << 10, std::size_t{32} << 20}) {
    for (const bool shuffled : {false, true}) {
      PackReader::Stats st;
      // A resident budget of 0: the pack pages are dropped after every object and come back.
      const auto o = read_all(dir.path(), blobs, cache, shuffled, &st, shuffled ? 0 : std::uint64_t{64} << 20);
      INFO("cache " << cache << " shuffled " << shuffled);
      CHECK(o.served == blobs.size());
      CHECK(o.declined == 0);
      CHECK(o.wrong == 0);
      CHECK(o.wrong_size == 0);
      CHECK(st.deltas > blobs.size() / 2);                 // the pack really is made of deltas
      if (cache == 0) CHECK(st.longest_chain == longest);  // a whole chain resolved at least once
    }
  }
}

TEST_CASE("pack reader: every tree of a deltified pack is git's bytes, parsed as git ls-tree lists it") {
  TempDir dir;
  // Nested directories that change a little in every commit: their trees are stored as deltas.
  const auto made = sh(dir.path(), "git init -q . && i=0 && while [ $i -lt 60 ]; do d=dir$((i % 4))/sub$((i % 3)); mkdir -p $d && "
                                   "echo $i > $d/f$i.txt && echo $i >> top.txt && ln -sf f$i.txt $d/link && "
                                   "git add -A && git commit -qm c$i || exit 1; i=$((i+1)); done && "
                                   "git -c pack.threads=1 repack -q -adf --depth=50 --window=250");
  REQUIRE_MESSAGE(made.status == 0, made.err);
  const auto trees = git_blobs(dir.path(), "tree");
  REQUIRE(trees.size() > 100);
  const PackedObjects packs(dir.path() + "/.git/objects");
  PackReader reader(packs, 0);  // no cache: every delta chain resolved whole
  std::size_t entries = 0;
  for (const auto& [hex, t] : trees) {
    const auto at = packs.find(t.id.data());
    REQUIRE(at);
    const auto got = reader.read_tree(at->pack, at->offset);
    REQUIRE_MESSAGE(got, reader.declined());
    CHECK(*got == t.bytes);
    CHECK_FALSE(reader.read_blob(at->pack, at->offset, t.bytes.size()));  // a tree is not a blob
    vigil::git::RawTree tree;
    REQUIRE(tree.parse(std::string(*got)) == nullptr);
    // "<mode> <type> <id>\t<name>" per entry, in the tree's order.
    const auto ls = sh(dir.path(), "git ls-tree " + hex);
    REQUIRE(ls.status == 0);
    std::string mine;
    for (std::size_t i = 0; i < tree.size(); ++i) {
      const auto& e = tree.entry(i);
      vigil::git::ObjectId id;
      std::memcpy(id.bytes.data(), tree.id(e), id.bytes.size());
      const char* type = e.kind == vigil::git::RawTree::Kind::Tree ? "tree" : e.kind == vigil::git::RawTree::Kind::Blob ? "blob"
                                                                                                                        : "commit";
      mine += fmt::format("{:06o} {} {}\t{}\n", e.mode, type, id.hex(), tree.name(e));
      if (i > 0) {
        const auto& p = tree.entry(i - 1);
        CHECK(vigil::git::RawTree::compare(tree.name(p), p.kind == vigil::git::RawTree::Kind::Tree, tree.name(e),
                                           e.kind == vigil::git::RawTree::Kind::Tree) < 0);
      }
    }
    CHECK(mine == ls.out);
    entries += tree.size();
  }
  CHECK(entries > 300);
  // Most trees are deltas (how many varies a little from run to run with git's delta search).
  CHECK(reader.stats().deltas > trees.size() / 3);
}

TEST_CASE("pack reader: a chain hundreds of deltas deep is resolved without recursion") {
  TempDir dir;
  build_history(dir.path(), 1, 250);
  REQUIRE(sh(dir.path(), "git repack -q -adf --depth=4095 --window=250").status == 0);
  const auto blobs = git_blobs(dir.path());
  PackReader::Stats st;
  const auto o = read_all(dir.path(), blobs, 0, true, &st);
  CHECK(o.served == blobs.size());
  CHECK(o.wrong == 0);
  CHECK(git_longest_chain(dir.path()) >= 60);
  CHECK(st.longest_chain == git_longest_chain(dir.path()));
}

TEST_CASE("pack reader: REF_DELTA packs, several packs and loose objects") {
  TempDir dir;
  build_history(dir.path(), 2, 40);
  // Bases named by id rather than by offset, as packs written without --delta-base-offset are.
  REQUIRE(sh(dir.path(), "git -c repack.useDeltaBaseOffset=false repack -q -adf --depth=50 --window=50").status == 0);
  const auto r1 = sh(dir.path(), "for i in 1 2 3; do echo more $i >> file0.txt; git commit -qam m$i; done && git repack -q -d");
  REQUIRE(r1.status == 0);
  const auto r2 = sh(dir.path(), "echo loose >> file1.txt && git commit -qam loose");
  REQUIRE(r2.status == 0);
  const auto blobs = git_blobs(dir.path());
  const PackedObjects packs(dir.path() + "/.git/objects");
  CHECK(packs.packs() == 2);
  std::size_t loose = 0;
  for (const auto& [hex, b] : blobs) loose += packs.find(b.id.data()) ? 0 : 1;
  CHECK(loose == 1);  // the caller reads it through libgit2
  PackReader::Stats st;
  const auto o = read_all(dir.path(), blobs, std::size_t{1} << 20, false, &st);
  CHECK(o.served + loose == blobs.size());
  CHECK(o.wrong == 0);
  CHECK(o.wrong_size == 0);
  CHECK(st.deltas > 0);
}

TEST_CASE("pack reader: a damaged or truncated pack is declined or read right, never a crash") {
  TempDir dir;
  build_history(dir.path(), 2, 30);
  REQUIRE(sh(dir.path(), "git repack -q -adf --depth=50 --window=50").status == 0);
  const auto blobs = git_blobs(dir.path());
  std::string pack_file;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() + "/.git/objects/pack")) {
    if (e.path().extension() == ".pack") pack_file = e.path().string();
  }
  REQUIRE(!pack_file.empty());
  std::string original;
  {
    std::ifstream in(pack_file, std::ios::binary);
    original.assign(std::istreambuf_iterator<char>(in), {});
  }
  REQUIRE(original.size() > 100);
  std::filesystem::permissions(pack_file, std::filesystem::perms::owner_write, std::filesystem::perm_options::add);
  auto write_pack = [&](const std::string& bytes) {
    std::ofstream out(pack_file, std::ios::binary | std::ios::trunc);
    out << bytes;
  };
  std::mt19937 rng(42);
  std::size_t declined = 0, served = 0;
  for (int round = 0; round < 150; ++round) {
    std::string bad = original;
    if (round % 10 == 0) {
      bad.resize(rng() % bad.size());  // truncated: no longer the pack its index names
    } else {
      // Flip bits among the objects (not the trailer, which would only disable the pack).
      for (int k = 0; k < 1 + round % 4; ++k) bad[12 + rng() % (bad.size() - 32)] ^= static_cast<char>(1 + rng() % 255);
    }
    write_pack(bad);
    const auto o = read_all(dir.path(), blobs, std::size_t{256} << 10, round % 2 == 1);
    INFO("round " << round);
    CHECK(o.wrong == 0);
    declined += o.declined;
    served += o.served;
  }
  CHECK(declined > 0);
  CHECK(served > 0);
  write_pack(original);
  CHECK(read_all(dir.path(), blobs, 0, false).served == blobs.size());
}
