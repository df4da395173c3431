// Tests for sigil::http URLs and the origin rule: which URLs a server may hand us, how they
// resolve, and when credentials may go with a request to them.
#include "sigil/http/url.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace {

using sigil::http::Credentials;
using sigil::http::follow;
using sigil::http::parse_url;
using sigil::http::resolve_url;

std::string resolved(std::string_view base, std::string_view ref)
{
  auto b = parse_url(base);
  REQUIRE(b);
  auto r = resolve_url(*b, ref);
  return r ? r->str() : "error: " + r.error().message;
}

std::string rule(std::string_view home, std::string_view next)
{
  auto h = parse_url(home);
  auto n = parse_url(next);
  REQUIRE(h);
  REQUIRE(n);
  auto r = follow(*h, *n);
  if (!r) {
    return "error: " + r.error().message;
  }
  return *r == Credentials::send ? "send" : "withhold";
}

} // namespace

TEST_CASE("http url: parse normalises scheme, host and default port")
{
  struct Case {
    std::string_view text;
    std::string_view want; // str(), or "error: ..." prefix
  };
  const Case cases[] = {
      {"https://Registry.Example/v2/", "https://registry.example/v2/"},
      {"HTTPS://registry.example:443/v2/x?n=1#frag", "https://registry.example/v2/x?n=1"},
      {"http://127.0.0.1:5000", "http://127.0.0.1:5000/"},
      {"http://[::1]:5000/v2/", "http://[::1]:5000/v2/"},
      {"https://registry.example:8443?x", "https://registry.example:8443/?x"},
      {"ftp://registry.example/", "error: invalid URL: only http and https are accepted"},
      {"https://user:pw@registry.example/", "error: invalid URL: user information in a URL is not accepted"},
      {"https://@registry.example/", "error: invalid URL: user information in a URL is not accepted"},
      {"https://registry.example:0/", "error: invalid URL: bad port"},
      {"https://registry.example:65536/", "error: invalid URL: bad port"},
      {"https://registry.example:-1/", "error: invalid URL: bad port"},
      {"https://registry.example:99999999999999999999/", "error: invalid URL: bad port"},
      {"https:///v2/", "error: invalid URL: no host"},
      {"https://registry.example/a b", "error: invalid URL: spaces, backslashes or control characters"},
      {"https://registry.example/a\r\nX-Injected: 1", "error: invalid URL: spaces, backslashes or control characters"},
      {"https://registry.example\\@evil.example/", "error: invalid URL: spaces, backslashes or control characters"},
      {"https://registry.example/v2/../../x", "error: invalid URL: dot segments are not accepted"},
      {"registry.example/v2/", "error: invalid URL: not absolute"},
      {"https://[::1/", "error: invalid URL: unterminated IPv6 address"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto u = parse_url(c.text);
    CHECK((u ? u->str() : "error: " + u.error().message) == c.want);
  }
}

TEST_CASE("http url: references resolve against the URL that answered")
{
  const std::string_view base = "https://registry.example/v2/app/tags/list?n=100";
  CHECK(resolved(base, "/v2/app/tags/list?last=b") == "https://registry.example/v2/app/tags/list?last=b");
  CHECK(resolved(base, "?last=b") == "https://registry.example/v2/app/tags/list?last=b");
  CHECK(resolved(base, "list?last=b") == "https://registry.example/v2/app/tags/list?last=b");
  CHECK(resolved(base, "https://other.example/page2") == "https://other.example/page2");
  CHECK(resolved(base, "//other.example/page2") == "https://other.example/page2");
  CHECK(resolved("http://127.0.0.1:5000/v2/x", "//127.0.0.2:5000/y") == "http://127.0.0.2:5000/y");
  CHECK(resolved(base, "javascript:alert(1)") == "error: invalid URL: a scheme other than http or https");
  CHECK(resolved(base, "file:///etc/passwd") == "error: invalid URL: only http and https are accepted");
  CHECK(resolved(base, "/v2/../../admin") == "error: invalid URL: dot segments are not accepted");
  CHECK(resolved(base, "https://user:pw@registry.example/") ==
        "error: invalid URL: user information in a URL is not accepted");
}

TEST_CASE("http url: the origin rule")
{
  // Same origin, default port spelled out or not, host in another case: credentials go.
  CHECK(rule("https://registry.example", "https://REGISTRY.example:443/v2/x") == "send");
  CHECK(rule("http://127.0.0.1:5000", "http://127.0.0.1:5000/v2/x?last=1") == "send");
  // Another host, another port, another scheme: the request goes without credentials.
  CHECK(rule("https://registry.example", "https://other.example/v2/x") == "withhold");
  CHECK(rule("https://registry.example", "https://registry.example:8443/v2/x") == "withhold");
  CHECK(rule("https://registry.example", "https://registry.example.evil.example/v2/x") == "withhold");
  CHECK(rule("http://127.0.0.1:5000", "http://127.0.0.2:5000/v2/x") == "withhold");
  CHECK(rule("http://127.0.0.1:5000", "https://127.0.0.1:5000/v2/x") == "withhold");
  // Never from https to plain http, except to a loopback host (and then without credentials).
  CHECK(rule("https://registry.example", "http://registry.example/v2/x") ==
        "error: refusing to follow https://registry.example from https to plain http http://registry.example");
  CHECK(rule("https://registry.example", "http://other.example/v2/x").starts_with("error: refusing to follow"));
  CHECK(rule("https://127.0.0.1:5000", "http://127.0.0.1:5001/x") == "withhold");
  CHECK(rule("https://127.0.0.1:5000", "http://127.0.0.1:5000/x") == "withhold");
}

TEST_CASE("http url: find_link takes the link-value whose rel names next")
{
  const auto link = [](std::string_view header) {
    auto r = sigil::http::find_link(header, "next");
    return r ? (*r ? **r : std::string("none")) : "error: " + r.error().message;
  };
  CHECK(link(R"(</v2/x/tags/list?last=b>; rel="next")") == "/v2/x/tags/list?last=b");
  CHECK(link(R"(<a>; rel="x", <b>; rel="next")") == "b"); // not the first <...>
  CHECK(link(R"(<a>; rel=next)") == "a");                   // unquoted
  CHECK(link(R"(<a>; REL="prev NEXT")") == "a");            // a list, any case
  CHECK(link(R"(<a>; title="rel=\"next\"", <b>; rel=prev)") == "none");
  CHECK(link(R"(<a>; rel="nextpage")") == "none");
  CHECK(link("") == "none");
  CHECK(link(R"(a; rel="next")") == "error: unusable Link header: a link-value must start with <target>");
  CHECK(link(R"(<a> junk; rel="next")") == "error: unusable Link header: junk after a link-value");
}
