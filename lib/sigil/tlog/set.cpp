#include "sigil/tlog/set.hpp"

#include "sigil/crypto/signature.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"

namespace sigil::tlog {

Result<std::string> set_payload(const Entry& entry)
{
  if (!entry.integrated_time) {
    return fail(ErrorCode::bad_input, "the log entry has no integrated time for its signed entry timestamp");
  }
  // util::Json keeps object keys sorted (std::map, byte order: the RFC 8785 order for these
  // ASCII keys) and dump_json writes it without spaces, escaping strings as RFC 8785 does.
  util::Json payload = util::Json::object();
  payload["body"] = util::base64_encode(entry.canonicalized_body);
  payload["integratedTime"] = *entry.integrated_time;
  payload["logID"] = util::hex_encode(entry.log_id);
  payload["logIndex"] = entry.log_index;
  return util::dump_json(payload);
}

Result<void> verify_set(const Entry& entry, const crypto::PublicKey& log_key)
{
  if (!entry.signed_entry_timestamp || entry.signed_entry_timestamp->empty()) {
    return fail(ErrorCode::bad_input, "the log entry has no signed entry timestamp");
  }
  SIGIL_TRY_ASSIGN(auto payload, set_payload(entry));
  if (!crypto::verify_message(log_key, util::as_bytes(payload), *entry.signed_entry_timestamp)) {
    return fail(ErrorCode::bad_input, "signed entry timestamp does not verify with the log key");
  }
  return {};
}

} // namespace sigil::tlog
