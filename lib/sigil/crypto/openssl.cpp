#include "sigil/crypto/openssl.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include <array>

namespace sigil::crypto {

std::string openssl_error_text(std::string_view context)
{
  std::string reasons;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    std::array<char, 256> buf{};
    ERR_error_string_n(code, buf.data(), buf.size());
    if (!reasons.empty()) {
      reasons += "; ";
    }
    reasons += buf.data();
  }
  if (reasons.empty()) {
    return std::string(context);
  }
  return fmt::format("{}: {}", context, reasons);
}

std::unexpected<Error> openssl_fail(ErrorCode code, std::string_view context)
{
  return fail(code, openssl_error_text(context));
}

void clear_openssl_errors()
{
  ERR_clear_error();
}

std::string_view openssl_version()
{
  return OpenSSL_version(OPENSSL_VERSION);
}

} // namespace sigil::crypto
