// sigil::tuf the public-good Sigstore instance: its TUF mirror and the initial root shipped in
// the binary (lib/sigil/tuf/public_good_root.json, embedded at build time; README.md there
// says where it came from). The updater rotates from it to the mirror's current root.
#pragma once

#include <string_view>

namespace sigil::tuf {

inline constexpr std::string_view k_public_good_mirror = "https://tuf-repo-cdn.sigstore.dev";

// The bytes of public_good_root.json, exactly as committed.
[[nodiscard]] std::string_view public_good_root();

} // namespace sigil::tuf
