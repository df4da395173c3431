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

TEST_CASE("parse_rfc3339 reads protobuf JSON timestamps: fractions, Z and offsets; refuses the rest")
{
  using sigil::util::parse_rfc3339;
  const auto plain = parse_rfc3339("2021-03-07T03:20:29Z");
  REQUIRE(plain.has_value());
  CHECK(plain->seconds == 1615087229);
  CHECK_FALSE(plain->fractional);
  const auto millis = parse_rfc3339("2021-03-07T03:20:29.000Z");
  REQUIRE(millis.has_value());
  CHECK(millis->seconds == 1615087229);
  CHECK_FALSE(millis->fractional); // all-zero fraction
  const auto nanos = parse_rfc3339("2021-03-07T03:20:29.123456789Z");
  REQUIRE(nanos.has_value());
  CHECK(nanos->fractional);
  const auto offset = parse_rfc3339("2021-03-07T04:20:29+01:00");
  REQUIRE(offset.has_value());
  CHECK(offset->seconds == 1615087229);
  CHECK(parse_rfc3339("2021-03-06T22:20:29-05:00")->seconds == 1615087229);
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z")->seconds == 0);
  CHECK(sigil::util::rfc3339_utc(std::int64_t{1615087229}) == "2021-03-07T03:20:29Z");
  for (const char* bad : {"", "2021-03-07", "2021-03-07T03:20:29", "2021-02-30T00:00:00Z", "2021-03-07T24:00:00Z",
                          "2021-03-07T03:20:29.Z", "2021-03-07T03:20:29.1234567891Z", "2021-03-07 03:20:29Z",
                          "0000-01-01T00:00:00Z", "2021-03-07T03:20:29+1:00", "+2021-03-07T03:20:29Z",
                          "2021-03-07T03:20:29Zjunk"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_rfc3339(bad).has_value());
  }
}
