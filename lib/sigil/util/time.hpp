// sigil::util time formatting, locale- and TZ-independent.
#pragma once

#include <chrono>
#include <string>

namespace sigil::util {

// "2025-03-14T09:28:01Z": UTC, whole seconds, whatever TZ says.
[[nodiscard]] std::string rfc3339_utc(std::chrono::system_clock::time_point time);
// rfc3339_utc of the system clock's now.
[[nodiscard]] std::string now_rfc3339_utc();

} // namespace sigil::util
