// Internal to the trust policy reader (trust_policy_*.cpp): field readers over yaml-cpp nodes,
// each failing with "FILE:LINE: PATH: message". Includes yaml-cpp: never include it from a
// file a fuzz target compiles (the fuzz build cannot link yaml-cpp).
#pragma once

#include "sigil/policy/trust_policy.hpp"

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace sigil::policy::detail {

struct Ctx {
  std::string file;
  [[nodiscard]] Where at(const YAML::Node& node, std::string path) const;
};

[[nodiscard]] std::string_view kind_name(const YAML::Node& n);
[[nodiscard]] std::string join(const std::string& path, std::string_view key);
[[nodiscard]] std::string item(const std::string& path, std::size_t i);
// A mapping whose keys are all in `known`, each written once.
[[nodiscard]] Result<void> check_map(const Ctx& c, const YAML::Node& node, const std::string& path,
                                     std::initializer_list<std::string_view> known);
[[nodiscard]] Result<std::string> scalar(const Ctx& c, const YAML::Node& node, const std::string& path);
[[nodiscard]] Result<std::optional<std::string>> opt_scalar(const Ctx& c, const YAML::Node& map,
                                                            const std::string& path, std::string_view key);
[[nodiscard]] Result<std::string> required(const Ctx& c, const YAML::Node& map, const std::string& path,
                                           std::string_view key, std::string_view what);
[[nodiscard]] Result<YAML::Node> list(const Ctx& c, const YAML::Node& node, const std::string& path);
[[nodiscard]] Result<void> check_regexp(const Ctx& c, const YAML::Node& node, const std::string& path,
                                        const std::string& text);
// signatures: and count: of a rule or an attestation.
[[nodiscard]] Result<std::optional<Signatures>> parse_signatures(const Ctx& c, const YAML::Node& owner,
                                                                 const std::string& path);

} // namespace sigil::policy::detail
