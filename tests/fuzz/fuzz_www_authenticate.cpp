// Fuzz target: WWW-Authenticate header values (sigil::registry::parse_www_authenticate).
//
// Invariants:
//   * the bounds hold: 1..k_max_challenges challenges, at most k_max_challenge_params
//     parameters each;
//   * schemes and parameter names are non-empty, lowercase RFC 7230 tokens;
//   * a challenge has a token68 or parameters, never both;
//   * the parse is faithful: writing the challenges back out (parameters as quoted strings)
//     and parsing that gives the same challenges;
//   * errors are ErrorCode::registry and never quote the header (they give an offset).
#include "fuzz.hpp"

#include "sigil/registry/auth.hpp"

#include <algorithm>

namespace {

using sigil::registry::Challenge;

bool is_token(std::string_view text)
{
  constexpr std::string_view k_special = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::ranges::all_of(text, [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || k_special.find(c) != std::string_view::npos;
  });
}

// The challenges as a header value: `scheme token68` or `scheme name="value", ...`.
std::string write_challenges(const std::vector<Challenge>& challenges)
{
  std::string out;
  for (const auto& challenge : challenges) {
    if (!out.empty()) {
      out += ", ";
    }
    out += challenge.scheme;
    if (!challenge.token68.empty()) {
      out += ' ';
      out += challenge.token68;
      continue;
    }
    bool first = true;
    for (const auto& [name, value] : challenge.params) {
      out += first ? " " : ", ";
      first = false;
      out += name;
      out += "=\"";
      for (const char c : value) {
        if (c == '"' || c == '\\') {
          out += '\\';
        }
        out += c;
      }
      out += '"';
    }
  }
  return out;
}

bool same(const std::vector<Challenge>& a, const std::vector<Challenge>& b)
{
  return std::ranges::equal(a, b, [](const Challenge& x, const Challenge& y) {
    return x.scheme == y.scheme && x.params == y.params && x.token68 == y.token68;
  });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view header = sigil::fuzz::as_text(data, size);
  auto challenges = sigil::registry::parse_www_authenticate(header);
  if (!challenges) {
    SIGIL_FUZZ_CHECK(challenges.error().code == sigil::ErrorCode::registry);
    SIGIL_FUZZ_CHECK(challenges.error().message.starts_with("invalid WWW-Authenticate header: "));
    return 0;
  }
  SIGIL_FUZZ_CHECK(!challenges->empty() && challenges->size() <= sigil::registry::k_max_challenges);
  for (const auto& challenge : *challenges) {
    SIGIL_FUZZ_CHECK(is_token(challenge.scheme));
    SIGIL_FUZZ_CHECK(challenge.params.size() <= sigil::registry::k_max_challenge_params);
    SIGIL_FUZZ_CHECK(challenge.token68.empty() || challenge.params.empty());
    for (const auto& [name, value] : challenge.params) {
      SIGIL_FUZZ_CHECK(is_token(name));
      SIGIL_FUZZ_CHECK(std::ranges::none_of(value, [](char c) {
        return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f;
      }));
    }
  }
  const std::string written = write_challenges(*challenges);
  if (written.size() <= sigil::registry::k_max_challenge_header_bytes) {
    auto again = sigil::registry::parse_www_authenticate(written);
    SIGIL_FUZZ_CHECK(again.has_value());
    SIGIL_FUZZ_CHECK(same(*challenges, *again));
  }
  return 0;
}
