#include "sigil/util/time.hpp"

#include "sigil/util/number.hpp"

#include <fmt/format.h>

namespace sigil::util {

namespace {

// Fixed-width decimal field; nullopt unless exactly `text` is digits.
std::optional<unsigned> digits(std::string_view text)
{
  const auto value = parse_uint(text, 9999);
  if (!value) {
    return std::nullopt;
  }
  return static_cast<unsigned>(*value);
}

// "+hh:mm" / "-hh:mm" / "Z" -> offset east of UTC in seconds.
std::optional<std::int64_t> parse_offset(std::string_view text)
{
  if (text == "Z" || text == "z") {
    return 0;
  }
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') {
    return std::nullopt;
  }
  const auto hours = digits(text.substr(1, 2));
  const auto minutes = digits(text.substr(4, 2));
  if (!hours || !minutes || *hours > 23 || *minutes > 59) {
    return std::nullopt;
  }
  const std::int64_t offset = (std::int64_t{*hours} * 60 + *minutes) * 60;
  return text[0] == '-' ? -offset : offset;
}

} // namespace

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

std::string rfc3339_utc(std::int64_t unix_seconds)
{
  return rfc3339_utc(std::chrono::system_clock::time_point{std::chrono::seconds{unix_seconds}});
}

std::string now_rfc3339_utc()
{
  return rfc3339_utc(std::chrono::system_clock::now());
}

std::optional<std::int64_t> unix_seconds_utc(int year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                                             unsigned second)
{
  using namespace std::chrono;
  const year_month_day date{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  const auto since_epoch = sys_days{date}.time_since_epoch();
  return duration_cast<seconds>(since_epoch).count() + std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 +
         second;
}

std::optional<Rfc3339Time> parse_rfc3339(std::string_view text)
{
  // "YYYY-MM-DDTHH:MM:SS" is 19 characters, then [.fraction] and the offset.
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') ||
      text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const auto year = digits(text.substr(0, 4));
  const auto month = digits(text.substr(5, 2));
  const auto day = digits(text.substr(8, 2));
  const auto hour = digits(text.substr(11, 2));
  const auto minute = digits(text.substr(14, 2));
  const auto second = digits(text.substr(17, 2));
  if (!year || !month || !day || !hour || !minute || !second || *year == 0) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(19);
  Rfc3339Time out;
  if (rest.starts_with('.')) {
    const auto end = rest.find_first_not_of("0123456789", 1);
    const auto fraction = rest.substr(1, end == std::string_view::npos ? rest.size() - 1 : end - 1);
    if (fraction.empty() || fraction.size() > 9) {
      return std::nullopt;
    }
    out.fractional = fraction.find_first_not_of('0') != std::string_view::npos;
    rest.remove_prefix(1 + fraction.size());
  }
  const auto offset = parse_offset(rest);
  const auto local = unix_seconds_utc(static_cast<int>(*year), *month, *day, *hour, *minute, *second);
  if (!offset || !local) {
    return std::nullopt;
  }
  out.seconds = *local - *offset;
  return out;
}

} // namespace sigil::util
