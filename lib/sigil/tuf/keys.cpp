// Keys, signatures and thresholds of TUF metadata (metadata.hpp), and file checks.
#include "sigil/tuf/metadata.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/signature.hpp"
#include "sigil/util/encoding.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>

namespace sigil::tuf {

namespace {

// SubjectPublicKeyInfo of an Ed25519 key, before its 32 bytes (RFC 8410).
constexpr std::array<std::uint8_t, 12> k_ed25519_spki_prefix{0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                             0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

std::optional<crypto::PublicKey> usable_key(std::string_view keytype, std::string_view scheme,
                                            const std::string& material)
{
  if ((keytype == "ecdsa" || keytype == "ecdsa-sha2-nistp256") && scheme == "ecdsa-sha2-nistp256") {
    auto key = crypto::PublicKey::from_pem(material);
    if (key && key->algorithm() == crypto::KeyAlgorithm::ecdsa_p256) {
      return std::move(*key);
    }
  } else if (keytype == "ed25519" && scheme == "ed25519") {
    const auto raw = util::hex_decode(material);
    if (raw && raw->size() == 32) {
      util::Bytes der(k_ed25519_spki_prefix.begin(), k_ed25519_spki_prefix.end());
      der.insert(der.end(), raw->begin(), raw->end());
      auto key = crypto::PublicKey::from_der(der);
      if (key) {
        return std::move(*key);
      }
    }
  } else if (keytype == "rsa" && scheme == "rsassa-pss-sha256") {
    auto key = crypto::PublicKey::from_pem(material);
    if (key && key->algorithm() == crypto::KeyAlgorithm::rsa) {
      return std::move(*key);
    }
  }
  return std::nullopt;
}

bool verifies(const Key& key, util::ByteView message, util::ByteView sig)
{
  if (!key.key || sig.empty()) {
    return false;
  }
  if (key.scheme == "rsassa-pss-sha256") {
    return crypto::verify_rsa_pss_sha256(*key.key, message, sig);
  }
  return crypto::verify_message(*key.key, message, sig); // ECDSA P-256 over SHA-256, Ed25519 pure
}

util::ByteView view(std::string_view s)
{
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

} // namespace

Result<Key> parse_key(const util::Json& value, std::string_view what)
{
  if (!value.is_object()) {
    return fail(ErrorCode::bad_input, fmt::format("{}: a key is not an object", what));
  }
  Key out;
  const auto str = [&](std::string_view name) {
    const auto it = value.find(name);
    return it != value.end() && it->is_string() ? it->get<std::string>() : std::string{};
  };
  out.keytype = str("keytype");
  out.scheme = str("scheme");
  const auto keyval = value.find("keyval");
  if (keyval != value.end() && keyval->is_object()) {
    const auto pub = keyval->find("public");
    if (pub != keyval->end() && pub->is_string()) {
      out.key = usable_key(out.keytype, out.scheme, pub->get<std::string>());
    }
  }
  return out;
}

std::size_t count_signatures(const Envelope& meta, const KeyMap& keys, const RoleKeys& role, std::size_t enough)
{
  const std::set<std::string> role_ids(role.keyids.begin(), role.keyids.end());
  std::set<std::string> counted_ids;
  // One public key under two key ids counts once. Keys are compared as keys (EVP_PKEY_eq), not
  // by their encoding: a P-256 point written compressed under one id and uncompressed under
  // another is the same key.
  std::vector<const crypto::PublicKey*> counted_keys;
  const auto already_counted = [&counted_keys](const crypto::PublicKey& k) {
    return std::ranges::any_of(counted_keys, [&k](const crypto::PublicKey* c) { return c->same_key(k); });
  };
  for (const auto& sig : meta.signatures) {
    if (counted_ids.size() >= enough) {
      break;
    }
    if (!role_ids.contains(sig.keyid) || counted_ids.contains(sig.keyid)) {
      continue;
    }
    const auto key = keys.find(sig.keyid);
    if (key == keys.end() || !key->second.key || already_counted(*key->second.key)) {
      continue;
    }
    if (verifies(key->second, view(meta.canonical), sig.sig)) {
      counted_ids.insert(sig.keyid);
      counted_keys.push_back(&*key->second.key);
    }
  }
  return counted_ids.size();
}

Result<void> check_threshold(const Envelope& meta, const KeyMap& keys, const RoleKeys& role, std::string_view what)
{
  const auto n = count_signatures(meta, keys, role, role.threshold);
  if (n >= role.threshold) {
    return {};
  }
  return fail(ErrorCode::bad_input,
              fmt::format("{}: signature threshold not met ({} valid of {} needed)", what, n, role.threshold));
}

Result<void> check_file(std::string_view bytes, std::optional<std::uint64_t> length,
                        const std::map<std::string, std::string>& hashes, std::string_view what)
{
  if (length && bytes.size() != *length) {
    return fail(ErrorCode::bad_input,
                fmt::format("{}: length {} differs from the {} bytes the metadata lists", what, bytes.size(), *length));
  }
  bool known = false;
  for (const auto& [alg, hex] : hashes) {
    if (alg != "sha256" && alg != "sha512") {
      continue;
    }
    known = true;
    const auto h = alg == "sha256" ? crypto::HashAlgorithm::sha256 : crypto::HashAlgorithm::sha512;
    if (util::hex_encode(crypto::hash(h, view(bytes))) != hex) {
      return fail(ErrorCode::bad_input, fmt::format("{}: {} hash differs from the metadata", what, alg));
    }
  }
  if (!hashes.empty() && !known) {
    return fail(ErrorCode::bad_input, fmt::format("{}: no hash of a known algorithm (sha256, sha512)", what));
  }
  return {};
}

namespace {

// fnmatch without flags except that '*' and '?' do not match '/' (python-tuf's rule).
bool glob(std::string_view pattern, std::string_view name)
{
  std::size_t p = 0;
  std::size_t n = 0;
  std::size_t star = std::string_view::npos;
  std::size_t mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == name[n] || (pattern[p] == '?' && name[n] != '/'))) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (star != std::string_view::npos && name[mark] != '/') {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

} // namespace

bool role_covers(const DelegatedRole& role, std::string_view target)
{
  for (const auto& pattern : role.paths) {
    if (glob(pattern, target)) {
      return true;
    }
  }
  return false;
}

} // namespace sigil::tuf
