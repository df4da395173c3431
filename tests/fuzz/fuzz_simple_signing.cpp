// Fuzz target: cosign simple-signing payloads (sigil::payload::parse_simple_signing).
//
// Invariants:
//   * a payload that parses is unambiguous: the lenient parser (last duplicate key wins)
//     reads the same document, so no other verifier can see another digest in these bytes;
//   * nothing may follow the document: with one more byte appended, the payload is refused;
//   * the parsed fields are the document's: manifest_digest is
//     critical.image.docker-manifest-digest, optional is null or an object;
//   * build_simple_signing writes what parse_simple_signing reads: building a payload from
//     the parsed reference, digest and string annotations and parsing it gives them back,
//     and building again from that gives the same bytes;
//   * any bytes (the input itself) as reference, digest and annotation go into a payload that
//     parses, read back as Go would read them (invalid UTF-8 as U+FFFD; valid text unchanged),
//     with the HTML characters and U+2028/U+2029 escaped as Go's json.Marshal writes them;
//   * errors are bad_input.
#include "fuzz.hpp"

#include "sigil/payload/simple_signing.hpp"
#include "sigil/util/go_json.hpp"

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

bool valid_utf8(std::string_view text)
{
  try {
    (void)Json(std::string(text)).dump(); // the strict error handler throws on invalid UTF-8
    return true;
  } catch (const Json::exception&) {
    return false;
  }
}

void check_quoting(std::string_view text)
{
  const std::string s(text);
  const std::string built = sigil::payload::build_simple_signing(s, s, {{s, s}});
  SIGIL_FUZZ_CHECK(built.find_first_of("<>&") == std::string::npos);
  SIGIL_FUZZ_CHECK(built.find("\xe2\x80\xa8") == std::string::npos && built.find("\xe2\x80\xa9") == std::string::npos);
  auto parsed = sigil::payload::parse_simple_signing(built);
  SIGIL_FUZZ_CHECK(parsed.has_value());
  auto as_go_reads_it = sigil::util::parse_json(sigil::util::go_json_quote(text));
  SIGIL_FUZZ_CHECK(as_go_reads_it.has_value() && as_go_reads_it->is_string());
  const auto& read = as_go_reads_it->get_ref<const std::string&>();
  SIGIL_FUZZ_CHECK(parsed->docker_reference == read && parsed->manifest_digest == read);
  SIGIL_FUZZ_CHECK(parsed->optional.is_object() && parsed->optional.size() == 1 && parsed->optional[read] == read);
  if (valid_utf8(text)) {
    SIGIL_FUZZ_CHECK(read == text);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view bytes = sigil::fuzz::as_text(data, size);
  check_quoting(bytes);
  auto parsed = sigil::payload::parse_simple_signing(bytes);
  if (!parsed) {
    SIGIL_FUZZ_CHECK(parsed.error().code == sigil::ErrorCode::bad_input);
    return 0;
  }
  auto lenient = sigil::util::parse_json(bytes);
  SIGIL_FUZZ_CHECK(lenient.has_value() && *lenient == parsed->document);
  SIGIL_FUZZ_CHECK(!sigil::payload::parse_simple_signing(std::string(bytes) + "x"));
  const Json& doc = parsed->document;
  SIGIL_FUZZ_CHECK(doc["critical"]["image"]["docker-manifest-digest"] == parsed->manifest_digest);
  SIGIL_FUZZ_CHECK(parsed->optional.is_null() || parsed->optional.is_object());
  if (doc.contains("optional")) {
    SIGIL_FUZZ_CHECK(doc["optional"] == parsed->optional);
  }
  check_build(*parsed);
  return 0;
}
