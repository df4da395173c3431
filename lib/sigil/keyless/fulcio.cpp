#include "sigil/keyless/fulcio.hpp"

#include "sigil/crypto/signature.hpp"
#include "sigil/keyless/service.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/go_json.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/pem.hpp"
#include "sigil/util/redact.hpp"
#include "sigil/util/secure_bytes.hpp"

#include <fmt/format.h>

namespace sigil::keyless {

namespace {

constexpr std::size_t k_max_chain = 10;

Error answer_error(std::string_view why)
{
  return Error{ErrorCode::bad_input, fmt::format("fulcio: unusable answer: {}", why)};
}

Result<CertificateChain> chain_from_pems(const std::vector<std::string>& pems)
{
  if (pems.empty()) {
    return fail(answer_error("no certificate"));
  }
  if (pems.size() > k_max_chain) {
    return fail(answer_error(fmt::format("{} certificates (at most {})", pems.size(), k_max_chain)));
  }
  CertificateChain chain;
  for (const auto& text : pems) {
    auto blocks = util::parse_pem(text);
    if (!blocks) {
      return fail(answer_error(blocks.error().message));
    }
    for (const auto& block : *blocks) {
      if (block.type != "CERTIFICATE") {
        return fail(answer_error(fmt::format("a PEM block of type \"{}\"", block.type)));
      }
      const auto der = block.der.view();
      chain.der.emplace_back(der.begin(), der.end());
      chain.pem.push_back(util::encode_pem("CERTIFICATE", der));
    }
  }
  if (chain.der.size() > k_max_chain) {
    return fail(answer_error(fmt::format("{} certificates (at most {})", chain.der.size(), k_max_chain)));
  }
  return chain;
}

Result<std::vector<std::string>> certificate_strings(const util::Json& signed_certificate)
{
  SIGIL_TRY_ASSIGN(const util::Json* chain, util::json_object(signed_certificate, "chain"));
  SIGIL_TRY_ASSIGN(const util::Json* certificates, util::json_array(*chain, "certificates"));
  std::vector<std::string> out;
  for (const auto& c : *certificates) {
    if (!c.is_string()) {
      return fail(answer_error("a certificate that is not a string"));
    }
    if (out.size() >= k_max_chain) {
      return fail(answer_error(fmt::format("more than {} certificates", k_max_chain)));
    }
    out.push_back(c.get<std::string>());
  }
  return out;
}

} // namespace

std::string fulcio_v2_body(std::string_view token, std::string_view public_key_pem, util::ByteView proof)
{
  return fmt::format(R"({{"credentials":{{"oidcIdentityToken":{}}},"publicKeyRequest":{{"publicKey":{{"algorithm":)"
                     R"("ECDSA","content":{}}},"proofOfPossession":"{}"}}}})",
                     util::go_json_quote(token), util::go_json_quote(public_key_pem), util::base64_encode(proof));
}

std::string fulcio_v1_body(std::string_view public_key_pem, util::ByteView proof)
{
  return fmt::format(R"({{"publicKey":{{"content":"{}"}},"signedEmailAddress":"{}","certificateSigningRequest":null}})",
                     util::base64_encode(util::as_bytes(public_key_pem)), util::base64_encode(proof));
}

Result<CertificateChain> parse_fulcio_v2_answer(std::string_view json)
{
  auto parsed = util::parse_json(json);
  if (!parsed || !parsed->is_object()) {
    return fail(answer_error("not a JSON object"));
  }
  if (auto embedded = util::json_optional_object(*parsed, "signedCertificateEmbeddedSct"); embedded && *embedded) {
    auto pems = certificate_strings(**embedded);
    if (!pems) {
      return fail(answer_error(pems.error().message));
    }
    return chain_from_pems(*pems);
  }
  if (auto detached = util::json_optional_object(*parsed, "signedCertificateDetachedSct"); detached && *detached) {
    auto pems = certificate_strings(**detached);
    if (!pems) {
      return fail(answer_error(pems.error().message));
    }
    SIGIL_TRY_ASSIGN(auto chain, chain_from_pems(*pems));
    auto sct = util::json_base64(**detached, "signedCertificateTimestamp", util::Base64Alphabet::standard);
    if (!sct) {
      return fail(answer_error(sct.error().message));
    }
    chain.detached_sct = std::move(*sct);
    return chain;
  }
  return fail(answer_error("neither signedCertificateEmbeddedSct nor signedCertificateDetachedSct"));
}

Result<CertificateChain> parse_pem_chain(std::string_view pem)
{
  return chain_from_pems({std::string(pem)});
}

Result<CertificateChain> request_certificate(http::Transport& transport, const FulcioRequest& r)
{
  SIGIL_TRY_ASSIGN(const auto proof, crypto::sign_message(r.key, util::as_bytes(r.token.challenge()),
                                                          crypto::HashAlgorithm::sha256));
  const std::string pem = r.key.public_key().pem();
  ServicePost call{.service = "fulcio"};
  switch (r.api) {
  case FulcioApi::v2:
    call.url = endpoint(r.base, "/api/v2/signingCert");
    call.content_type = "application/json";
    call.accept = "application/json";
    call.body = fulcio_v2_body(r.token.raw(), pem, proof);
    break;
  case FulcioApi::v1: {
    call.url = endpoint(r.base, "/api/v1/signingCert");
    call.content_type = "application/json";
    call.accept = "application/pem-certificate-chain";
    call.body = fulcio_v1_body(pem, proof);
    std::string bearer = fmt::format("Bearer {}", r.token.raw());
    util::remember_secret(bearer);
    call.headers.push_back({"Authorization", std::move(bearer)});
    break;
  }
  }
  auto answer = post(transport, call, r.retry);
  util::wipe(call.body);
  for (auto& h : call.headers) {
    util::wipe(h.value);
  }
  SIGIL_TRY(answer);
  switch (r.api) {
  case FulcioApi::v2: return parse_fulcio_v2_answer(answer->body);
  case FulcioApi::v1: return parse_pem_chain(answer->body);
  }
  return fail(ErrorCode::internal, "fulcio: unknown API version");
}

} // namespace sigil::keyless
