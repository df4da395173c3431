// sigil::oci content checked against its digest, the one check every reader of content-addressed
// bytes makes (registry::Client's manifests and blobs, an image layout's files):
//
//   oci::DigestCheck check(expected);
//   check.update(chunk); ...                 // as the bytes arrive
//   if (auto actual = check.mismatch()) ...  // "sha256:<hex>" the bytes have, when not `expected`
#pragma once

#include "sigil/crypto/digest.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/util/bytes.hpp"

#include <optional>
#include <string>

namespace sigil::oci {

class DigestCheck {
public:
  explicit DigestCheck(Digest expected);
  void update(util::ByteView chunk) { m_hasher.update(chunk); }
  // Once, after the last byte: the digest the bytes have ("sha256:<hex>", in the algorithm of
  // the expected one) when it is not the expected one; nothing when they match.
  [[nodiscard]] std::optional<std::string> mismatch();
  [[nodiscard]] const Digest& expected() const { return m_expected; }

private:
  Digest m_expected;
  crypto::Hasher m_hasher;
};

// The same for bytes at hand.
[[nodiscard]] std::optional<std::string> digest_mismatch(const Digest& expected, util::ByteView bytes);

} // namespace sigil::oci
