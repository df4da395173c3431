// sigil::crypto OpenSSL plumbing: RAII handles and error-queue draining.
// Only crypto/ includes OpenSSL headers.
#pragma once

#include "sigil/core/result.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace sigil::crypto {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free_all(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

// Drains OpenSSL's error queue into one line: "context: reason; reason".
[[nodiscard]] std::string openssl_error_text(std::string_view context);
[[nodiscard]] std::unexpected<Error> openssl_fail(ErrorCode code, std::string_view context);
// Empties the error queue (after an expected failure such as a try-parse).
void clear_openssl_errors();

// OpenSSL version string, e.g. "OpenSSL 3.0.15 3 Sep 2024".
[[nodiscard]] std::string_view openssl_version();

} // namespace sigil::crypto
