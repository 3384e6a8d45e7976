// HistoryPaths: the second look of a history scan. The walk lists each blob once, at its first
// path; a blob that matched there, or whose first path is exempt (a lockfile, a path-scoped allow
// or waiver), is reported or judged again at each other path where the history introduces it.
#pragma once

#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "detectors/git/history_walk.h"
#include "detectors/pipeline.h"
#include "detectors/report/report.h"

namespace vigil {

struct ObjectIdHash {
  std::size_t operator()(const git::ObjectId& id) const noexcept {
    std::size_t h;
    std::memcpy(&h, id.bytes.data(), sizeof h);
    return h;
  }
};

/// Blob id -> the path the first look judged it at.
using FirstPaths = std::unordered_map<git::ObjectId, std::string, ObjectIdHash>;

/// Whether a blob judged at `path`, with the findings `found[from..]`, must be looked at again at
/// its other paths: the path is a lockfile (the generic detectors did not run), or a finding was
/// allowed or waived (a path-scoped exemption may have decided it).
bool needs_other_paths(std::string_view path, const std::vector<Finding>& found, std::size_t from);

/// Walks `walk` again (its commits, packs and page budget) listing only the blobs of `firsts`, at
/// every path, and scans each at the paths whose class (path_class.h) differs from its first
/// path's, once per class; at a path of the first path's class, the first look's findings (in
/// `report`) are repeated. Findings and skips are appended to `report`; `commit_order` gets the
/// commits they name. Costs nothing when `firsts` is empty.
Result<void> judge_other_paths(const Engine& engine, const git::Repo& repo, const git::HistoryWalkOptions& walk,
                               const FirstPaths& firsts, ScanReport& report,
                               std::unordered_map<std::string, std::size_t>& commit_order);

}  // namespace vigil
