// RefTarget: what a pushed ref's new value is once its chain of annotated tags is followed, and
// the entries of a tree a ref points at directly (pushes judge these as well as commits).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "detectors/git/repo.h"

namespace vigil::git {

/// One annotated tag object on a ref's chain.
struct TagObject {
  std::string id;
  std::string name;    // the tag's own "tag" header
  std::string tagger;  // "Name <email>"; empty when the tag has none
  std::string date;    // ISO 8601 tagger time, UTC; empty without a tagger
  std::string message;
};

struct RefTarget {
  std::vector<TagObject> tags;  // outermost first (a tag of a tag of a blob lists two)
  std::string id;               // the object the chain ends at
  std::string type;             // "commit", "tree" or "blob"
};

/// Follows `oid` through every annotated tag to the object it ends at. A missing or damaged
/// object is an error that names it.
Result<RefTarget> peel_ref_target(const Repo& repo, const std::string& oid);

/// One non-tree entry of a tree.
struct TreeEntry {
  std::string path;
  std::string id;
  unsigned mode = 0;       // git file mode (0100644, 0120000 symlink, 0160000 submodule, ...)
  std::uint64_t size = 0;  // 0 for a submodule
};

/// Every blob, symlink and submodule entry of tree `tree`, with its full path, in tree order.
/// `should_stop` is polled per entry (deadline).
Result<std::vector<TreeEntry>> list_tree(const Repo& repo, const std::string& tree, const std::function<bool()>& should_stop);

}  // namespace vigil::git
