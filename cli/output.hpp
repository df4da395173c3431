// Terminal output for the CLI: stdout carries results, stderr diagnostics.
// Colour only on a terminal and never with NO_COLOR.
//
// Text from outside never writes on the terminal. Everything human-readable is printed as a
// format string plus arguments: the format string is sigil's own text (fmt checks at compile
// time that it is a literal, so a runtime string cannot be passed as one, and fmt::runtime
// is never used here), and every argument goes through util::escape_for_terminal before it
// is formatted in. Registry answers, bundle and certificate fields, file names, argv and
// error messages that quote any of these are arguments, so they reach the terminal as one
// inert line: a newline, ESC, a C1 control or a bidi override in them is shown as \xNN or
// \u{NNNN}. Newlines sigil composes itself (the "Verification for ..." block, the tree) come
// from format strings and still render. Arguments must be strings or numbers (checked at
// compile time), so no formatter can slip text past the escape. Before escaping, every secret
// the process holds (util::redact_secrets: registry passwords and tokens, their Basic
// headers) is shown as "***": a server that echoes what it was sent cannot print it.
//
// Text holds output composed of several formatted pieces (the tree, one line per variable):
// it can only be built by Text::format and +=, so it too holds nothing unescaped, and it is
// formatted in as is when passed as an argument.
// print_result is the one exception: machine output written as is (JSON from nlohmann, which
// escapes control characters; a PEM sigil wrote). Never pass it text from outside.
#pragma once

#include "sigil/util/redact.hpp"
#include "sigil/util/terminal.hpp"

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace sigil::cli {

class Text;

namespace detail {

template <typename T> decltype(auto) escape_argument(const T& value)
{
  if constexpr (std::is_same_v<T, Text>) {
    return std::string_view(value.str()); // composed by Text::format: escaped already
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return util::escape_for_terminal(util::redact_secrets(std::string_view(value)));
  } else {
    static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, char>,
                  "print only strings (they are escaped) and numbers");
    return value;
  }
}

// format was checked against the arguments' types at compile time by the caller's format_string.
template <typename... Args> std::string format_escaped(fmt::string_view format, const Args&... args)
{
  const std::tuple<decltype(escape_argument(args))...> escaped{escape_argument(args)...};
  return std::apply([&](const auto&... a) { return fmt::vformat(format, fmt::make_format_args(a...)); }, escaped);
}

} // namespace detail

// Human text with every argument escaped; see above.
class Text {
public:
  Text() = default;

  template <typename... Args> [[nodiscard]] static Text format(fmt::format_string<Args...> format, Args&&... args)
  {
    return Text(detail::format_escaped(static_cast<fmt::string_view>(format), args...));
  }

  Text& operator+=(const Text& more)
  {
    m_value += more.m_value;
    return *this;
  }

  [[nodiscard]] const std::string& str() const { return m_value; }

private:
  explicit Text(std::string value) : m_value(std::move(value)) {}

  std::string m_value;
};

void print_error(const Text& message);              // "sigil: error: MESSAGE" on stderr
void print_warning(const Text& message);            // "sigil: warning: MESSAGE" on stderr
void print_note(const Text& message);               // "sigil: note: MESSAGE" on stderr
void print_info(const Text& message);               // plain line on stderr
void print_prompt(const Text& message);             // stderr, no newline (a question before reading the answer)
void print_text(const Text& text);                  // stdout, human text as composed
void print_result(std::string_view machine_output); // stdout, as is: JSON or PEM only

template <typename... Args> void print_error(fmt::format_string<Args...> format, Args&&... args)
{
  print_error(Text::format(format, std::forward<Args>(args)...));
}

template <typename... Args> void print_warning(fmt::format_string<Args...> format, Args&&... args)
{
  print_warning(Text::format(format, std::forward<Args>(args)...));
}

template <typename... Args> void print_note(fmt::format_string<Args...> format, Args&&... args)
{
  print_note(Text::format(format, std::forward<Args>(args)...));
}

template <typename... Args> void print_info(fmt::format_string<Args...> format, Args&&... args)
{
  print_info(Text::format(format, std::forward<Args>(args)...));
}

template <typename... Args> void print_prompt(fmt::format_string<Args...> format, Args&&... args)
{
  print_prompt(Text::format(format, std::forward<Args>(args)...));
}

template <typename... Args> void print_text(fmt::format_string<Args...> format, Args&&... args)
{
  print_text(Text::format(format, std::forward<Args>(args)...));
}

} // namespace sigil::cli

// A Text argument is escaped already: fmt checks format specs against string_view's.
template <> struct fmt::formatter<sigil::cli::Text> : fmt::formatter<std::string_view> {
  template <typename FormatContext> auto format(const sigil::cli::Text& text, FormatContext& ctx) const
  {
    return fmt::formatter<std::string_view>::format(text.str(), ctx);
  }
};
