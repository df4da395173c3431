// Usage errors that help: the nearest command or option to a misspelt one, and the --help to
// read (the command's own when a command was given).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sigil::cli {

// The candidate nearest to `typed` (edit distance at most 2, and less than half its length),
// or "" when none is near enough to be what was meant.
[[nodiscard]] std::string nearest_name(std::string_view typed, const std::vector<std::string>& candidates);

// The names of the command's options (--long and -s), and of the root's commands.
[[nodiscard]] std::vector<std::string> option_names(const CLI::App& app);
[[nodiscard]] std::vector<std::string> command_names(const CLI::App& root);

// The command being run (the deepest parsed subcommand), or the root itself.
[[nodiscard]] const CLI::App& parsed_command(const CLI::App& root);

// "run 'sigil verify --help' for usage" (or 'sigil --help' without a command).
[[nodiscard]] std::string help_hint(const CLI::App& root);

} // namespace sigil::cli
