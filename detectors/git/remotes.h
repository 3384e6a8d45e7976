// Remotes: which configured remote a URL names, so a push by URL (`git push <url>`, where git gives
// the pre-push hook no remote name) still knows what the remote has through its tracking refs.
#pragma once

#include <optional>
#include <string>

#include "detectors/git/repo.h"

namespace vigil::git {

/// The configured remote whose url or pushurl is `url` (compared after dropping a trailing '/',
/// a trailing ".git" and a "file://" prefix; local paths compared canonically); nullopt when none.
std::optional<std::string> remote_for_url(const Repo& repo, const std::string& url);

}  // namespace vigil::git
