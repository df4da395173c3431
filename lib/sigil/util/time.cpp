#include "sigil/util/time.hpp"

#include <fmt/format.h>

namespace sigil::util {

std::string rfc3339_utc(std::chrono::system_clock::time_point time)
{
  using namespace std::chrono;
  const auto secs = floor<seconds>(time);
  const auto day = floor<days>(secs);
  const year_month_day date{day};
  const hh_mm_ss clock{secs - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), clock.hours().count(),
                     clock.minutes().count(), clock.seconds().count());
}

std::string now_rfc3339_utc()
{
  return rfc3339_utc(std::chrono::system_clock::now());
}

} // namespace sigil::util
