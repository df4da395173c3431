// Terminal output for the CLI: stdout carries results, stderr diagnostics.
// Colour only on a terminal and never with NO_COLOR.
#pragma once

#include <string_view>

namespace sigil::cli {

void print_error(std::string_view message);
void print_warning(std::string_view message);
void print_note(std::string_view message);
void print_info(std::string_view message); // plain line on stderr
void print_result(std::string_view text);  // stdout, as is

} // namespace sigil::cli
