// Fuzz target: URLs servers hand back (sigil::http::parse_url, resolve_url, follow), numbers
// from headers (util::parse_uint) and the terminal escaper (util::escape_for_terminal).
//
// Invariants:
//   * a parsed URL is http(s), has a host, a target starting with '/' and no byte <= 0x20,
//     DEL or backslash; str() parses again to the same URL (canonical);
//   * a reference resolved against a fixed base is such a URL too;
//   * follow() never lets https lead to plain http on a host that is not loopback, and sends
//     credentials only to the same scheme, host and port;
//   * parse_uint accepts exactly the all-digit texts whose value fits, and never throws;
//   * escape_for_terminal never outputs a control byte (C0, DEL) and is the identity on
//     printable ASCII.
#include "fuzz.hpp"

#include "sigil/http/url.hpp"
#include "sigil/util/host.hpp"
#include "sigil/util/number.hpp"
#include "sigil/util/terminal.hpp"

#include <algorithm>

namespace {

using sigil::http::Credentials;
using sigil::http::Url;

bool clean(std::string_view s)
{
  return std::ranges::none_of(s, [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || c == '\\';
  });
}

void check_url(const Url& u)
{
  SIGIL_FUZZ_CHECK(u.scheme == "http" || u.scheme == "https");
  SIGIL_FUZZ_CHECK(!u.host.empty() && u.port != 0);
  SIGIL_FUZZ_CHECK(!u.target.empty() && u.target.front() == '/');
  SIGIL_FUZZ_CHECK(clean(u.str()));
  auto again = sigil::http::parse_url(u.str());
  SIGIL_FUZZ_CHECK(again && again->str() == u.str() && sigil::http::same_origin(*again, u));
}

void check_follow(const Url& home, const Url& next)
{
  auto rule = sigil::http::follow(home, next);
  if (!rule) {
    SIGIL_FUZZ_CHECK(home.https() && !next.https() && !sigil::util::is_loopback_host(next.host));
    return;
  }
  SIGIL_FUZZ_CHECK(!(home.https() && !next.https() && !sigil::util::is_loopback_host(next.host)));
  if (*rule == Credentials::send) {
    SIGIL_FUZZ_CHECK(home.scheme == next.scheme && home.host == next.host && home.port == next.port);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = sigil::fuzz::as_text(data, size);
  static const Url k_https = *sigil::http::parse_url("https://registry.example/v2/app/tags/list?n=10");
  static const Url k_http = *sigil::http::parse_url("http://127.0.0.1:5000/v2/app/referrers/x");
  if (auto u = sigil::http::parse_url(text)) {
    check_url(*u);
    check_follow(k_https, *u);
    check_follow(k_http, *u);
  }
  for (const Url* base : {&k_https, &k_http}) {
    if (auto r = sigil::http::resolve_url(*base, text)) {
      check_url(*r);
      check_follow(*base, *r);
    }
  }
  const auto number = sigil::util::parse_uint(text, 1'000'000);
  const bool digits = !text.empty() && std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
  SIGIL_FUZZ_CHECK(!number || (digits && *number <= 1'000'000));
  const std::string shown = sigil::util::escape_for_terminal(text);
  SIGIL_FUZZ_CHECK(std::ranges::none_of(shown, [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  }));
  if (std::ranges::all_of(text, [](char c) { return c >= 0x20 && c < 0x7f; })) {
    SIGIL_FUZZ_CHECK(shown == text);
  }
  return 0;
}
