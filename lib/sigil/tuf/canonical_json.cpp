#include "sigil/tuf/canonical_json.hpp"

#include <fmt/format.h>

#include <vector>

namespace sigil::tuf {

namespace {

void append_string(std::string& out, const std::string& text)
{
  out.push_back('"');
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  out.push_back('"');
}

// Iterative over an explicit stack: depth is bounded by the parser, but a flat walk keeps
// this independent of it.
struct Frame {
  const util::Json* value;
  util::Json::const_iterator next;
  bool first = true;
};

Result<void> append_scalar(std::string& out, const util::Json& v)
{
  switch (v.type()) {
  case util::Json::value_t::null: out += "null"; return {};
  case util::Json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return {};
  case util::Json::value_t::number_integer: out += fmt::format("{}", v.get<std::int64_t>()); return {};
  case util::Json::value_t::number_unsigned: out += fmt::format("{}", v.get<std::uint64_t>()); return {};
  case util::Json::value_t::string: append_string(out, v.get_ref<const std::string&>()); return {};
  default: break;
  }
  return fail(ErrorCode::bad_input, "canonical JSON: a number that is not an integer has no canonical form");
}

} // namespace

Result<std::string> canonical_json(const util::Json& value)
{
  std::string out;
  std::vector<Frame> stack;
  const auto open = [&](const util::Json& v) -> Result<void> {
    if (v.is_object() || v.is_array()) {
      out.push_back(v.is_object() ? '{' : '[');
      stack.push_back(Frame{&v, v.cbegin()});
      return {};
    }
    return append_scalar(out, v);
  };
  SIGIL_TRY(open(value));
  while (!stack.empty()) {
    auto& top = stack.back();
    if (top.next == top.value->cend()) {
      out.push_back(top.value->is_object() ? '}' : ']');
      stack.pop_back();
      continue;
    }
    if (!top.first) {
      out.push_back(',');
    }
    top.first = false;
    const auto it = top.next++;
    if (top.value->is_object()) { // nlohmann::json keeps object keys in std::map (byte) order
      append_string(out, it.key());
      out.push_back(':');
    }
    SIGIL_TRY(open(*it)); // may invalidate `top`; not used after
  }
  return out;
}

} // namespace sigil::tuf
