#include "output.hpp"

#include "sigil/core/env.hpp"

#include <cstdio>
#include <unistd.h>

namespace sigil::cli {

namespace {

bool stderr_colour()
{
  static const bool colour = ::isatty(STDERR_FILENO) == 1 && !core::env::get("NO_COLOR").has_value();
  return colour;
}

void print_tagged(std::string_view tag, std::string_view colour, const Text& message)
{
  if (stderr_colour()) {
    fmt::print(stderr, "sigil: {}{}\x1b[0m: {}\n", colour, tag, message.str());
  } else {
    fmt::print(stderr, "sigil: {}: {}\n", tag, message.str());
  }
}

} // namespace

void print_error(const Text& message)
{
  print_tagged("error", "\x1b[31m", message);
}

void print_warning(const Text& message)
{
  print_tagged("warning", "\x1b[33m", message);
}

void print_note(const Text& message)
{
  print_tagged("note", "\x1b[36m", message);
}

void print_info(const Text& message)
{
  fmt::print(stderr, "{}\n", message.str());
}

void print_prompt(const Text& message)
{
  fmt::print(stderr, "{}", message.str());
  std::fflush(stderr);
}

void print_text(const Text& text)
{
  fmt::print(stdout, "{}", text.str());
  std::fflush(stdout);
}

void print_result(std::string_view machine_output)
{
  fmt::print(stdout, "{}", machine_output);
  std::fflush(stdout);
}

} // namespace sigil::cli
