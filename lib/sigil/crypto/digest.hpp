// sigil::crypto digests: SHA-2 hashing of buffers, streams and files.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/openssl.hpp"
#include "sigil/util/bytes.hpp"

#include <filesystem>
#include <optional>
#include <string_view>

namespace sigil::crypto {

enum class HashAlgorithm { sha256, sha384, sha512 };

// Sigstore protobuf name: "SHA2_256", "SHA2_384", "SHA2_512".
[[nodiscard]] std::string_view sigstore_hash_name(HashAlgorithm alg);
[[nodiscard]] std::optional<HashAlgorithm> parse_sigstore_hash_name(std::string_view name);
// OCI/in-toto name: "sha256", "sha384", "sha512".
[[nodiscard]] std::string_view hash_name(HashAlgorithm alg);
[[nodiscard]] std::size_t digest_size(HashAlgorithm alg);
[[nodiscard]] const EVP_MD* evp_md(HashAlgorithm alg);

// Incremental hasher.
class Hasher {
public:
  explicit Hasher(HashAlgorithm alg);
  void update(util::ByteView data);
  [[nodiscard]] util::Bytes finish();
  [[nodiscard]] HashAlgorithm algorithm() const { return m_alg; }

private:
  HashAlgorithm m_alg;
  MdCtxPtr m_ctx;
};

[[nodiscard]] util::Bytes hash(HashAlgorithm alg, util::ByteView data);
[[nodiscard]] util::Bytes sha256(util::ByteView data);
// "sha256:<hex>" of data.
[[nodiscard]] std::string sha256_digest_string(util::ByteView data);

} // namespace sigil::crypto
