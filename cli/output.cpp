#include "output.hpp"

#include "sigil/core/env.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <unistd.h>

namespace sigil::cli {

namespace {

bool stderr_colour()
{
  static const bool colour = ::isatty(STDERR_FILENO) == 1 && !core::env::get("NO_COLOR").has_value();
  return colour;
}

// Messages are one line: embedded newlines from peers or files are flattened.
std::string one_line(std::string_view message)
{
  std::string out(message);
  for (auto& c : out) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return out;
}

void print_tagged(std::string_view tag, std::string_view colour, std::string_view message)
{
  if (stderr_colour()) {
    fmt::print(stderr, "sigil: {}{}\x1b[0m: {}\n", colour, tag, one_line(message));
  } else {
    fmt::print(stderr, "sigil: {}: {}\n", tag, one_line(message));
  }
}

} // namespace

void print_error(std::string_view message)
{
  print_tagged("error", "\x1b[31m", message);
}

void print_warning(std::string_view message)
{
  print_tagged("warning", "\x1b[33m", message);
}

void print_note(std::string_view message)
{
  print_tagged("note", "\x1b[36m", message);
}

void print_info(std::string_view message)
{
  fmt::print(stderr, "{}\n", message);
}

void print_result(std::string_view text)
{
  fmt::print(stdout, "{}", text);
  std::fflush(stdout);
}

} // namespace sigil::cli
