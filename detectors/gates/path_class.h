// PathClass: what a path contributes to the judgement of a blob's bytes, so one scan serves every
// path that shares it and a path that differs is judged on its own.
#pragma once

#include <string>
#include <string_view>

#include "detectors/policy/config.h"

namespace vigil {

/// A key such that two paths with equal keys get the same findings and the same dispositions for
/// the same bytes: whether the path is a lockfile (generic detectors off), and which path-scoped
/// [[allow]] entries and [[waivers]] it falls under. Everything else the scan and decide() read
/// does not depend on the path. Adding a path-dependent input there means adding it here.
std::string path_class(const Config& config, std::string_view path);

}  // namespace vigil
