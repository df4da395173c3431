#include "sigil/tlog/body.hpp"

#include "sigil/tlog/entry.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json_strict.hpp"
#include "sigil/util/pem.hpp"

#include <fmt/format.h>

namespace sigil::tlog {

namespace {

using util::Json;

struct Verifier {
  util::Bytes der;
  bool is_certificate = false;
};

std::unexpected<Error> bad(std::string message)
{
  return fail(ErrorCode::bad_input, std::move(message));
}

// Adds the path of the member being read to the error of a failed step.
template <typename T> Result<T> at(Result<T> result, std::string_view path)
{
  if (!result) {
    return fail(result.error().context(path));
  }
  return result;
}

Result<const Json*> object_at(const Json& node, std::string_view key)
{
  return util::json_object(node, key);
}

// {"algorithm": "sha256", "value": "<hex>"} (Rekor v1 types).
Result<std::pair<crypto::HashAlgorithm, util::Bytes>> hex_hash(const Json& node)
{
  SIGIL_TRY_ASSIGN(auto name, util::json_string(node, "algorithm"));
  SIGIL_TRY_ASSIGN(auto value, util::json_string(node, "value"));
  crypto::HashAlgorithm alg = crypto::HashAlgorithm::sha256;
  if (name == "sha384") {
    alg = crypto::HashAlgorithm::sha384;
  } else if (name == "sha512") {
    alg = crypto::HashAlgorithm::sha512;
  } else if (name != "sha256") {
    return bad(fmt::format("unknown hash algorithm \"{}\"", name));
  }
  SIGIL_TRY_ASSIGN(auto digest, util::hex_decode(value));
  if (digest.size() != crypto::digest_size(alg)) {
    return bad(fmt::format("a {} digest of {} bytes", name, digest.size()));
  }
  return std::pair{alg, std::move(digest)};
}

// HashOutput {"algorithm": "SHA2_256", "digest": "<base64>"} (protobuf-specs common v1).
Result<std::pair<crypto::HashAlgorithm, util::Bytes>> hash_output(const Json& node)
{
  SIGIL_TRY_ASSIGN(auto name, util::json_string(node, "algorithm"));
  const auto alg = crypto::parse_sigstore_hash_name(name);
  if (!alg) {
    return bad(fmt::format("unknown hash algorithm \"{}\"", name));
  }
  SIGIL_TRY_ASSIGN(auto digest, util::json_base64(node, "digest", util::Base64Alphabet::any));
  if (digest.size() != crypto::digest_size(*alg)) {
    return bad(fmt::format("a {} digest of {} bytes", name, digest.size()));
  }
  return std::pair{*alg, std::move(digest)};
}

Result<util::Bytes> sha256_only(Result<std::pair<crypto::HashAlgorithm, util::Bytes>> hash)
{
  // Read in place (no move of the pair out of the expected): GCC 12 reports the moved-from
  // vector as maybe-uninitialized under some inlining (a false positive, GCC bug 105651 family).
  if (!hash) {
    return std::unexpected(std::move(hash.error()));
  }
  if (hash->first != crypto::HashAlgorithm::sha256) {
    return bad("not a SHA-256 hash");
  }
  return std::move(hash->second);
}

// Base64 of a PEM certificate or public key, as Rekor v1 logs verifiers.
Result<Verifier> pem_verifier(const Json& node, std::string_view key)
{
  SIGIL_TRY_ASSIGN(auto pem, util::json_base64(node, key, util::Base64Alphabet::standard));
  SIGIL_TRY_ASSIGN(auto blocks, util::parse_pem(util::as_chars(pem)));
  const util::PemBlock& block = blocks.front();
  if (block.type != "CERTIFICATE" && block.type != "PUBLIC KEY") {
    return bad(fmt::format("field \"{}\" holds a PEM \"{}\", not a certificate or public key", key, block.type));
  }
  const util::ByteView der = block.der.view();
  return Verifier{util::Bytes(der.begin(), der.end()), block.type == "CERTIFICATE"};
}

// Verifier {x509Certificate{rawBytes} | publicKey{rawBytes}, keyDetails} (rekor v2).
Result<Verifier> proto_verifier(const Json& node)
{
  SIGIL_TRY_ASSIGN(const Json* cert, util::json_optional_object(node, "x509Certificate"));
  SIGIL_TRY_ASSIGN(const Json* key, util::json_optional_object(node, "publicKey"));
  if ((cert == nullptr) == (key == nullptr)) {
    return bad("the verifier must hold exactly one of x509Certificate and publicKey");
  }
  const bool is_certificate = cert != nullptr;
  SIGIL_TRY_ASSIGN(auto der, util::json_base64(is_certificate ? *cert : *key, "rawBytes", util::Base64Alphabet::any));
  if (der.empty()) {
    return bad("the verifier's rawBytes are empty");
  }
  return Verifier{std::move(der), is_certificate};
}

Result<void> hashedrekord_v001(const Json& spec, BodyClaims& out)
{
  SIGIL_TRY_ASSIGN(const Json* signature, at(object_at(spec, "signature"), "spec"));
  SIGIL_TRY_ASSIGN(out.signature,
                   at(util::json_base64(*signature, "content", util::Base64Alphabet::standard), "spec.signature"));
  SIGIL_TRY_ASSIGN(const Json* public_key, at(object_at(*signature, "publicKey"), "spec.signature"));
  SIGIL_TRY_ASSIGN(auto verifier, at(pem_verifier(*public_key, "content"), "spec.signature.publicKey"));
  out.verifier_der = std::move(verifier.der);
  out.verifier_is_certificate = verifier.is_certificate;
  SIGIL_TRY_ASSIGN(const Json* data, at(object_at(spec, "data"), "spec"));
  SIGIL_TRY_ASSIGN(const Json* hash, at(object_at(*data, "hash"), "spec.data"));
  SIGIL_TRY_ASSIGN(out.artifact_digest, at(hex_hash(*hash), "spec.data.hash"));
  return {};
}

Result<void> hashedrekord_v002(const Json& spec, BodyClaims& out)
{
  SIGIL_TRY_ASSIGN(const Json* entry, at(object_at(spec, "hashedRekordV002"), "spec"));
  SIGIL_TRY_ASSIGN(const Json* data, at(object_at(*entry, "data"), "spec.hashedRekordV002"));
  SIGIL_TRY_ASSIGN(out.artifact_digest, at(hash_output(*data), "spec.hashedRekordV002.data"));
  SIGIL_TRY_ASSIGN(const Json* signature, at(object_at(*entry, "signature"), "spec.hashedRekordV002"));
  SIGIL_TRY_ASSIGN(out.signature, at(util::json_base64(*signature, "content", util::Base64Alphabet::any),
                                     "spec.hashedRekordV002.signature"));
  SIGIL_TRY_ASSIGN(const Json* verifier_node, at(object_at(*signature, "verifier"), "spec.hashedRekordV002.signature"));
  SIGIL_TRY_ASSIGN(auto verifier, at(proto_verifier(*verifier_node), "spec.hashedRekordV002.signature.verifier"));
  out.verifier_der = std::move(verifier.der);
  out.verifier_is_certificate = verifier.is_certificate;
  return {};
}

Result<const Json*> signature_array(const Json& node)
{
  SIGIL_TRY_ASSIGN(const Json* sigs, util::json_array(node, "signatures"));
  if (sigs->empty() || sigs->size() > k_max_body_signatures) {
    return bad(fmt::format("{} signatures (1 to {} allowed)", sigs->size(), k_max_body_signatures));
  }
  for (const Json& sig : *sigs) {
    if (!sig.is_object()) {
      return bad("a signature is not a JSON object");
    }
  }
  return sigs;
}

Result<void> dsse_v001(const Json& spec, BodyClaims& out)
{
  SIGIL_TRY_ASSIGN(const Json* envelope_hash, at(object_at(spec, "envelopeHash"), "spec"));
  SIGIL_TRY_ASSIGN(out.envelope_hash, at(sha256_only(hex_hash(*envelope_hash)), "spec.envelopeHash"));
  SIGIL_TRY_ASSIGN(const Json* payload_hash, at(object_at(spec, "payloadHash"), "spec"));
  SIGIL_TRY_ASSIGN(out.payload_hash, at(sha256_only(hex_hash(*payload_hash)), "spec.payloadHash"));
  SIGIL_TRY_ASSIGN(const Json* sigs, at(signature_array(spec), "spec"));
  for (const Json& sig : *sigs) {
    SIGIL_TRY_ASSIGN(auto bytes,
                     at(util::json_base64(sig, "signature", util::Base64Alphabet::standard), "spec.signatures"));
    SIGIL_TRY_ASSIGN(auto verifier, at(pem_verifier(sig, "verifier"), "spec.signatures"));
    out.dsse_signatures.emplace_back(std::move(bytes), std::move(verifier.der));
  }
  return {};
}

Result<void> dsse_v002(const Json& spec, BodyClaims& out)
{
  SIGIL_TRY_ASSIGN(const Json* entry, at(object_at(spec, "dsseV002"), "spec"));
  SIGIL_TRY_ASSIGN(const Json* payload_hash, at(object_at(*entry, "payloadHash"), "spec.dsseV002"));
  SIGIL_TRY_ASSIGN(out.payload_hash, at(sha256_only(hash_output(*payload_hash)), "spec.dsseV002.payloadHash"));
  SIGIL_TRY_ASSIGN(const Json* sigs, at(signature_array(*entry), "spec.dsseV002"));
  for (const Json& sig : *sigs) {
    SIGIL_TRY_ASSIGN(auto bytes,
                     at(util::json_base64(sig, "content", util::Base64Alphabet::any), "spec.dsseV002.signatures"));
    SIGIL_TRY_ASSIGN(const Json* verifier_node, at(object_at(sig, "verifier"), "spec.dsseV002.signatures"));
    SIGIL_TRY_ASSIGN(auto verifier, at(proto_verifier(*verifier_node), "spec.dsseV002.signatures.verifier"));
    out.dsse_signatures.emplace_back(std::move(bytes), std::move(verifier.der));
  }
  return {};
}

// The envelope signature as intoto 0.0.2 logs it: base64 of the envelope's own base64 text.
Result<util::Bytes> double_base64(const Json& sig)
{
  SIGIL_TRY_ASSIGN(auto once, util::json_base64(sig, "sig", util::Base64Alphabet::standard));
  auto twice = util::base64_decode_any(util::as_chars(once));
  if (!twice) {
    return fail(twice.error().context("field \"sig\" (inner base64)"));
  }
  return twice;
}

Result<void> intoto_v002(const Json& spec, BodyClaims& out)
{
  SIGIL_TRY_ASSIGN(const Json* content, at(object_at(spec, "content"), "spec"));
  SIGIL_TRY_ASSIGN(const Json* hash, at(object_at(*content, "hash"), "spec.content"));
  SIGIL_TRY_ASSIGN(out.envelope_hash, at(sha256_only(hex_hash(*hash)), "spec.content.hash"));
  SIGIL_TRY_ASSIGN(const Json* payload_hash, at(object_at(*content, "payloadHash"), "spec.content"));
  SIGIL_TRY_ASSIGN(out.payload_hash, at(sha256_only(hex_hash(*payload_hash)), "spec.content.payloadHash"));
  SIGIL_TRY_ASSIGN(const Json* envelope, at(object_at(*content, "envelope"), "spec.content"));
  SIGIL_TRY_ASSIGN(const Json* sigs, at(signature_array(*envelope), "spec.content.envelope"));
  for (const Json& sig : *sigs) {
    SIGIL_TRY_ASSIGN(auto bytes, at(double_base64(sig), "spec.content.envelope.signatures"));
    SIGIL_TRY_ASSIGN(auto verifier, at(pem_verifier(sig, "publicKey"), "spec.content.envelope.signatures"));
    out.dsse_signatures.emplace_back(std::move(bytes), std::move(verifier.der));
  }
  return {};
}

Result<void> dispatch(const Json& spec, BodyClaims& out)
{
  const std::string& kind = out.kind;
  const std::string& version = out.version;
  if (kind == "hashedrekord" && version == "0.0.1") {
    return hashedrekord_v001(spec, out);
  }
  if (kind == "hashedrekord" && version == "0.0.2") {
    return hashedrekord_v002(spec, out);
  }
  if (kind == "dsse" && version == "0.0.1") {
    return dsse_v001(spec, out);
  }
  if (kind == "dsse" && version == "0.0.2") {
    return dsse_v002(spec, out);
  }
  if (kind == "intoto" && version == "0.0.2") {
    return intoto_v002(spec, out);
  }
  return bad(fmt::format("unsupported log entry kind {} {}", kind, version));
}

Result<BodyClaims> parse_body_fields(util::ByteView body)
{
  if (body.size() > k_max_body_bytes) {
    return bad(fmt::format("{} bytes, more than the limit of {}", body.size(), k_max_body_bytes));
  }
  SIGIL_TRY_ASSIGN(auto doc, util::parse_json_strict(util::as_chars(body)));
  if (!doc.is_object()) {
    return bad("not a JSON object");
  }
  BodyClaims out;
  SIGIL_TRY_ASSIGN(out.kind, util::json_string(doc, "kind"));
  SIGIL_TRY_ASSIGN(out.version, util::json_string(doc, "apiVersion"));
  SIGIL_TRY_ASSIGN(const Json* spec, util::json_object(doc, "spec"));
  SIGIL_TRY(dispatch(*spec, out));
  return out;
}

} // namespace

Result<BodyClaims> parse_body(util::ByteView canonicalized_body)
{
  auto claims = parse_body_fields(canonicalized_body);
  if (!claims) {
    return fail(claims.error().context("log entry body"));
  }
  return claims;
}

} // namespace sigil::tlog
