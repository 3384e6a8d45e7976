// AuxDb: small helper Hyperscan databases (the decoder's candidate finder) compiled once and then
// loaded from the same on-disk cache as the rule database: compiling even five patterns costs a
// pre-commit run more than scanning its files.
#pragma once

#include <hs.h>

#include <vector>

namespace vigil {

/// A block-mode database of `exprs` (nullptr when they do not compile). The caller owns it.
hs_database_t* compile_aux_db(const std::vector<const char*>& exprs, const std::vector<unsigned>& flags,
                              const std::vector<unsigned>& ids);

}  // namespace vigil
