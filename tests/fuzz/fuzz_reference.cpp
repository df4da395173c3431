// Fuzz target: image references and digests (sigil::oci::Reference::parse, parse_digest).
//
// Invariants:
//   * a parsed digest is well formed and prints back as the text it came from;
//   * str() is canonical: parse(str()) succeeds, gives the same registry, repository,
//     digest and identifier, and prints the same text again;
//   * a parsed tag satisfies is_valid_tag, a parsed digest is_valid; the repository fits
//     the length limit; "tag latest" is implied exactly when neither tag nor digest was given;
//   * host() + port() split registry() as written;
//   * with_digest/with_tag keep the name and give references that parse again;
//   * the signature tags of a parsed digest are valid tags;
//   * errors are usage errors with a message.
#include "fuzz.hpp"

#include "sigil/oci/reference.hpp"

namespace {

using sigil::ErrorCode;
using sigil::oci::Digest;
using sigil::oci::DigestAlgorithm;
using sigil::oci::Reference;

void check_digest(std::string_view text)
{
  auto digest = sigil::oci::parse_digest(text);
  if (!digest) {
    SIGIL_FUZZ_CHECK(digest.error().code == ErrorCode::usage);
    return;
  }
  SIGIL_FUZZ_CHECK(digest->is_valid());
  SIGIL_FUZZ_CHECK(digest->str() == text);
  SIGIL_FUZZ_CHECK(sigil::oci::is_valid_tag(sigil::oci::signature_tag(*digest, "sig")));
}

// parse(text) must equal ref in everything str() keeps.
void check_reparse(const Reference& ref)
{
  const std::string canonical = ref.str();
  auto again = Reference::parse(canonical);
  SIGIL_FUZZ_CHECK(again.has_value());
  SIGIL_FUZZ_CHECK(again->str() == canonical);
  SIGIL_FUZZ_CHECK(again->registry() == ref.registry());
  SIGIL_FUZZ_CHECK(again->repository() == ref.repository());
  SIGIL_FUZZ_CHECK(again->digest() == ref.digest());
  SIGIL_FUZZ_CHECK(again->identifier() == ref.identifier());
  SIGIL_FUZZ_CHECK(again->is_loopback() == ref.is_loopback());
  SIGIL_FUZZ_CHECK(again->port() == ref.port());
}

void check_parts(const Reference& ref)
{
  SIGIL_FUZZ_CHECK(!ref.registry().empty());
  SIGIL_FUZZ_CHECK(!ref.repository().empty());
  SIGIL_FUZZ_CHECK(ref.repository().size() <= sigil::oci::k_max_repository_length);
  SIGIL_FUZZ_CHECK(ref.name() == ref.registry() + "/" + ref.repository());
  SIGIL_FUZZ_CHECK(ref.tag().has_value() || ref.digest().has_value());
  SIGIL_FUZZ_CHECK(!ref.tag_implied() || (ref.tag() == std::string(sigil::oci::k_default_tag) && !ref.digest()));
  if (ref.tag()) {
    SIGIL_FUZZ_CHECK(sigil::oci::is_valid_tag(*ref.tag()));
  }
  if (ref.digest()) {
    SIGIL_FUZZ_CHECK(ref.digest()->is_valid());
    SIGIL_FUZZ_CHECK(ref.identifier() == ref.digest()->str());
    SIGIL_FUZZ_CHECK(sigil::oci::is_valid_tag(sigil::oci::signature_tag(*ref.digest(), "att")));
    SIGIL_FUZZ_CHECK(sigil::oci::is_valid_tag(sigil::oci::signature_tag(*ref.digest(), "")));
  } else {
    SIGIL_FUZZ_CHECK(ref.identifier() == *ref.tag());
  }
  if (ref.is_docker_hub()) {
    SIGIL_FUZZ_CHECK(ref.repository().find('/') != std::string::npos); // "library/x" at least
  }
  const std::string host = ref.host();
  SIGIL_FUZZ_CHECK(!host.empty() && ref.registry().starts_with(host));
  if (host.size() == ref.registry().size()) {
    SIGIL_FUZZ_CHECK(!ref.port().has_value());
  } else {
    SIGIL_FUZZ_CHECK(ref.registry()[host.size()] == ':' && ref.port().has_value() && *ref.port() != 0);
  }
  SIGIL_FUZZ_CHECK(!ref.api_host().empty());
}

void check_rewrites(const Reference& ref)
{
  const Digest digest{DigestAlgorithm::sha512, std::string(128, 'e')};
  const Reference by_digest = ref.with_digest(digest);
  SIGIL_FUZZ_CHECK(by_digest.name() == ref.name() && by_digest.digest() == digest && !by_digest.tag());
  check_reparse(by_digest);
  const Reference by_tag = ref.with_tag("v1.0_rc-2");
  SIGIL_FUZZ_CHECK(by_tag.name() == ref.name() && !by_tag.digest() && by_tag.identifier() == "v1.0_rc-2");
  check_reparse(by_tag);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = sigil::fuzz::as_text(data, size);
  check_digest(text);
  auto ref = Reference::parse(text);
  if (!ref) {
    SIGIL_FUZZ_CHECK(ref.error().code == ErrorCode::usage && !ref.error().message.empty());
    return 0;
  }
  check_parts(*ref);
  check_reparse(*ref);
  check_rewrites(*ref);
  return 0;
}
