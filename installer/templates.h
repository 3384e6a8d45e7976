// Templates: the starter .vigil.toml of `vigil init` and the server policy scaffold of
// `vigil install --server`. Both document every section in comments.
//
// Convention (tests rely on it): prose comment lines start with "# ", while example settings are
// commented out with a bare "#" ("#key = value"), so uncommenting them gives a valid file.
#pragma once

#include <string>

namespace vigil {

/// The starter .vigil.toml: active defaults plus every section as a commented example.
std::string starter_config_text();

/// A server policy (the floor every push is judged by): every [server] key at its default, with
/// what it does, then the same commented sections as the starter config.
std::string server_policy_text();

}  // namespace vigil
