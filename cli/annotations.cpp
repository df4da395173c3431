#include "annotations.hpp"

#include <fmt/format.h>

namespace sigil::cli {

Result<std::map<std::string, std::string>> parse_annotations(const std::vector<std::string>& pairs)
{
  std::map<std::string, std::string> annotations;
  for (const auto& p : pairs) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return fail(ErrorCode::usage, fmt::format("annotation \"{}\" is not key=value", p));
    }
    annotations[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return annotations;
}

} // namespace sigil::cli
