// Phase timing for "why is my hook slow?": with VIGIL_TRACE=1 in the environment, trace("phase")
// prints the milliseconds since the process started and the phase name on stderr. Off by default;
// costs one cached getenv per call when off.
#pragma once

#include <string_view>

namespace vigil {

/// True when VIGIL_TRACE is set to something other than "" or "0".
bool trace_enabled();
/// "vigil: trace: 12.34 ms <what>" on stderr when tracing is on.
void trace(std::string_view what);

}  // namespace vigil
