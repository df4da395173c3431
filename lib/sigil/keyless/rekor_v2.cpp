#include "sigil/keyless/rekor_v2.hpp"

#include "sigil/keyless/service.hpp"
#include "sigil/tlog/entry.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"

#include <fmt/format.h>

namespace sigil::keyless {

namespace {

struct Algorithm {
  std::string_view key_details; // protobuf-specs PublicKeyDetails
  std::string_view hash;        // protobuf-specs HashAlgorithm
  std::size_t digest_size = 0;
};

// What rekor-tiles' default algorithm registry accepts for hashedrekord with these keys.
Result<Algorithm> algorithm_of(const HashedRekordV2& e)
{
  Algorithm a;
  switch (e.key_algorithm) {
  case crypto::KeyAlgorithm::ecdsa_p256: a = {"PKIX_ECDSA_P256_SHA_256", "SHA2_256", 32}; break;
  case crypto::KeyAlgorithm::ecdsa_p384: a = {"PKIX_ECDSA_P384_SHA_384", "SHA2_384", 48}; break;
  case crypto::KeyAlgorithm::ecdsa_p521: a = {"PKIX_ECDSA_P521_SHA_512", "SHA2_512", 64}; break;
  case crypto::KeyAlgorithm::ed25519:
  case crypto::KeyAlgorithm::rsa:
    return fail(ErrorCode::usage, fmt::format("Rekor v2: a {} key cannot be logged as hashedrekord 0.0.2 by sigil "
                                              "(ECDSA only)",
                                              crypto::key_algorithm_name(e.key_algorithm)));
  }
  if (e.digest.size() != a.digest_size) {
    return fail(ErrorCode::bad_input, fmt::format("Rekor v2: a digest of {} bytes for {} (expected {})", e.digest.size(),
                                                  a.key_details, a.digest_size));
  }
  return a;
}

Error answer_error(std::string_view why)
{
  return Error{ErrorCode::bad_input, fmt::format("rekor: unusable answer: {}", why)};
}

} // namespace

Result<std::string> hashedrekord_v002_request(const HashedRekordV2& e)
{
  SIGIL_TRY_ASSIGN(const auto alg, algorithm_of(e));
  return fmt::format(R"({{"hashedRekordRequestV002":{{"digest":"{}","signature":{{"content":"{}",)"
                     R"("verifier":{{"x509Certificate":{{"rawBytes":"{}"}},"keyDetails":"{}"}}}}}}}})",
                     util::base64_encode(e.digest), util::base64_encode(e.signature),
                     util::base64_encode(e.certificate_der), alg.key_details);
}

Result<util::Bytes> hashedrekord_v002_body(const HashedRekordV2& e)
{
  SIGIL_TRY_ASSIGN(const auto alg, algorithm_of(e));
  // RFC 8785: members sorted by name; every value here is ASCII that needs no escape.
  const std::string body =
    fmt::format(R"({{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{{"hashedRekordV002":{{"data":{{)"
                R"("algorithm":"{}","digest":"{}"}},"signature":{{"content":"{}","verifier":{{"keyDetails":"{}",)"
                R"("x509Certificate":{{"rawBytes":"{}"}}}}}}}}}}}})",
                alg.hash, util::base64_encode(e.digest), util::base64_encode(e.signature), alg.key_details,
                util::base64_encode(e.certificate_der));
  return util::to_bytes(body);
}

Result<LogEntry> parse_v2_answer(std::string_view json)
{
  auto parsed = util::parse_json(json);
  if (!parsed || !parsed->is_object()) {
    return fail(answer_error("not a JSON object"));
  }
  auto entry = tlog::parse_bundle_entry(*parsed);
  if (!entry) {
    return fail(answer_error(entry.error().message));
  }
  LogEntry out;
  out.kind = std::move(entry->kind);
  out.api_version = std::move(entry->version);
  out.body = std::move(entry->canonicalized_body);
  out.log_index = entry->log_index;
  out.log_id = std::move(entry->log_id);
  // Rekor v2 gives neither: an integratedTime or a SET in the answer would be unsigned or
  // unchecked extras, and the bundle must not carry them.
  if (entry->integrated_time || entry->signed_entry_timestamp) {
    return fail(answer_error("a Rekor v2 entry with an integratedTime or inclusionPromise"));
  }
  if (auto& p = entry->inclusion_proof) {
    out.inclusion_proof = InclusionProof{p->log_index, p->tree_size, std::move(p->root_hash), std::move(p->hashes),
                                         p->checkpoint.value_or("")};
  }
  return out;
}

Result<LogEntry> upload_entry_v2(http::Transport& transport, const http::Url& rekor, std::string request,
                                 const ServiceRetry& retry)
{
  ServicePost call{.service = "rekor"};
  call.url = endpoint(rekor, "/api/v2/log/entries");
  call.content_type = "application/json";
  call.accept = "application/json";
  call.body = std::move(request);
  SIGIL_TRY_ASSIGN(auto answer, post(transport, call, retry));
  return parse_v2_answer(answer.body);
}

} // namespace sigil::keyless
