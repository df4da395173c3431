#include "sigil/keyless/tsa.hpp"

#include "sigil/crypto/timestamp_request.hpp"
#include "sigil/keyless/service.hpp"

namespace sigil::keyless {

Result<util::Bytes> request_timestamp(http::Transport& transport, const http::Url& tsa, util::ByteView signature,
                                      const ServiceRetry& retry)
{
  SIGIL_TRY_ASSIGN(const auto request, crypto::make_timestamp_request(signature));
  ServicePost call{.service = "timestamp authority"};
  call.url = tsa;
  call.content_type = "application/timestamp-query";
  call.accept = "application/timestamp-reply";
  call.body.assign(util::as_chars(request.der));
  call.max_response_bytes = std::uint64_t{256} << 10;
  SIGIL_TRY_ASSIGN(const auto answer, post(transport, call, retry));
  const auto der = util::as_bytes(answer.body);
  SIGIL_TRY_CONTEXT(crypto::check_timestamp_response(der, request), "timestamp authority");
  return util::Bytes(der.begin(), der.end());
}

} // namespace sigil::keyless
