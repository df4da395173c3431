// Fuzz target: cosign simple-signing payloads (sigil::payload::parse_simple_signing).
//
// Invariants:
//   * a payload that parses is unambiguous: the lenient parser (last duplicate key wins)
//     reads the same document, so no other verifier can see another digest in these bytes;
//   * the parsed fields are the document's: manifest_digest is
//     critical.image.docker-manifest-digest, optional is null or an object;
//   * build_simple_signing writes what parse_simple_signing reads: building a payload from
//     the parsed reference, digest and string annotations and parsing it gives them back,
//     and building again from that gives the same bytes;
//   * errors are bad_input.
#include "fuzz.hpp"

#include "sigil/payload/simple_signing.hpp"

namespace {

using sigil::payload::SimpleSigning;
using sigil::util::Json;

std::map<std::string, std::string> string_annotations(const Json& optional)
{
  std::map<std::string, std::string> out;
  if (optional.is_object()) {
    for (const auto& [key, value] : optional.items()) {
      if (value.is_string()) {
        out.emplace(key, value.get<std::string>());
      }
    }
  }
  return out;
}

void check_build(const SimpleSigning& parsed)
{
  const auto annotations = string_annotations(parsed.optional);
  const std::string built = sigil::payload::build_simple_signing(parsed.docker_reference, parsed.manifest_digest,
                                                                 annotations);
  auto again = sigil::payload::parse_simple_signing(built);
  SIGIL_FUZZ_CHECK(again.has_value());
  SIGIL_FUZZ_CHECK(again->docker_reference == parsed.docker_reference);
  SIGIL_FUZZ_CHECK(again->manifest_digest == parsed.manifest_digest);
  SIGIL_FUZZ_CHECK(again->type == sigil::payload::k_signature_type);
  SIGIL_FUZZ_CHECK(string_annotations(again->optional) == annotations);
  SIGIL_FUZZ_CHECK(annotations.empty() ? again->optional.is_null() : again->optional.size() == annotations.size());
  SIGIL_FUZZ_CHECK(sigil::payload::build_simple_signing(again->docker_reference, again->manifest_digest,
                                                        string_annotations(again->optional)) == built);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view bytes = sigil::fuzz::as_text(data, size);
  auto parsed = sigil::payload::parse_simple_signing(bytes);
  if (!parsed) {
    SIGIL_FUZZ_CHECK(parsed.error().code == sigil::ErrorCode::bad_input);
    return 0;
  }
  auto lenient = sigil::util::parse_json(bytes);
  SIGIL_FUZZ_CHECK(lenient.has_value() && *lenient == parsed->document);
  const Json& doc = parsed->document;
  SIGIL_FUZZ_CHECK(doc["critical"]["image"]["docker-manifest-digest"] == parsed->manifest_digest);
  SIGIL_FUZZ_CHECK(parsed->optional.is_null() || parsed->optional.is_object());
  if (doc.contains("optional")) {
    SIGIL_FUZZ_CHECK(doc["optional"] == parsed->optional);
  }
  check_build(*parsed);
  return 0;
}
