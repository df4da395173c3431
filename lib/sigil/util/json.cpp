#include "sigil/util/json.hpp"

#include "sigil/util/encoding.hpp"

#include <fmt/format.h>

namespace sigil::util {

namespace {

// Rejects nesting deeper than max_depth without recursion.
bool depth_within(std::string_view text, int max_depth)
{
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) {
        return false;
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

Result<const Json*> member(const Json& object, std::string_view key)
{
  if (!object.is_object()) {
    return fail(ErrorCode::bad_input, fmt::format("expected a JSON object holding \"{}\"", key));
  }
  const auto it = object.find(key);
  if (it == object.end()) {
    return fail(ErrorCode::bad_input, fmt::format("missing field \"{}\"", key));
  }
  return &*it;
}

} // namespace

Result<void> valid_json_bytes(std::string_view text)
{
  // nlohmann's lexer takes a NUL byte for the end of the input and ignores what follows it:
  // "{...}\0anything" would parse, where Go's encoding/json (cosign) refuses it. A raw NUL
  // is never valid JSON (not even inside a string), so refuse it outright.
  // Found by tests/fuzz/fuzz_dsse.
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    return fail(ErrorCode::bad_input, fmt::format("invalid JSON: NUL byte at offset {}", nul));
  }
  return {};
}

Result<Json> parse_json(std::string_view text, int max_depth)
{
  SIGIL_TRY(valid_json_bytes(text));
  if (!depth_within(text, max_depth)) {
    return fail(ErrorCode::bad_input, fmt::format("invalid JSON: nested deeper than {} levels", max_depth));
  }
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return fail(ErrorCode::bad_input, "invalid JSON");
  }
  return value;
}

Result<std::string> json_string(const Json& object, std::string_view key)
{
  SIGIL_TRY_ASSIGN(auto m, member(object, key));
  if (!m->is_string()) {
    return fail(ErrorCode::bad_input, fmt::format("field \"{}\" is not a string", key));
  }
  return m->get<std::string>();
}

Result<std::int64_t> json_int(const Json& object, std::string_view key)
{
  SIGIL_TRY_ASSIGN(auto m, member(object, key));
  if (!m->is_number_integer()) {
    return fail(ErrorCode::bad_input, fmt::format("field \"{}\" is not an integer", key));
  }
  return m->get<std::int64_t>();
}

Result<const Json*> json_object(const Json& object, std::string_view key)
{
  SIGIL_TRY_ASSIGN(auto m, member(object, key));
  if (!m->is_object()) {
    return fail(ErrorCode::bad_input, fmt::format("field \"{}\" is not an object", key));
  }
  return m;
}

Result<const Json*> json_array(const Json& object, std::string_view key)
{
  SIGIL_TRY_ASSIGN(auto m, member(object, key));
  if (!m->is_array()) {
    return fail(ErrorCode::bad_input, fmt::format("field \"{}\" is not an array", key));
  }
  return m;
}

Result<const Json*> json_optional_object(const Json& object, std::string_view key)
{
  if (!object.is_object() || !object.contains(key)) {
    return static_cast<const Json*>(nullptr);
  }
  return json_object(object, key);
}

std::string dump_json(const Json& value)
{
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string dump_json(const OrderedJson& value)
{
  return value.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

Result<Bytes> json_base64(const Json& object, std::string_view key, Base64Alphabet alphabet)
{
  SIGIL_TRY_ASSIGN(const std::string text, json_string(object, key));
  auto bytes = [&] {
    switch (alphabet) {
    case Base64Alphabet::standard: return base64_decode(text);
    case Base64Alphabet::any: return base64_decode_any(text);
    }
    return base64_decode(text);
  }();
  if (!bytes) {
    return fail(bytes.error().context(fmt::format("field \"{}\"", key)));
  }
  return bytes;
}

} // namespace sigil::util
