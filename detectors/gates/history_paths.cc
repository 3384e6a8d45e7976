#include "detectors/gates/history_paths.h"

#include <fmt/format.h>

#include <set>

#include "detectors/gates/path_class.h"
#include "detectors/git/blob_reader.h"

namespace vigil {

bool needs_other_paths(std::string_view path, const std::vector<Finding>& found, std::size_t from) {
  if (is_lockfile(path)) return true;
  for (std::size_t i = from; i < found.size(); ++i) {
    if (found[i].disposition == Disposition::Allowed || found[i].disposition == Disposition::Waived) return true;
  }
  return false;
}

Result<void> judge_other_paths(const Engine& engine, const git::Repo& repo, const git::HistoryWalkOptions& walk,
                               const FirstPaths& firsts, ScanReport& report,
                               std::unordered_map<std::string, std::size_t>& commit_order) {
  if (firsts.empty()) return {};
  const Config& cfg = engine.config;
  auto session = ScanSession::create(engine);
  if (!session) return session.error();
  auto reader = git::BlobReader::open(repo);
  if (!reader) return reader.error();
  // One scan per (blob, path class); its findings are repeated at each path of that class.
  struct Outcome {
    std::vector<Finding> found;
    std::vector<Skip> skipped;
  };
  std::unordered_map<std::string, Outcome> by_class;   // blob hex + NUL + class
  std::set<std::pair<std::string, std::string>> done;  // (blob hex, path) judged
  std::unordered_map<git::ObjectId, std::string, ObjectIdHash> first_class;
  // What the first look found for each blob at its first path: a path of the same class gets
  // the same findings without a second scan (each path is a place the secret must leave).
  std::unordered_map<std::string, std::vector<Finding>> first_found;  // blob hex
  {
    std::unordered_map<std::string, const std::string*> first_path;  // blob hex -> its first path
    for (const auto& [id, path] : firsts) first_path.emplace(id.hex(), &path);
    for (const auto& f : report.findings) {
      if (auto it = first_path.find(f.blob); it != first_path.end() && *it->second == f.path) first_found[f.blob].push_back(f);
    }
  }
  git::HistoryWalkOptions wo;
  wo.walk = walk.walk;
  wo.should_stop = walk.should_stop;
  wo.packs = walk.packs;  // the first look's pack indexes and page budget, not a second set
  wo.residency = walk.residency;
  wo.every_path_of = [&](const git::ObjectId& id) { return firsts.count(id) > 0; };
  auto summary = git::walk_history(repo, wo, [&](git::HistoryBatch&& batch) -> Result<void> {
    for (const auto& b : batch.blobs) {
      const std::string path(batch.path(b));
      const auto& first = firsts.at(b.id);
      if (path == first) continue;
      auto fc = first_class.find(b.id);
      if (fc == first_class.end()) fc = first_class.emplace(b.id, path_class(cfg, first)).first;
      const std::string cls = path_class(cfg, path);
      const std::string hex = b.id.hex();
      if (!done.emplace(hex, path).second) continue;
      if (cls == fc->second && !by_class.count(hex + '\0' + cls)) {
        // Judged alike at its first path: the same findings, at this path.
        by_class.emplace(hex + '\0' + cls, Outcome{std::move(first_found[hex]), {}});
      }
      const auto& c = batch.commits[b.commit];
      BufferContext ctx;
      ctx.path = path;
      ctx.commit = c.id;
      ctx.author = c.author;
      ctx.date = c.date;
      ctx.blob = hex;
      auto it = by_class.find(hex + '\0' + cls);
      if (it == by_class.end()) {
        Outcome o;
        if (b.size > cfg.settings.max_file_size) {
          o.skipped.push_back({path, c.id, fmt::format("larger than max_file_size {} ({})", human_size(cfg.settings.max_file_size), human_size(b.size))});
        } else {
          auto bytes = reader->read(b.id);
          if (!bytes) return bytes.error();
          if (auto r = session->scan_buffer(*bytes, ctx, o.found, o.skipped); !r) return r.error();
          report.bytes_scanned += bytes->size();
        }
        it = by_class.emplace(hex + '\0' + cls, std::move(o)).first;
      }
      for (Finding f : it->second.found) {
        f.path = path;
        f.commit = c.id;
        f.author = c.author;
        f.date = c.date;
        report.findings.push_back(std::move(f));
      }
      for (Skip s : it->second.skipped) {
        s.path = path;
        s.commit = c.id;
        report.skips.push_back(std::move(s));
      }
      if (!it->second.found.empty() || !it->second.skipped.empty()) commit_order.emplace(c.id, c.ordinal);
    }
    return {};
  });
  if (!summary) return summary.error();
  return {};
}

}  // namespace vigil
