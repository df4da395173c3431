// -a/--annotations key=value pairs, as sign (signed into the payload) and verify (required in
// the signed payload) take them.
#pragma once

#include "sigil/core/result.hpp"

#include <map>
#include <string>
#include <vector>

namespace sigil::cli {

// "key=value" pairs to a map (a later key wins); a pair without '=' or with an empty key is a
// usage error that quotes it.
[[nodiscard]] Result<std::map<std::string, std::string>> parse_annotations(const std::vector<std::string>& pairs);

} // namespace sigil::cli
