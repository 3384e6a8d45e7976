#include "detectors/gates/history_blob_scan.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "detectors/gates/blob_scan.h"
#include "detectors/gates/history_paths.h"
#include "detectors/git/blob_reader.h"

namespace vigil {

namespace {

// What one thread needs to scan batches, and what it found.
struct BatchScanner {
  std::optional<git::Repo> own_repo;     // a worker's handle; the walking thread reads through its own
  std::optional<git::PackReader> packs;  // serves packed blobs; `reader` what it declines
  std::optional<git::BlobReader> reader;
  std::optional<ScanSession> session;
  std::vector<Finding> found;
  std::vector<Skip> skipped;
  std::unordered_map<std::string, std::size_t> commit_order;
  std::vector<git::ObjectId> clean;
  FirstPaths exempt_first;  // blobs to judge again at their other paths (history_paths.h)
};

class Pipeline {
 public:
  Pipeline(const Engine& engine, const HistoryScanOptions& opts)
      : engine_(engine), opts_(opts), max_size_(engine.config.settings.max_file_size) {}

  Result<void> prepare(BatchScanner& s, const git::Repo& repo, const git::PackedObjects* packs) {
    auto reader = git::BlobReader::open(repo);
    if (!reader) return reader.error();
    s.reader.emplace(std::move(*reader));
    if (packs) s.packs.emplace(*packs);
    auto session = ScanSession::create(engine_);
    if (!session) return session.error();
    s.session.emplace(std::move(*session));
    return {};
  }

  // Scans blobs [begin, end) of `batch`; on an error, records it and returns.
  void scan(BatchScanner& s, const git::HistoryBatch& batch, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const auto& b = batch.blobs[i];
      if (failed_.load(std::memory_order_relaxed)) return;
      const auto& c = batch.commits[b.commit];
      ++items_;
      if (opts_.known_clean && opts_.known_clean(b.id)) continue;
      const std::string path(batch.path(b));
      if (b.size > max_size_) {
        s.skipped.push_back(oversize_skip(path, c.id, max_size_, b.size));
        s.commit_order.emplace(c.id, c.ordinal);
        continue;
      }
      // No copy either way: valid until the reader's next read.
      std::optional<std::string_view> bytes;
      if (s.packs && b.pack != git::HistoryBlob::kNotPacked) bytes = s.packs->read_blob(b.pack, b.offset, b.size);
      if (!bytes) {
        auto read = s.reader->read(b.id);
        if (!read) return fail(read.error());
        bytes = *read;
      }
      BufferContext ctx;
      ctx.path = path;
      ctx.commit = c.id;
      ctx.author = c.author;
      ctx.date = c.date;
      ctx.blob = b.id.hex();
      const auto before_f = s.found.size(), before_s = s.skipped.size();
      if (auto r = s.session->scan_buffer(*bytes, ctx, s.found, s.skipped); !r) return fail(r.error());
      // Every blob that matched is looked for at its other paths too: each path it was put at is
      // a finding of its own (and an exemption at one path says nothing of the others).
      if (s.skipped.size() == before_s && (s.found.size() != before_f || needs_other_paths(path, s.found, before_f))) {
        s.exempt_first.emplace(b.id, path);
      }
      if (s.found.size() != before_f || s.skipped.size() != before_s) {
        s.commit_order.emplace(c.id, c.ordinal);
      } else if (opts_.on_clean && !is_lockfile(path)) {  // a lockfile ran without the generic detectors
        s.clean.push_back(b.id);
      }
      bytes_ += bytes->size();
    }
    if (opts_.progress) opts_.progress(commits_walked_.load(), bytes_.load());
    if (opts_.on_clean && !s.clean.empty()) {
      std::lock_guard lk(mu_);
      opts_.on_clean(s.clean);
      s.clean.clear();
    }
  }

  // The walking thread hands a batch over; while `capacity_` batches wait, it scans runs of
  // the oldest itself rather than wait (with one job, it scans every batch).
  Result<void> hand_over(git::HistoryBatch&& batch, BatchScanner& walker) {
    {
      std::lock_guard lk(mu_);
      queue_.push_back(std::make_shared<Queued>(std::move(batch)));
    }
    ready_.notify_all();
    for (;;) {
      std::unique_lock lk(mu_);
      if (queue_.size() < capacity_) break;
      if (!take_run(lk, walker)) break;
    }
    if (failed_) {
      std::lock_guard lk(mu_);
      return *failure_;
    }
    return {};
  }

  // Workers, and the walking thread once the walk is over: scan runs until none are left.
  void drain(BatchScanner& s) {
    for (;;) {
      std::unique_lock lk(mu_);
      ready_.wait(lk, [&] { return !queue_.empty() || closed_ || failed_; });
      if (failed_ || queue_.empty()) return;
      take_run(lk, s);
    }
  }

  void close() {
    {
      std::lock_guard lk(mu_);
      closed_ = true;
    }
    ready_.notify_all();
  }

  void fail(const Error& e) {
    {
      std::lock_guard lk(mu_);
      if (!failure_) failure_ = e;
      failed_ = true;
    }
    ready_.notify_all();
  }

  void set_capacity(std::size_t n) { capacity_ = n; }
  void walked(std::size_t n) { commits_walked_ = n; }
  std::optional<Error> failure() {
    std::lock_guard lk(mu_);
    return failure_;
  }
  std::size_t items() const { return items_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  // A batch in the queue, scanned in runs by whichever threads come: a run of consecutive
  // blobs stays with one thread (in pack order, a delta's base is often the blob before it).
  struct Queued {
    explicit Queued(git::HistoryBatch&& b) : batch(std::move(b)) {}
    git::HistoryBatch batch;
    std::size_t next = 0;  // first blob not yet taken (under mu_)
  };
  static constexpr std::size_t kRun = 16;

  // Takes the next run of the oldest batch and scans it with `lk` released. False when the
  // queue is empty or the scan failed.
  bool take_run(std::unique_lock<std::mutex>& lk, BatchScanner& s) {
    while (!queue_.empty() && queue_.front()->next >= queue_.front()->batch.blobs.size()) queue_.pop_front();
    if (queue_.empty() || failed_) return false;
    std::shared_ptr<Queued> q = queue_.front();
    const std::size_t begin = q->next, end = std::min(begin + kRun, q->batch.blobs.size());
    q->next = end;
    if (end == q->batch.blobs.size()) queue_.pop_front();  // the batch lives on in `q` until its last run is done
    lk.unlock();
    scan(s, q->batch, begin, end);
    return !failed_;
  }

  const Engine& engine_;
  const HistoryScanOptions& opts_;
  const std::uint64_t max_size_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::shared_ptr<Queued>> queue_;
  std::size_t capacity_ = 1;
  bool closed_ = false;
  std::atomic<bool> failed_{false};
  std::optional<Error> failure_;
  std::atomic<std::size_t> items_{0}, commits_walked_{0};
  std::atomic<std::uint64_t> bytes_{0};
};

}  // namespace

Result<git::HistoryWalkSummary> scan_history(const Engine& engine, const git::Repo& repo, const git::HistoryWalkOptions& walk,
                                             const HistoryScanOptions& opts, ScanReport& report,
                                             std::unordered_map<std::string, std::size_t>& commit_order) {
  Pipeline pipe(engine, opts);
  const unsigned workers = std::max(1u, opts.jobs) - 1;
  // Threads share a batch run by run, so one batch waiting behind the one being scanned is
  // enough to keep them busy; the walk is never further ahead (the queue is the memory the scan
  // holds for blobs, whatever the length of history).
  pipe.set_capacity(workers == 0 ? 1 : 2);
  std::vector<BatchScanner> scanners(workers + 1);
  // Mapped once, before the workers start; each thread reads it through its own PackReader.
  const git::PackedObjects packs(git::objects_dir(repo));
  const git::PackedObjects* own_reader = opts.pack_reader ? &packs : nullptr;
  if (auto p = pipe.prepare(scanners[0], repo, own_reader); !p) return p.error();
  std::vector<std::thread> pool;
  for (unsigned i = 1; i <= workers; ++i) {
    pool.emplace_back([&, i] {
      auto own = opts.open_repo();
      if (!own) return pipe.fail(own.error());
      scanners[i].own_repo.emplace(std::move(*own));
      if (auto p = pipe.prepare(scanners[i], *scanners[i].own_repo, own_reader); !p) return pipe.fail(p.error());
      pipe.drain(scanners[i]);
    });
  }
  git::HistoryWalkOptions wo = walk;
  wo.packs = &packs;
  if (scanners[0].packs) wo.residency = scanners[0].packs->residency();  // one budget for the walking thread
  wo.on_commit_count = opts.on_commit_count;
  wo.on_commit_done = [&](std::size_t n) { pipe.walked(n); };
  auto summary = git::walk_history(repo, wo, [&](git::HistoryBatch&& b) { return pipe.hand_over(std::move(b), scanners[0]); });
  if (!summary) pipe.fail(summary.error());
  pipe.close();
  pipe.drain(scanners[0]);
  for (auto& t : pool) t.join();
  if (auto f = pipe.failure()) return *f;
  if (opts.progress) opts.progress(summary->commits, pipe.bytes());

  // Each thread's results, in an order that does not depend on which thread scanned what.
  FirstPaths exempt_first;
  for (auto& s : scanners) {
    for (auto& f : s.found) report.findings.push_back(std::move(f));
    for (auto& sk : s.skipped) report.skips.push_back(std::move(sk));
    commit_order.merge(s.commit_order);
    exempt_first.merge(s.exempt_first);
  }
  // A finding and an exemption hold at the path they name: blobs that matched, or were first seen
  // at an exempt path, are judged again at their other paths (a second, narrower walk; none when
  // no blob needs it).
  if (auto again = judge_other_paths(engine, repo, wo, exempt_first, report, commit_order); !again) return again.error();
  if (auto m = mask_authors(engine, report.findings); !m) return m.error();
  auto ordinal = [&](const std::string& id) {
    auto it = commit_order.find(id);
    return it == commit_order.end() ? SIZE_MAX : it->second;
  };
  std::sort(report.skips.begin(), report.skips.end(), [&](const Skip& a, const Skip& b) {
    return std::make_tuple(ordinal(a.commit), std::cref(a.path), std::cref(a.reason)) <
           std::make_tuple(ordinal(b.commit), std::cref(b.path), std::cref(b.reason));
  });
  // A shallow clone's history stops at these commits: what came before was not judged.
  for (const auto& id : summary->shallow_boundaries) {
    report.skips.push_back({"(earlier history)", id,
                            "shallow clone: the parents of this commit are not in the clone, so its whole tree was "
                            "scanned and older commits were not — run `git fetch --unshallow` to scan them"});
  }
  report.items_scanned += pipe.items();
  report.bytes_scanned += pipe.bytes();
  return summary;
}

}  // namespace vigil
