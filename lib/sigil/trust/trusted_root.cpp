#include "sigil/trust/trusted_root.hpp"

#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/pem.hpp"
#include "sigil/util/time.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace sigil::trust {

namespace {

using util::Json;

constexpr std::array<std::string_view, 3> k_media_types{
  "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
  "application/vnd.dev.sigstore.trustedroot+json;version=0.2",
  "application/vnd.dev.sigstore.trustedroot.v0.2+json",
};

struct KeyType {
  std::string_view details;
  crypto::KeyAlgorithm algorithm;
};

// keyDetails values sigil verifies with (protobuf-specs PublicKeyDetails). PKIX_RSA_PKCS1V5 is
// the deprecated generic name for a PKIX RSA PKCS#1 v1.5 key.
constexpr std::array<KeyType, 9> k_key_types{{
  {"PKIX_ECDSA_P256_SHA_256", crypto::KeyAlgorithm::ecdsa_p256},
  {"PKIX_ECDSA_P384_SHA_384", crypto::KeyAlgorithm::ecdsa_p384},
  {"PKIX_ECDSA_P521_SHA_512", crypto::KeyAlgorithm::ecdsa_p521},
  {"PKIX_ED25519", crypto::KeyAlgorithm::ed25519},
  {"PKIX_RSA_PKCS1V15_2048_SHA256", crypto::KeyAlgorithm::rsa},
  {"PKIX_RSA_PKCS1V15_3072_SHA256", crypto::KeyAlgorithm::rsa},
  {"PKIX_RSA_PKCS1V15_4096_SHA256", crypto::KeyAlgorithm::rsa},
  {"PKIX_RSA_PKCS1V5", crypto::KeyAlgorithm::rsa},
  {"PKCS1_RSA_PKCS1V5", crypto::KeyAlgorithm::rsa},
}};

// Counts logs, authorities and certificates against k_max_trusted_root_entries.
struct Budget {
  std::size_t used = 0;
  Result<void> take(std::size_t n)
  {
    used += n;
    if (used > k_max_trusted_root_entries) {
      return fail(ErrorCode::bad_input,
                  fmt::format("more than {} entries (logs, authorities, certificates)", k_max_trusted_root_entries));
    }
    return {};
  }
};

// A member under its camelCase or snake_case name; nullptr when absent (or JSON null).
Result<const Json*> field(const Json& object, std::string_view camel, std::string_view snake)
{
  const auto a = object.find(camel);
  const auto b = snake == camel ? object.end() : object.find(snake);
  if (a != object.end() && b != object.end()) {
    return fail(ErrorCode::bad_input, fmt::format("field \"{}\" given twice (as \"{}\" too)", camel, snake));
  }
  const auto it = a != object.end() ? a : b;
  if (it == object.end() || it->is_null()) {
    return static_cast<const Json*>(nullptr);
  }
  return &*it;
}

Result<const Json*> object_field(const Json& object, std::string_view camel, std::string_view snake)
{
  SIGIL_TRY_ASSIGN(const Json* value, field(object, camel, snake));
  if (value != nullptr && !value->is_object()) {
    return fail(ErrorCode::bad_input, fmt::format("field \"{}\" must be an object", camel));
  }
  return value;
}

Result<std::optional<std::string>> string_field(const Json& object, std::string_view camel, std::string_view snake)
{
  SIGIL_TRY_ASSIGN(const Json* value, field(object, camel, snake));
  if (value == nullptr) {
    return std::optional<std::string>{};
  }
  if (!value->is_string()) {
    return fail(ErrorCode::bad_input, fmt::format("field \"{}\" must be a string", camel));
  }
  return std::optional<std::string>{value->get_ref<const std::string&>()};
}

Result<util::Bytes> required_bytes(const Json& object, std::string_view camel, std::string_view snake)
{
  SIGIL_TRY_ASSIGN(auto text, string_field(object, camel, snake));
  if (!text) {
    return fail(ErrorCode::bad_input, fmt::format("missing \"{}\"", camel));
  }
  auto bytes = util::base64_decode_any(*text);
  if (!bytes) {
    return fail(bytes.error().context(fmt::format("field \"{}\"", camel)));
  }
  return bytes;
}

enum class Bound { start, end };

Result<std::optional<std::int64_t>> time_field(const Json& object, std::string_view name, Bound bound)
{
  SIGIL_TRY_ASSIGN(auto text, string_field(object, name, name));
  if (!text) {
    return std::optional<std::int64_t>{};
  }
  const auto time = util::parse_rfc3339(*text);
  if (!time) {
    return fail(ErrorCode::bad_input, fmt::format("field \"{}\" is not an RFC 3339 time", name));
  }
  // Whole seconds inside the interval: a fractional start rounds up, a fractional end down.
  const std::int64_t seconds = time->seconds + (bound == Bound::start && time->fractional ? 1 : 0);
  return std::optional<std::int64_t>{seconds};
}

Result<Validity> parse_validity(const Json* valid_for)
{
  Validity out;
  if (valid_for == nullptr) {
    return out;
  }
  SIGIL_TRY_ASSIGN(out.start, time_field(*valid_for, "start", Bound::start));
  SIGIL_TRY_ASSIGN(out.end, time_field(*valid_for, "end", Bound::end));
  return out;
}

Result<std::optional<crypto::PublicKey>> parse_log_key(util::ByteView raw, std::string_view details)
{
  const auto type = std::ranges::find(k_key_types, details, &KeyType::details);
  if (type == k_key_types.end()) {
    return std::optional<crypto::PublicKey>{};
  }
  auto key = details == "PKCS1_RSA_PKCS1V5" ? crypto::PublicKey::from_pem(util::encode_pem("RSA PUBLIC KEY", raw))
                                            : crypto::PublicKey::from_der(raw);
  if (!key) {
    return fail(key.error().context(fmt::format("public key ({})", details)));
  }
  if (key->algorithm() != type->algorithm) {
    return fail(ErrorCode::bad_input, fmt::format("public key is {}, but keyDetails says {}",
                                                  crypto::key_algorithm_name(key->algorithm()), details));
  }
  return std::optional<crypto::PublicKey>{std::move(*key)};
}

Result<TransparencyLog> parse_log(const Json& json)
{
  if (!json.is_object()) {
    return fail(ErrorCode::bad_input, "not an object");
  }
  TransparencyLog log;
  SIGIL_TRY_ASSIGN(auto base_url, string_field(json, "baseUrl", "base_url"));
  SIGIL_TRY_ASSIGN(auto hash_algorithm, string_field(json, "hashAlgorithm", "hash_algorithm"));
  log.base_url = base_url.value_or("");
  log.hash_algorithm = hash_algorithm.value_or("");
  SIGIL_TRY_ASSIGN(const Json* log_id, object_field(json, "logId", "log_id"));
  if (log_id == nullptr) {
    return fail(ErrorCode::bad_input, "missing \"logId\"");
  }
  SIGIL_TRY_ASSIGN(log.key_id, required_bytes(*log_id, "keyId", "key_id"));
  SIGIL_TRY_ASSIGN(const Json* key, object_field(json, "publicKey", "public_key"));
  if (key == nullptr) {
    return fail(ErrorCode::bad_input, "missing \"publicKey\"");
  }
  SIGIL_TRY_ASSIGN(log.public_key_der, required_bytes(*key, "rawBytes", "raw_bytes"));
  SIGIL_TRY_ASSIGN(auto details, string_field(*key, "keyDetails", "key_details"));
  log.key_details = details.value_or("");
  SIGIL_TRY_ASSIGN(log.key, parse_log_key(log.public_key_der, log.key_details));
  SIGIL_TRY_ASSIGN(const Json* valid_for, object_field(*key, "validFor", "valid_for"));
  if (valid_for == nullptr) {
    return log; // no window at all: valid at every time (sigstore-js's roots; protobuf-specs allows it)
  }
  SIGIL_TRY_ASSIGN(log.valid_for, parse_validity(valid_for));
  if (!log.valid_for.start) { // a window without its start is a mistake (sigstore-conformance)
    return fail(ErrorCode::bad_input, "missing \"publicKey.validFor.start\"");
  }
  return log;
}

Result<CertificateAuthority> parse_authority(const Json& json, Budget& budget)
{
  if (!json.is_object()) {
    return fail(ErrorCode::bad_input, "not an object");
  }
  CertificateAuthority ca;
  SIGIL_TRY_ASSIGN(auto uri, string_field(json, "uri", "uri"));
  ca.uri = uri.value_or("");
  SIGIL_TRY_ASSIGN(const Json* chain, object_field(json, "certChain", "cert_chain"));
  SIGIL_TRY_ASSIGN(const Json* certs, chain == nullptr ? Result<const Json*>(nullptr)
                                                       : field(*chain, "certificates", "certificates"));
  if (certs == nullptr || !certs->is_array() || certs->empty()) {
    return fail(ErrorCode::bad_input, "\"certChain.certificates\" is missing or empty");
  }
  SIGIL_TRY(budget.take(certs->size()));
  std::vector<util::Bytes> ders;
  for (std::size_t i = 0; i < certs->size(); ++i) {
    const Json& entry = (*certs)[i];
    auto der = entry.is_object() ? required_bytes(entry, "rawBytes", "raw_bytes")
                                 : Result<util::Bytes>(fail(ErrorCode::bad_input, "not an object"));
    if (!der) {
      return fail(der.error().context(fmt::format("certificate {}", i)));
    }
    ders.push_back(std::move(*der));
  }
  ca.chain = CertificateChain::from_der(std::move(ders), ""); // decoded when used (trusted_root.hpp)
  SIGIL_TRY_ASSIGN(const Json* valid_for, object_field(json, "validFor", "valid_for"));
  SIGIL_TRY_ASSIGN(ca.valid_for, parse_validity(valid_for));
  return ca;
}

template <typename T, typename Parse>
Result<std::vector<T>> parse_list(const Json& root, std::string_view camel, std::string_view snake, Budget& budget,
                                  Parse parse)
{
  std::vector<T> out;
  SIGIL_TRY_ASSIGN(const Json* list, field(root, camel, snake));
  if (list == nullptr) {
    return out;
  }
  if (!list->is_array()) {
    return fail(ErrorCode::bad_input, fmt::format("field \"{}\" must be an array", camel));
  }
  SIGIL_TRY(budget.take(list->size()));
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto item = parse((*list)[i]);
    if (!item) {
      return fail(item.error().context(fmt::format("{}[{}]", camel, i)));
    }
    out.push_back(std::move(*item));
  }
  return out;
}

std::vector<const TransparencyLog*> by_key_id(const std::vector<TransparencyLog>& logs, util::ByteView key_id)
{
  std::vector<const TransparencyLog*> out;
  for (const auto& log : logs) {
    if (std::ranges::equal(log.key_id, key_id)) {
      out.push_back(&log);
    }
  }
  return out;
}

} // namespace

bool Validity::contains(std::int64_t t) const
{
  return (!start || t >= *start) && (!end || t <= *end);
}

std::string TransparencyLog::origin() const
{
  std::string_view url = base_url;
  for (const std::string_view scheme : {"https://", "http://"}) {
    if (url.starts_with(scheme)) {
      url.remove_prefix(scheme.size());
      break;
    }
  }
  url = url.substr(0, url.find_first_of("/?#")); // the authority
  if (const std::size_t at = url.rfind('@'); at != std::string_view::npos) {
    url.remove_prefix(at + 1);
  }
  if (url.starts_with('[')) { // an IPv6 literal: Go's Hostname() drops the brackets
    return std::string(url.substr(1, url.find(']') == std::string_view::npos ? std::string_view::npos : url.find(']') - 1));
  }
  return std::string(url.substr(0, url.find(':')));
}

std::vector<const TransparencyLog*> TrustedRoot::tlogs_by_key_id(util::ByteView key_id) const
{
  return by_key_id(tlogs, key_id);
}

std::vector<const TransparencyLog*> TrustedRoot::ctlogs_by_key_id(util::ByteView key_id) const
{
  return by_key_id(ctlogs, key_id);
}

std::string_view key_details_for(crypto::KeyAlgorithm alg)
{
  switch (alg) {
  case crypto::KeyAlgorithm::ecdsa_p256: return "PKIX_ECDSA_P256_SHA_256";
  case crypto::KeyAlgorithm::ecdsa_p384: return "PKIX_ECDSA_P384_SHA_384";
  case crypto::KeyAlgorithm::ecdsa_p521: return "PKIX_ECDSA_P521_SHA_512";
  case crypto::KeyAlgorithm::ed25519: return "PKIX_ED25519";
  case crypto::KeyAlgorithm::rsa: return "PKIX_RSA_PKCS1V5";
  }
  return "";
}

Result<TrustedRoot> parse_trusted_root(std::string_view json)
{
  if (json.size() > k_max_trusted_root_size) {
    return fail(ErrorCode::bad_input, fmt::format("trusted root is {} bytes, more than the limit of {}", json.size(),
                                                  k_max_trusted_root_size));
  }
  auto parsed = util::parse_json(json);
  if (!parsed || !parsed->is_object()) {
    return fail(ErrorCode::bad_input,
                fmt::format("trusted root: {}", parsed ? "not a JSON object" : parsed.error().message));
  }
  const Json& root = *parsed;
  TrustedRoot out;
  auto media_type = string_field(root, "mediaType", "media_type");
  if (!media_type || !*media_type || std::ranges::find(k_media_types, **media_type) == k_media_types.end()) {
    const std::string given = media_type && *media_type ? **media_type : std::string("(none)");
    return fail(ErrorCode::bad_input, fmt::format("trusted root: unsupported media type {}", given));
  }
  out.media_type = **media_type;
  Budget budget;
  auto result = [&]() -> Result<void> {
    SIGIL_TRY_ASSIGN(out.tlogs, parse_list<TransparencyLog>(root, "tlogs", "tlogs", budget, parse_log));
    SIGIL_TRY_ASSIGN(out.ctlogs, parse_list<TransparencyLog>(root, "ctlogs", "ctlogs", budget, parse_log));
    const auto authority = [&](const Json& j) { return parse_authority(j, budget); };
    SIGIL_TRY_ASSIGN(out.certificate_authorities,
                     parse_list<CertificateAuthority>(root, "certificateAuthorities", "certificate_authorities",
                                                      budget, authority));
    SIGIL_TRY_ASSIGN(out.timestamp_authorities,
                     parse_list<CertificateAuthority>(root, "timestampAuthorities", "timestamp_authorities", budget,
                                                      authority));
    for (std::size_t i = 0; i < out.certificate_authorities.size(); ++i) {
      out.certificate_authorities[i].chain.set_where(fmt::format("trusted root: certificateAuthorities[{}]", i));
    }
    for (std::size_t i = 0; i < out.timestamp_authorities.size(); ++i) {
      out.timestamp_authorities[i].chain.set_where(fmt::format("trusted root: timestampAuthorities[{}]", i));
    }
    return {};
  }();
  if (!result) {
    return fail(result.error().context("trusted root"));
  }
  return out;
}

Result<CertificateAuthority> parse_certificate_authority(std::string_view json)
{
  if (json.size() > k_max_trusted_root_size) {
    return fail(ErrorCode::bad_input, "certificate authority: more than 1 MiB of JSON");
  }
  auto parsed = util::parse_json(json);
  if (!parsed) {
    return fail(parsed.error().context("certificate authority"));
  }
  Budget budget;
  auto ca = parse_authority(*parsed, budget);
  if (!ca) {
    return fail(ca.error().context("certificate authority"));
  }
  ca->chain.set_where("certificate authority");
  return ca;
}

Result<TrustedRoot> load_trusted_root_file(const std::string& path)
{
  auto text = util::read_file(path, k_max_trusted_root_size);
  if (!text) {
    return fail(text.error().context(fmt::format("reading trusted root {}", path)));
  }
  auto root = parse_trusted_root(*text);
  if (!root) {
    return fail(root.error().context(path));
  }
  return root;
}

} // namespace sigil::trust
