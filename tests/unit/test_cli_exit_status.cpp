// Tests for the exit status of `sigil verify` for one image (cli/exit_status.hpp): an error
// keeps its own status, a result gets its verdict's (DESIGN.md §5), without a registry.
#include "cli/exit_status.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

namespace {

using sigil::ErrorCode;
using sigil::cli::status_of;
using sigil::verify::SignatureReport;
using sigil::verify::VerifyImageResult;

sigil::Result<VerifyImageResult> result_with(std::vector<bool> verified)
{
  VerifyImageResult r{*sigil::oci::Reference::parse("registry.example/app@sha256:" + std::string(64, 'a')), false, {}};
  for (const bool v : verified) {
    SignatureReport s;
    s.verified = v;
    s.key_index = v ? std::optional<std::size_t>(0) : std::nullopt;
    r.signatures.push_back(std::move(s));
  }
  return r;
}

} // namespace

TEST_CASE("verify exit status: a verified signature among rejected ones is 0")
{
  CHECK(status_of(result_with({true})) == 0);
  CHECK(status_of(result_with({false, true, false})) == 0);
}

TEST_CASE("verify exit status: nothing to consider is 10, nothing verified is 12")
{
  CHECK(status_of(result_with({})) == 10);
  CHECK(status_of(result_with({false})) == 12);
  CHECK(status_of(result_with({false, false})) == 12);
}

TEST_CASE("verify exit status: an error keeps its code's status, whatever its message")
{
  struct Case {
    ErrorCode code;
    int status;
  };
  const Case cases[] = {
      {ErrorCode::usage, 2},    {ErrorCode::not_found, 11}, {ErrorCode::registry, 20},
      {ErrorCode::auth, 21},    {ErrorCode::bad_input, 30}, {ErrorCode::internal, 70},
      {ErrorCode::other, 1},    {ErrorCode::no_signatures, 10},
  };
  for (const auto& c : cases) {
    CAPTURE(sigil::error_code_name(c.code));
    const sigil::Result<VerifyImageResult> failed = sigil::fail(c.code, "registry.example/app: something went wrong");
    CHECK(status_of(failed) == c.status);
  }
}
