// sigil::core version information, baked in at build time.
#pragma once

#include <string_view>

namespace sigil::core {

[[nodiscard]] std::string_view version();
[[nodiscard]] std::string_view git_commit();

} // namespace sigil::core
