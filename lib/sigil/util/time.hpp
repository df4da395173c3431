// sigil::util time formatting and parsing, locale- and TZ-independent.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sigil::util {

// "2025-03-14T09:28:01Z": UTC, whole seconds, whatever TZ says.
[[nodiscard]] std::string rfc3339_utc(std::chrono::system_clock::time_point time);
// The same for Unix seconds (certificate and log times in messages).
[[nodiscard]] std::string rfc3339_utc(std::int64_t unix_seconds);
// rfc3339_utc of the system clock's now.
[[nodiscard]] std::string now_rfc3339_utc();

// Unix seconds of a UTC calendar time; nullopt when the date does not exist (Feb 30) or a
// field is out of range (hour 24, second 61; a leap second 60 is taken as the next second's 0).
[[nodiscard]] std::optional<std::int64_t> unix_seconds_utc(int year, unsigned month, unsigned day, unsigned hour,
                                                           unsigned minute, unsigned second);

// An RFC 3339 date-time as protobuf's JSON Timestamp writes it: "2021-03-07T03:20:29Z",
// fractional seconds of 1 to 9 digits (".000Z"), a "Z"/"z" or "+hh:mm"/"-hh:mm" offset, year
// 0001 to 9999. `fractional` says that the seconds had a non-zero fraction (which `seconds`
// drops), so that a caller can round an interval's bounds inwards.
struct Rfc3339Time {
  std::int64_t seconds = 0;
  bool fractional = false;
};
[[nodiscard]] std::optional<Rfc3339Time> parse_rfc3339(std::string_view text);

} // namespace sigil::util
