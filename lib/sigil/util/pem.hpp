// sigil::util PEM: RFC 7468 blocks. Bodies are kept in SecureBytes because private keys
// pass through here.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/bytes.hpp"
#include "sigil/util/secure_bytes.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace sigil::util {

struct PemBlock {
  std::string type;
  SecureBytes der;
};

// All PEM blocks in text, in order. Headers (Proc-Type etc.) are refused. Text without any
// block is an error.
[[nodiscard]] Result<std::vector<PemBlock>> parse_pem(std::string_view text);

// One block with lines of 64 characters, as Go's pem.Encode writes.
[[nodiscard]] std::string encode_pem(std::string_view type, ByteView der);

// Copies a decoded secret into SecureBytes and wipes the source vector.
[[nodiscard]] SecureBytes take_secure(Bytes&& bytes);

} // namespace sigil::util
