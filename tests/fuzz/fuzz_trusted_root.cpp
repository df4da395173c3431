// Fuzz target: Sigstore trusted roots (sigil::trust::parse_trusted_root, protobuf-specs
// TrustedRoot JSON) and lone certificate authorities (parse_certificate_authority).
//
// Invariants:
//   * errors are bad_input;
//   * a root that parses respects the caps, every tlog and ctlog has a validFor.start, a key
//     that is set has the algorithm its keyDetails names (key_details_for agrees, or it is a
//     PKCS#1 or PKIX RSA name), every authority lists at least one certificate;
//   * tlogs_by_key_id/ctlogs_by_key_id find each log under its own key id; origin() carries
//     no scheme and no trailing '/'.
#include "fuzz.hpp"

#include "sigil/trust/trusted_root.hpp"

#include <algorithm>

namespace {

void check_logs(const std::vector<sigil::trust::TransparencyLog>& logs, bool ct, const sigil::trust::TrustedRoot& root)
{
  for (const auto& log : logs) {
    // A window has a start; no window at all (no validFor) is valid at every time.
    SIGIL_FUZZ_CHECK(log.valid_for.start.has_value() || !log.valid_for.end.has_value());
    if (log.valid_for.start) {
      SIGIL_FUZZ_CHECK(log.valid_for.contains(*log.valid_for.start) ||
                       (log.valid_for.end && *log.valid_for.end < *log.valid_for.start));
    } else {
      SIGIL_FUZZ_CHECK(log.valid_for.contains(0));
    }
    const auto found = ct ? root.ctlogs_by_key_id(log.key_id) : root.tlogs_by_key_id(log.key_id);
    SIGIL_FUZZ_CHECK(std::find(found.begin(), found.end(), &log) != found.end());
    const std::string origin = log.origin();
    SIGIL_FUZZ_CHECK(!origin.starts_with("https://") && !origin.ends_with('/'));
    if (log.key) {
      const auto expected = sigil::trust::key_details_for(log.key->algorithm());
      SIGIL_FUZZ_CHECK(log.key_details == expected || log.key->algorithm() == sigil::crypto::KeyAlgorithm::rsa);
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = sigil::fuzz::as_text(data, size);
  auto root = sigil::trust::parse_trusted_root(text);
  if (!root) {
    SIGIL_FUZZ_CHECK(root.error().code == sigil::ErrorCode::bad_input);
  } else {
    SIGIL_FUZZ_CHECK(root->tlogs.size() + root->ctlogs.size() + root->certificate_authorities.size() +
                         root->timestamp_authorities.size() <=
                     sigil::trust::k_max_trusted_root_entries);
    check_logs(root->tlogs, false, *root);
    check_logs(root->ctlogs, true, *root);
    for (const auto& ca : root->certificate_authorities) {
      SIGIL_FUZZ_CHECK(!ca.chain.empty());
    }
    for (const auto& ca : root->timestamp_authorities) {
      SIGIL_FUZZ_CHECK(!ca.chain.empty());
    }
    // Certificates are decoded on first use: every one parses, or the error is bad_input.
    const auto checked = sigil::trust::check_certificates(*root);
    SIGIL_FUZZ_CHECK(checked || checked.error().code == sigil::ErrorCode::bad_input);
  }
  auto ca = sigil::trust::parse_certificate_authority(text);
  SIGIL_FUZZ_CHECK(ca.has_value() ? !ca->chain.empty() : ca.error().code == sigil::ErrorCode::bad_input);
  return 0;
}
