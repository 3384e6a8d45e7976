// toml++ as vigil uses it: header-only (no shared library for the hooks to load), with its
// internal assertions off in every build type, as in Debian's shared build. Compiled into a Debug
// or sanitizer build, the parser otherwise asserts on some damaged files (parse_key) instead of
// returning the parse error vigil reports as file:line:col; and with NDEBUG, clang would turn the
// same checks into optimizer assumptions (TOML_ASSERT_ASSUME), undefined behaviour on such input.
// NDEBUG is lifted around the include so that those checks reach the no-op TOML_ASSERT below;
// toml++ does not include <cassert> when TOML_ASSERT is defined. Include this, not <toml++/toml.h>.
#pragma once

#ifdef NDEBUG
#define VIGIL_TOML_NDEBUG
#undef NDEBUG
#endif
#define TOML_ASSERT(expr) static_cast<void>(0)
#include <toml++/toml.h>
#ifdef VIGIL_TOML_NDEBUG
#define NDEBUG
#undef VIGIL_TOML_NDEBUG
#endif
