// sigil::http Retry-After (transport.hpp).
#include "sigil/http/transport.hpp"
#include "sigil/util/number.hpp"

#include <algorithm>
#include <ctime>
#include <string>

namespace sigil::http {

std::optional<std::chrono::milliseconds> retry_after(const Response& response)
{
  const auto value = response.header("retry-after");
  if (!value || value->empty()) {
    return std::nullopt;
  }
  if (std::all_of(value->begin(), value->end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // Delay-seconds; a number too large to hold is "later than any cap".
    const auto seconds = util::parse_uint(*value, 1'000'000);
    return seconds ? std::chrono::milliseconds(std::chrono::seconds(*seconds)) : std::chrono::milliseconds::max();
  }
  std::tm tm{};
  const std::string text(*value);
  if (strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) {
    return std::nullopt;
  }
  const auto when = std::chrono::system_clock::from_time_t(timegm(&tm));
  const auto delta = when - std::chrono::system_clock::now();
  return std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(delta));
}

} // namespace sigil::http
