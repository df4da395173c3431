// Tests for sigil::keyless signing config v0.2: parsing and the choice of services.
#include "sigil/keyless/signing_config.hpp"
#include "sigil/util/time.hpp"

#include <fmt/format.h>

#include <doctest/doctest.h>

#include <array>
#include <string>

namespace {

namespace keyless = sigil::keyless;
using namespace std::chrono_literals;

const std::string k_config = R"({
  "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
  "caUrls": [{"url": "https://fulcio.example", "majorApiVersion": 1, "validFor": {"start": "2025-01-01T00:00:00Z"}, "operator": "a"}],
  "oidcUrls": [],
  "rekorTlogUrls": [
    {"url": "https://old-rekor.example", "majorApiVersion": 1, "validFor": {"start": "2020-01-01T00:00:00Z", "end": "2025-06-01T00:00:00Z"}, "operator": "a"},
    {"url": "https://rekor-a.example", "majorApiVersion": 1, "validFor": {"start": "2025-01-01T00:00:00Z"}, "operator": "a"},
    {"url": "https://rekor-b.example", "majorApiVersion": 1, "validFor": {"start": "2025-01-01T00:00:00.5+01:00"}, "operator": "b"},
    {"url": "https://rekor-v2.example", "majorApiVersion": 2, "validFor": {"start": "2025-01-01T00:00:00Z"}, "operator": "c"},
    {"url": "https://future.example", "majorApiVersion": 1, "validFor": {"start": "2099-01-01T00:00:00Z"}, "operator": "d"}
  ],
  "tsaUrls": [{"url": "https://tsa.example/api/v1/timestamp", "majorApiVersion": 1, "validFor": {"start": "2025-01-01T00:00:00Z"}}],
  "rekorTlogConfig": {"selector": "EXACT", "count": 2},
  "tsaConfig": {"selector": "ANY"},
  "futureField": {"ignored": true}
})";

std::chrono::sys_seconds at(std::string_view t)
{
  auto v = sigil::util::parse_rfc3339(t);
  REQUIRE(v);
  return std::chrono::sys_seconds{std::chrono::seconds{v->seconds}};
}

constexpr std::array<std::uint32_t, 1> k_v1{1};

} // namespace

TEST_CASE("signing config: v0.2 parses, selectors and windows read")
{
  const auto c = keyless::parse_signing_config(k_config);
  REQUIRE(c);
  CHECK(c->ca_urls.size() == 1);
  CHECK(c->rekor_tlog_urls.size() == 5);
  CHECK(c->rekor_tlog_config.selector == keyless::Selector::exact);
  CHECK(c->rekor_tlog_config.count == 2);
  CHECK(c->tsa_config.selector == keyless::Selector::any);
  CHECK(c->rekor_tlog_urls[2].valid_from == at("2024-12-31T23:00:01Z")); // .5 s: rounded inwards, as the trusted root
  CHECK(c->rekor_tlog_urls[0].valid_until == at("2025-06-01T00:00:00Z"));
}

TEST_CASE("signing config: EXACT 2 picks two valid v1 logs of distinct operators, in file order")
{
  const auto c = keyless::parse_signing_config(k_config);
  REQUIRE(c);
  const auto now = at("2026-01-01T00:00:00Z");
  const auto logs = keyless::select_services(c->rekor_tlog_urls, c->rekor_tlog_config, k_v1, now, "rekorTlogUrls");
  REQUIRE(logs);
  REQUIRE(logs->size() == 2);
  CHECK((*logs)[0].url == "https://rekor-a.example");
  CHECK((*logs)[1].url == "https://rekor-b.example");
  // In 2025-03 the old log is still valid and comes first for operator a.
  const auto early = keyless::select_services(c->rekor_tlog_urls, {keyless::Selector::any, 0}, k_v1,
                                              at("2025-03-01T00:00:00Z"), "rekorTlogUrls");
  REQUIRE(early);
  REQUIRE(early->size() == 1);
  CHECK(early->front().url == "https://old-rekor.example");
  // The end of a window is inclusive.
  CHECK(keyless::select_services(c->rekor_tlog_urls, {keyless::Selector::all, 0}, k_v1, at("2025-06-01T00:00:00Z"),
                                 "rekorTlogUrls")
          ->front()
          .url == "https://old-rekor.example");
}

TEST_CASE("signing config: EXACT with too few valid services, ALL, and unknown selectors")
{
  const auto c = keyless::parse_signing_config(k_config);
  REQUIRE(c);
  const auto none = keyless::select_services(c->rekor_tlog_urls, {keyless::Selector::exact, 2}, k_v1,
                                             at("2019-01-01T00:00:00Z"), "rekorTlogUrls");
  REQUIRE(!none);
  CHECK(none.error().message.find("EXACT 2 asked, 0 valid now") != std::string::npos);
  const auto all = keyless::select_services(c->rekor_tlog_urls, {keyless::Selector::all, 0}, k_v1,
                                            at("2026-01-01T00:00:00Z"), "rekorTlogUrls");
  REQUIRE(all);
  CHECK(all->size() == 2);
  std::string bad = k_config;
  bad.replace(bad.find("\"EXACT\""), 7, "\"SOME\"");
  CHECK(!keyless::parse_signing_config(bad));
  CHECK(!keyless::parse_signing_config(R"({"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.1+json"})"));
  CHECK(!keyless::parse_signing_config("[]"));
}

TEST_CASE("signing config: validity times are RFC 3339 (util::parse_rfc3339), windows rounded inwards")
{
  const auto config = [](std::string_view start, std::string_view end) {
    return fmt::format(R"({{"mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
      "caUrls": [{{"url": "https://ca.example", "majorApiVersion": 1, "validFor": {{"start": "{}", "end": "{}"}}}}],
      "rekorTlogUrls": [], "tsaUrls": [], "rekorTlogConfig": {{"selector": "ANY"}}, "tsaConfig": {{"selector": "ANY"}}}})",
                       start, end);
  };
  const auto ok = keyless::parse_signing_config(config("1970-01-01T01:00:00.5+01:00", "1970-01-01T00:00:10.9Z"));
  REQUIRE(ok);
  CHECK(ok->ca_urls.front().valid_from.time_since_epoch() == 1s);
  CHECK(ok->ca_urls.front().valid_until->time_since_epoch() == 10s);
  CHECK(!keyless::parse_signing_config(config("1970-02-30T00:00:00Z", "1970-03-01T00:00:00Z")));
  CHECK(!keyless::parse_signing_config(config("1970-01-01 00:00:00Z", "1970-03-01T00:00:00Z")));
  CHECK(!keyless::parse_signing_config(config("1970-01-01T00:00:00Z", "1970-01-01T00:00:00")));
}

TEST_CASE("signing config: a client that speaks Rekor v1 and v2 picks v2 only, whatever the file order")
{
  // The public-good config lists v2 and v1 logs of one operator: dropping the second of an
  // operator before the versions are compared would keep v1 when it comes first.
  const std::string config = R"({"mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
    "rekorTlogUrls": [
      {"url": "https://rekor.example", "majorApiVersion": 1, "validFor": {"start": "2021-01-01T00:00:00Z"}, "operator": "op"},
      {"url": "https://log2025-1.rekor.example", "majorApiVersion": 2, "validFor": {"start": "2025-09-01T00:00:00Z"}, "operator": "op"},
      {"url": "https://other-v1.example", "majorApiVersion": 1, "validFor": {"start": "2021-01-01T00:00:00Z"}, "operator": "other"}],
    "rekorTlogConfig": {"selector": "ALL"}})";
  const auto c = keyless::parse_signing_config(config);
  REQUIRE(c);
  constexpr std::array<std::uint32_t, 2> both{1, 2};
  const auto all = keyless::select_services(c->rekor_tlog_urls, c->rekor_tlog_config, both, at("2026-01-01T00:00:00Z"),
                                            "rekorTlogUrls");
  REQUIRE(all);
  REQUIRE(all->size() == 1); // no v1 log mixed in
  CHECK(all->front().url == "https://log2025-1.rekor.example");
  CHECK(all->front().major_api_version == 2);
  // Before the v2 log's window: the v1 logs, one per operator.
  const auto before = keyless::select_services(c->rekor_tlog_urls, c->rekor_tlog_config, both,
                                               at("2025-01-01T00:00:00Z"), "rekorTlogUrls");
  REQUIRE(before);
  REQUIRE(before->size() == 2);
  CHECK(before->front().url == "https://rekor.example");
  // A client that speaks only v1 never gets the v2 log.
  const auto v1 = keyless::select_services(c->rekor_tlog_urls, {keyless::Selector::any, 0}, k_v1,
                                           at("2026-01-01T00:00:00Z"), "rekorTlogUrls");
  REQUIRE(v1);
  CHECK(v1->front().url == "https://rekor.example");
}
