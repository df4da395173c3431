// sigil::util JSON adapter over nlohmann::json: no exception leaves this module.
//
// parse_json bounds nesting depth before parsing (hostile input cannot exhaust the stack),
// and the typed getters turn missing or mistyped fields into errors naming the field.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/bytes.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace sigil::util {

using Json = nlohmann::json;
// Preserves insertion order; used where we write JSON whose key order matters.
using OrderedJson = nlohmann::ordered_json;

constexpr int k_max_json_depth = 64;

[[nodiscard]] Result<Json> parse_json(std::string_view text, int max_depth = k_max_json_depth);
// Fails on bytes no JSON text may hold that nlohmann would not refuse (a NUL byte, which it
// takes for the end of the input). parse_json and parse_json_strict call it first.
[[nodiscard]] Result<void> valid_json_bytes(std::string_view text);

// Typed access to object members: fails when absent or of another type.
[[nodiscard]] Result<std::string> json_string(const Json& object, std::string_view key);
[[nodiscard]] Result<std::int64_t> json_int(const Json& object, std::string_view key);
[[nodiscard]] Result<const Json*> json_object(const Json& object, std::string_view key);
[[nodiscard]] Result<const Json*> json_array(const Json& object, std::string_view key);
// nullptr when absent; error when present with another type.
[[nodiscard]] Result<const Json*> json_optional_object(const Json& object, std::string_view key);

// A base64 string member, decoded; a decoding error is prefixed with `field "<key>"`.
enum class Base64Alphabet {
  standard, // base64_decode: Go's StdEncoding
  any,      // base64_decode_any: standard first, then URL-safe (what DSSE verifiers accept)
};
[[nodiscard]] Result<Bytes> json_base64(const Json& object, std::string_view key, Base64Alphabet alphabet);

// Compact serialisation (no spaces); never throws (invalid UTF-8 is replaced).
[[nodiscard]] std::string dump_json(const Json& value);
[[nodiscard]] std::string dump_json(const OrderedJson& value);

} // namespace sigil::util
