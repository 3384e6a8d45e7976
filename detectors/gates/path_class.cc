#include "detectors/gates/path_class.h"

#include <algorithm>

#include "detectors/pipeline.h"
#include "detectors/util/glob.h"

namespace vigil {

std::string path_class(const Config& config, std::string_view path) {
  std::string key;
  key.reserve(1 + config.allows.size() + config.waivers.size());
  key += is_lockfile(path) ? 'L' : '-';
  for (const auto& a : config.allows) {
    if (a.paths.empty()) continue;  // applies at every path alike
    key += std::any_of(a.paths.begin(), a.paths.end(), [&](const std::string& g) { return glob_match(g, path); }) ? 'a' : '-';
  }
  for (const auto& w : config.waivers) {
    if (w.path.empty()) continue;
    key += glob_match(w.path, path) ? 'w' : '-';
  }
  return key;
}

}  // namespace vigil
