#include "detectors/git/history_walk.h"

#include <fmt/format.h>
#include <git2.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <numeric>
#include <tuple>
#include <optional>
#include <unordered_map>

#include "detectors/git/handles.h"
#include "detectors/git/pack_reader.h"
#include "detectors/git/raw_tree.h"
#include "detectors/git/walk_order.h"

namespace vigil::git {

namespace {

// A set of objects: one bit per packed object, a hash set for the few that are not packed
// (loose objects of recent commits). 63,000 objects take 8 KB instead of the ~4 MB of a node-
// based set of ids, and the size follows the object store, not the length of history.
class ObjectSet {
 public:
  explicit ObjectSet(std::uint64_t packed) : bits_((packed + 63) / 64, 0) {}
  bool contains(const git_oid& id, const std::optional<PackedAt>& at) const {
    if (at) return (bits_[at->number / 64] >> (at->number % 64)) & 1;
    return loose_.count(id) > 0;
  }
  // True when `id` was not in the set.
  bool insert(const git_oid& id, const std::optional<PackedAt>& at) {
    if (!at) return loose_.insert(id).second;
    std::uint64_t& word = bits_[at->number / 64];
    const std::uint64_t bit = std::uint64_t{1} << (at->number % 64);
    if (word & bit) return false;
    word |= bit;
    return true;
  }

 private:
  std::vector<std::uint64_t> bits_;
  OidSet loose_;
};

using TreeMap = std::unordered_map<git_oid, std::unique_ptr<RawTree>, OidHash, OidEq>;

// Collects new blobs into the batch being filled, and hands it over when it is full.
class BatchBuilder {
 public:
  BatchBuilder(const HistoryWalkOptions& opts, const PackedObjects& packed, Residency& resident, const HistoryBatchSink& emit)
      : opts_(opts), packed_(packed), resident_(&resident), emit_(emit), limit_(std::max<std::size_t>(1, std::min(opts.first_batch_blobs, opts.batch_blobs))) {}

  // The commit whose blobs are being added (copied into a batch only if it adds one).
  void set_commit(HistoryCommit c) { commit_ = std::move(c); }

  Result<void> add(const git_oid& id, std::string_view dir, std::string_view name, std::uint64_t size,
                   const std::optional<PackedAt>& at) {
    if (batch_.commits.empty() || batch_.commits.back().ordinal != commit_.ordinal) batch_.commits.push_back(commit_);
    HistoryBlob b;
    std::memcpy(b.id.bytes.data(), id.id, b.id.bytes.size());
    b.size = size;
    b.commit = static_cast<std::uint32_t>(batch_.commits.size() - 1);
    b.path_begin = static_cast<std::uint32_t>(batch_.paths.size());
    batch_.paths.append(dir);
    batch_.paths.append(name);
    b.path_size = static_cast<std::uint32_t>(batch_.paths.size() - b.path_begin);
    if (at) {
      b.pack = at->pack;
      b.offset = at->offset;
    }
    batch_.blobs.push_back(b);
    // Packed objects first, each pack from its end, a delta family (the blobs whose chains end
    // at the same whole object) together; the rest in walk order (see HistoryBatch).
    keys_.push_back(at ? ReadKey{at->pack + 1u, packed_.chain_root(at->pack, at->offset, *resident_), at->offset} : ReadKey{});
    ++blobs_;
    if (batch_.blobs.size() >= limit_) return flush();
    return {};
  }

  Result<void> flush() {
    if (batch_.blobs.empty()) return {};
    order_.resize(batch_.blobs.size());
    std::iota(order_.begin(), order_.end(), std::uint32_t{0});
    std::stable_sort(order_.begin(), order_.end(), [&](std::uint32_t a, std::uint32_t b) { return keys_[a] > keys_[b]; });
    HistoryBatch out;
    out.commits = std::move(batch_.commits);
    out.paths = std::move(batch_.paths);
    out.blobs.reserve(order_.size());
    for (const auto i : order_) out.blobs.push_back(batch_.blobs[i]);
    batch_.blobs.clear();
    batch_.commits.clear();
    batch_.paths.clear();
    limit_ = std::min(limit_ * 2, std::max<std::size_t>(limit_, opts_.batch_blobs));
    keys_.clear();
    return emit_(std::move(out));
  }

  std::size_t blobs() const { return blobs_; }

 private:
  // The order a batch is read in, descending: pack, the offset of the whole object at the end
  // of the blob's delta chain, the blob's offset.
  struct ReadKey {
    std::uint64_t pack = 0, root = 0, offset = 0;
    bool operator>(const ReadKey& o) const { return std::tie(pack, root, offset) > std::tie(o.pack, o.root, o.offset); }
  };
  const HistoryWalkOptions& opts_;
  const PackedObjects& packed_;
  Residency* resident_;  // the walk's pack reader's (see PackedObjects::touched)
  const HistoryBatchSink& emit_;
  HistoryCommit commit_;
  HistoryBatch batch_;
  std::vector<ReadKey> keys_;
  std::vector<std::uint32_t> order_;
  std::size_t blobs_ = 0;
  std::size_t limit_;
};

// The blobs a commit introduces, found by merging the sorted entries of its tree and its first
// parent's tree, descending only into subtrees whose ids differ. `done` holds the trees whose
// every blob is already in `seen` (listed from the first commit on), so a subtree met again — a
// revert, a merge bringing in a side branch's directories, a copy — is skipped without being
// read. One pass: no path list, no libgit2 diff, no per-commit change records.
struct TreeLister {
  git_repository* r;
  git_odb* odb;
  const PackedObjects& packed;
  PackReader& reader;  // the walk's: trees, and the sizes of blobs
  ObjectSet& seen;
  ObjectSet& done;
  BatchBuilder& batch;
  const git_oid& commit_id;
  std::string path;  // of the directory being listed, with a trailing '/' (empty at the root)
  // The trees this commit read, and those the commit before read: its parent's side, in a
  // linear history. Without them every changed tree would be inflated and parsed twice, once as
  // new and once as the next commit's old.
  TreeMap& current;
  const TreeMap& previous;
  const std::function<bool(const ObjectId&)>* every_path_of;  // null: each blob once

  // Lists a blob the commit introduces at `path` + `name`. Returns whether it is settled: seen
  // for good, so a tree holding only settled blobs need not be read again.
  Result<bool> add_blob(const git_oid& id, std::string_view name) {
    const auto at = packed.find(id.id);
    if (every_path_of) {
      ObjectId oid;
      std::memcpy(oid.bytes.data(), id.id, oid.bytes.size());
      if (!(*every_path_of)(oid)) return true;
      if (auto listed = list_blob(id, name, at); !listed) return listed.error();
      return false;
    }
    if (!seen.insert(id, at)) return true;
    if (auto listed = list_blob(id, name, at); !listed) return listed.error();
    return true;
  }

  Result<void> list_blob(const git_oid& id, std::string_view name, const std::optional<PackedAt>& at) {
    // Packed: the size from the pack itself (a delta's result size is in its first bytes), off
    // libgit2's shared pack lock; anything else, or a header it cannot read, through libgit2.
    if (at) {
      if (const auto size = reader.object_size(at->pack, at->offset)) return batch.add(id, path, name, *size, at);
    }
    size_t len = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (const int rc = git_odb_read_header(&len, &type, odb, &id); rc != 0) {
      return unreadable_object(r, rc, fmt::format("blob of {}{} in commit {}", path, name, hex(&commit_id).substr(0, 12)), hex(&id));
    }
    return batch.add(id, path, name, len, at);
  }

  // A tree, read from its pack by the walk's own reader (libgit2 when the reader declines it,
  // or when it is not packed), parsed, and kept in `current` for the next commit. `at`: where
  // it is packed, when the caller has looked it up already; otherwise looked up here, and only
  // if the tree was not read before (an old tree nearly always was, by the commit before).
  Result<const RawTree*> load(const git_oid& id, const char* role, const std::optional<PackedAt>* at = nullptr) {
    if (auto it = current.find(id); it != current.end()) return it->second.get();
    if (auto it = previous.find(id); it != previous.end()) return it->second.get();
    const auto what = [&] { return fmt::format("tree {}{} {}", path.empty() ? "" : path + " ", role, hex(&commit_id).substr(0, 12)); };
    std::optional<PackedAt> found;
    if (!at) {
      found = packed.find(id.id);
      at = &found;
    }
    std::string bytes;
    std::optional<std::string_view> raw;
    if (*at) raw = reader.read_tree((*at)->pack, (*at)->offset);
    if (raw) {
      bytes.assign(raw->data(), raw->size());
    } else {
      git_odb_object* o = nullptr;
      if (const int rc = git_odb_read(&o, odb, &id); rc != 0) return unreadable_object(r, rc, what(), hex(&id));
      const OdbObjectPtr obj(o);
      if (git_odb_object_type(o) != GIT_OBJECT_TREE) {
        return make_error(ErrorCode::Git, fmt::format("{}: object {} is a {}, not a tree — the repository is damaged; run `git fsck`", what(),
                                                      hex(&id), git_object_type2string(git_odb_object_type(o))));
      }
      bytes.assign(static_cast<const char*>(git_odb_object_data(o)), git_odb_object_size(o));
    }
    auto tree = std::make_unique<RawTree>();
    if (const char* why = tree->parse(std::move(bytes))) {
      return make_error(ErrorCode::Git, fmt::format("{}: object {} holds {} — the repository is damaged; run `git fsck`", what(), hex(&id), why));
    }
    return current.emplace(id, std::move(tree)).first->second.get();
  }

  // Lists what `new_id` adds over `old_id` (null: nothing). Returns whether every blob under
  // `new_id` is now in `seen`.
  Result<bool> list(const git_oid* old_id, bool old_done, const git_oid& new_id) {
    const auto new_at = packed.find(new_id.id);
    if (done.contains(new_id, new_at)) return true;
    if (old_id && git_oid_equal(old_id, &new_id)) return old_done;
    auto nt_res = load(new_id, "in commit", &new_at);
    if (!nt_res) return nt_res.error();
    const RawTree& nt = **nt_res;
    const RawTree* ot = nullptr;
    if (old_id) {
      auto ot_res = load(*old_id, "in a parent of");
      if (!ot_res) return ot_res.error();
      ot = *ot_res;
    }
    bool complete = !ot || old_done;
    const std::size_t nn = nt.size(), no = ot ? ot->size() : 0;
    std::size_t i = 0;
    for (std::size_t j = 0; j < nn; ++j) {
      const RawTree::Entry& ne = nt.entry(j);
      const std::string_view name = nt.name(ne);
      const bool ne_tree = ne.kind == RawTree::Kind::Tree;
      const RawTree::Entry* oe = nullptr;
      while (i < no) {
        const RawTree::Entry& cand = ot->entry(i);
        const int c = RawTree::compare(ot->name(cand), cand.kind == RawTree::Kind::Tree, name, ne_tree);  // git's order
        if (c > 0) break;
        ++i;
        if (c == 0) {
          oe = &cand;
          break;
        }
      }
      if (oe && oe->kind == ne.kind && std::memcmp(ot->id(*oe), nt.id(ne), GIT_OID_RAWSZ) == 0) continue;
      git_oid id;
      std::memcpy(id.id, nt.id(ne), GIT_OID_RAWSZ);
      if (ne.kind == RawTree::Kind::Blob) {
        auto res = add_blob(id, name);
        if (!res) return res.error();
        complete = complete && *res;
      } else if (ne_tree) {
        git_oid old_sub;
        const bool old_is_tree = oe && oe->kind == RawTree::Kind::Tree;
        if (old_is_tree) std::memcpy(old_sub.id, ot->id(*oe), GIT_OID_RAWSZ);
        const std::size_t len = path.size();
        path += name;
        path += '/';
        auto sub = list(old_is_tree ? &old_sub : nullptr, old_done, id);
        path.resize(len);
        if (!sub) return sub.error();
        complete = complete && *sub;
      }  // a submodule: its content is another repository
    }
    if (complete) done.insert(new_id, new_at);
    return complete;
  }
};

}  // namespace

std::string objects_dir(const Repo& repo) {
  std::string dir = git_repository_commondir(repo.raw());
  if (!dir.empty() && dir.back() != '/') dir += '/';
  return dir + "objects";
}

Result<HistoryWalkSummary> walk_history(const Repo& repo, const HistoryWalkOptions& opts, const HistoryBatchSink& emit) {
  git_repository* r = repo.raw();
  auto walked = walk_order(repo, opts.walk);
  if (!walked) return walked.error();
  if (opts.on_commit_count) opts.on_commit_count(walked->commits.size());
  git_odb* odb_raw = nullptr;
  if (git_repository_odb(&odb_raw, r) != 0) return git_error("cannot open the object database");
  OdbPtr odb(odb_raw);
  std::unique_ptr<PackedObjects> own_packs;
  if (!opts.packs) own_packs = std::make_unique<PackedObjects>(objects_dir(repo));
  const PackedObjects& packed = opts.packs ? *opts.packs : *own_packs;
  PackReader reader(packed, std::size_t{4} << 20, opts.residency);  // its delta-base cache serves tree deltas
  ObjectSet seen(packed.total());
  ObjectSet done_trees(packed.total());  // trees whose every blob is in `seen`
  TreeMap previous_trees;                // the trees the commit before read
  BatchBuilder batch(opts, packed, *reader.residency(), emit);
  HistoryWalkSummary out;
  std::size_t walked_count = 0;
  for (const git_oid& oid : walked->commits) {
    if (opts.should_stop && opts.should_stop()) return make_error(ErrorCode::Timeout, "deadline exceeded while listing commits");
    if (opts.on_commit_done) opts.on_commit_done(walked_count++);
    git_commit* c = nullptr;
    if (const int crc = git_commit_lookup(&c, r, &oid); crc != 0) return unreadable_object(r, crc, "commit", hex(&oid));
    CommitPtr commit(c);
    const git_signature* committer = git_commit_committer(c);
    if (opts.walk.since > 0 && committer && committer->when.time < opts.walk.since) continue;
    HistoryCommit info;
    info.id = hex(&oid);
    if (const git_signature* a = git_commit_author(c)) {
      info.author = fmt::format("{} <{}>", a->name ? a->name : "", a->email ? a->email : "");
      info.date = iso_time(a->when.time);
    }
    info.ordinal = static_cast<std::uint32_t>(out.commits++);
    batch.set_commit(std::move(info));

    const bool boundary = walked->shallow.count(oid) && git_commit_parentcount(c) > 0;
    if (boundary) out.shallow_boundaries.push_back(hex(&oid));  // parents cut off: judged against the empty tree
    std::optional<git_oid> parent_tree;
    if (!boundary && git_commit_parentcount(c) > 0) {
      git_commit* parent = nullptr;
      if (const int prc = git_commit_parent(&parent, c, 0); prc != 0) {
        return unreadable_object(r, prc, fmt::format("parent of commit {}", hex(&oid).substr(0, 12)), hex(git_commit_parent_id(c, 0)));
      }
      parent_tree = *git_commit_tree_id(parent);
      git_commit_free(parent);
    }
    TreeMap current;
    TreeLister lister{r, odb.get(), packed, reader, seen, done_trees, batch, oid, {}, current, previous_trees, opts.every_path_of ? &opts.every_path_of : nullptr};
    const git_oid* old_root = parent_tree ? &*parent_tree : nullptr;
    auto res = lister.list(old_root, old_root && done_trees.contains(*old_root, packed.find(old_root->id)), *git_commit_tree_id(c));
    if (!res) return res.error();
    previous_trees = std::move(current);
  }
  if (auto f = batch.flush(); !f) return f.error();
  if (opts.on_commit_done) opts.on_commit_done(walked_count);
  out.blobs = batch.blobs();
  return out;
}

}  // namespace vigil::git
