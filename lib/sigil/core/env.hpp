// sigil::core::env — the one table of environment variables sigil reads.
//
// The library reads the environment only through get(); every variable it reads is listed
// in variables() with a description and whether it holds a secret. The man page
// sigil-environment(7) is checked against this table.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sigil::core::env {

enum class Secret { yes, no };

struct Variable {
  std::string_view name;
  std::string_view description;
  Secret secret;
};

// Every variable sigil reads, in documentation order.
[[nodiscard]] std::span<const Variable> variables();

// Value of a listed variable; nullopt when unset. Set-but-empty returns "".
// Asking for a variable missing from the table is a programming error (asserts).
[[nodiscard]] std::optional<std::string> get(std::string_view name);

// Value of a variable the user named in a key reference (env://NAME). These cannot be
// listed in the table; they are always treated as secret.
[[nodiscard]] std::optional<std::string> get_user_named(std::string_view name);

// True when the variable is set to a non-empty value other than "0"/"false".
[[nodiscard]] bool flag(std::string_view name);

} // namespace sigil::core::env
