// Tests for sigil::util time formatting.
#include "sigil/util/time.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

using namespace std::chrono;

TEST_CASE("rfc3339_utc formats UTC with whole seconds")
{
  struct Case {
    system_clock::time_point time;
    std::string expected;
  };
  const Case cases[] = {
      {system_clock::time_point{}, "1970-01-01T00:00:00Z"},
      {sys_days{2025y / March / 14} + 9h + 28min + 1s, "2025-03-14T09:28:01Z"},
      {sys_days{2024y / February / 29} + 23h + 59min + 59s + 999ms, "2024-02-29T23:59:59Z"}, // truncated
  };
  for (const Case& c : cases) {
    CAPTURE(c.expected);
    CHECK(sigil::util::rfc3339_utc(c.time) == c.expected);
  }
}

TEST_CASE("now_rfc3339_utc is the current time in the same format")
{
  const auto before = floor<seconds>(system_clock::now());
  const std::string now = sigil::util::now_rfc3339_utc();
  const auto after = floor<seconds>(system_clock::now());
  CHECK(now.size() == 20);
  CHECK(now.back() == 'Z');
  CHECK(now >= sigil::util::rfc3339_utc(before));
  CHECK(now <= sigil::util::rfc3339_utc(after));
}
