#include "sigil/payload/simple_signing.hpp"

#include "sigil/util/go_json.hpp"
#include "sigil/util/json_strict.hpp"

#include <fmt/format.h>

#include <array>

namespace sigil::payload {

std::string build_simple_signing(std::string_view docker_reference, std::string_view manifest_digest,
                                 const std::map<std::string, std::string>& annotations)
{
  std::string optional = "null";
  if (!annotations.empty()) {
    optional = "{";
    for (const auto& [k, v] : annotations) { // std::map: sorted like Go's map marshalling
      if (optional.size() > 1) {
        optional += ",";
      }
      optional += util::go_json_quote(k) + ":" + util::go_json_quote(v);
    }
    optional += "}";
  }
  return fmt::format(R"({{"critical":{{"identity":{{"docker-reference":{}}},"image":{{"docker-manifest-digest":{}}},"type":{}}},"optional":{}}})",
                     util::go_json_quote(docker_reference), util::go_json_quote(manifest_digest),
                     util::go_json_quote(k_signature_type), optional);
}

namespace {

// The levels cosign reads into structs (sigstore's payload.SimpleContainerImage).
std::optional<std::string> go_struct_alias(const util::Json& doc)
{
  constexpr std::array<std::string_view, 2> top{"critical", "optional"};
  constexpr std::array<std::string_view, 3> critical{"identity", "image", "type"};
  constexpr std::array<std::string_view, 1> identity{"docker-reference"};
  constexpr std::array<std::string_view, 1> image{"docker-manifest-digest"};
  auto alias = util::go_key_alias(doc, top);
  if (!alias && doc.is_object() && doc.contains("critical")) {
    const auto& c = doc["critical"];
    alias = util::go_key_alias(c, critical);
    if (!alias && c.is_object() && c.contains("identity")) {
      alias = util::go_key_alias(c["identity"], identity);
    }
    if (!alias && c.is_object() && c.contains("image")) {
      alias = util::go_key_alias(c["image"], image);
    }
  }
  return alias;
}

} // namespace

Result<SimpleSigning> parse_simple_signing(std::string_view bytes)
{
  auto doc = util::parse_json_strict(bytes);
  if (!doc) {
    return fail(doc.error().context("payload is not valid JSON"));
  }
  // cosign unmarshals into Go structs, matching keys case-insensitively: "CRITICAL" next to
  // "critical" would name another image for cosign than for us. Refused like duplicate keys.
  if (auto alias = go_struct_alias(*doc)) {
    return fail(ErrorCode::bad_input, fmt::format("payload is ambiguous: {}", *alias));
  }
  auto critical = util::json_object(*doc, "critical");
  if (!critical) {
    return fail(critical.error().context("payload is not a simple-signing payload"));
  }
  auto image = util::json_object(**critical, "image");
  if (!image) {
    return fail(image.error().context("payload is not a simple-signing payload"));
  }
  auto digest = util::json_string(**image, "docker-manifest-digest");
  if (!digest) {
    return fail(digest.error().context("payload is not a simple-signing payload"));
  }
  SimpleSigning out;
  out.manifest_digest = std::move(*digest);
  if (auto identity = util::json_optional_object(**critical, "identity"); identity && *identity != nullptr) {
    if (auto ref = util::json_string(**identity, "docker-reference")) {
      out.docker_reference = std::move(*ref);
    }
  }
  if (auto type = util::json_string(**critical, "type")) {
    out.type = std::move(*type);
  }
  if (doc->contains("optional")) {
    out.optional = (*doc)["optional"];
    if (!out.optional.is_null() && !out.optional.is_object()) {
      return fail(ErrorCode::bad_input, "payload field \"optional\" is neither null nor an object");
    }
  }
  out.document = std::move(*doc);
  return out;
}

} // namespace sigil::payload
