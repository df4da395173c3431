#include "sigil/core/result.hpp"

#include <fmt/format.h>

namespace sigil {

Error Error::context(std::string_view ctx) const
{
  return Error{code, fmt::format("{}: {}", ctx, message)};
}

int exit_status(ErrorCode code)
{
  switch (code) {
  case ErrorCode::other: return 1;
  case ErrorCode::usage: return 2;
  case ErrorCode::no_signatures: return 10;
  case ErrorCode::not_found: return 11;
  case ErrorCode::none_verified: return 12;
  case ErrorCode::no_certificate: return 13;
  case ErrorCode::no_attestation: return 14;
  case ErrorCode::policy_failed: return 15;
  case ErrorCode::registry: return 20;
  case ErrorCode::auth: return 21;
  case ErrorCode::bad_input: return 30;
  case ErrorCode::internal: return 70;
  }
  return 70;
}

std::string_view error_code_name(ErrorCode code)
{
  switch (code) {
  case ErrorCode::other: return "other";
  case ErrorCode::usage: return "usage";
  case ErrorCode::no_signatures: return "no_signatures";
  case ErrorCode::not_found: return "not_found";
  case ErrorCode::none_verified: return "none_verified";
  case ErrorCode::no_certificate: return "no_certificate";
  case ErrorCode::no_attestation: return "no_attestation";
  case ErrorCode::policy_failed: return "policy_failed";
  case ErrorCode::registry: return "registry";
  case ErrorCode::auth: return "auth";
  case ErrorCode::bad_input: return "bad_input";
  case ErrorCode::internal: return "internal";
  }
  return "internal";
}

} // namespace sigil
