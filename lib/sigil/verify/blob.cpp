#include "sigil/verify/blob.hpp"

#include "sigil/bundle/bundle.hpp"
#include "sigil/crypto/ed25519_stream.hpp"
#include "sigil/crypto/signature.hpp"
#include "sigil/crypto/x509.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/stream.hpp"

#include <filesystem>

#include <fmt/format.h>

#include <array>
#include <optional>

namespace sigil::verify {

namespace {

struct Claim {
  util::Bytes signature;
  std::optional<std::pair<crypto::HashAlgorithm, util::Bytes>> digest; // the bundle's messageDigest
  std::string format;
  std::vector<std::string> notes;
};

Result<Claim> claim_from_sigstore_bundle(std::string_view json)
{
  auto b = bundle::parse_bundle(json);
  if (!b) {
    return fail(b.error());
  }
  const auto* ms = std::get_if<bundle::MessageSignature>(&b->content);
  if (ms == nullptr) {
    return fail(ErrorCode::bad_input,
                "the bundle holds a DSSE envelope (an attestation), not a message signature; use verify-blob-attestation");
  }
  Claim claim{ms->signature, std::nullopt, "sigstore-bundle", {}};
  if (!ms->digest.empty()) {
    claim.digest = std::make_pair(ms->digest_algorithm, ms->digest);
  }
  if (b->tlog_entries > 0) {
    claim.notes.emplace_back("the bundle's transparency log entries were not checked (sigil verifies with keys)");
  }
  if (b->has_certificate) {
    claim.notes.emplace_back("the bundle's certificate was ignored: the signature was checked against --key");
  }
  return claim;
}

Result<Claim> claim_from_bundle(std::string_view json)
{
  auto kind = bundle::detect_bundle_kind(json);
  if (!kind) {
    return fail(kind.error());
  }
  switch (*kind) {
  case bundle::BundleKind::sigstore: return claim_from_sigstore_bundle(json);
  case bundle::BundleKind::cosign_legacy: {
    auto b = bundle::parse_legacy_bundle(json);
    if (!b) {
      return fail(b.error());
    }
    Claim claim{std::move(b->signature), std::nullopt, "cosign-bundle", {}};
    if (b->has_rekor_bundle) {
      claim.notes.emplace_back("the bundle's rekorBundle was not checked (sigil verifies with keys)");
    }
    return claim;
  }
  }
  return fail(ErrorCode::internal, "unknown bundle kind");
}

Result<Claim> claim_from_signature(std::string_view text)
{
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  auto sig = util::base64_decode(text);
  if (!sig) {
    return fail(ErrorCode::bad_input, "the signature file is not base64 (as cosign and sigil write it)");
  }
  return Claim{std::move(*sig), std::nullopt, "signature", {}};
}

// Hashes under which a key's signature is checked: the key's own (the Sigstore algorithm
// registry: SHA-384 for P-384, SHA-512 for P-521), then SHA-256, because cosign 2.x signs with
// SHA-256 for every ECDSA curve. A bundle's declared messageDigest algorithm is NOT used to
// verify (the Sigstore spec says it only identifies the artifact; it is compared on its own).
std::vector<crypto::HashAlgorithm> candidate_hashes(const crypto::PublicKey& key)
{
  const auto key_default = crypto::signing_hash(key.algorithm());
  if (!key_default) {
    return {}; // Ed25519 signs the message itself
  }
  if (*key_default == crypto::HashAlgorithm::sha256) {
    return {crypto::HashAlgorithm::sha256};
  }
  return {*key_default, crypto::HashAlgorithm::sha256};
}

// Digests of the artifact for every algorithm some key (or the bundle) needs, in one pass.
struct ArtifactDigests {
  std::array<std::optional<util::Bytes>, 3> by_alg; // indexed by HashAlgorithm
  std::vector<bool> ed25519_verified;               // by key: pure Ed25519, checked in the same pass

  [[nodiscard]] const util::Bytes& get(crypto::HashAlgorithm alg) const
  {
    return *by_alg[static_cast<std::size_t>(alg)];
  }
};

Result<ArtifactDigests> digest_artifact(const VerifyBlobRequest& request, const Claim& claim)
{
  std::array<bool, 3> wanted{};
  if (claim.digest) {
    wanted[static_cast<std::size_t>(claim.digest->first)] = true;
  }
  for (const auto& k : request.keys) {
    for (const auto alg : candidate_hashes(k.key)) {
      wanted[static_cast<std::size_t>(alg)] = true;
    }
  }
  std::vector<crypto::Hasher> hashers;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (wanted[i]) {
      hashers.emplace_back(static_cast<crypto::HashAlgorithm>(i));
    }
  }
  // Pure Ed25519 hashes the message once when verifying: each Ed25519 key gets its own hash.
  std::vector<std::optional<crypto::Ed25519StreamVerifier>> ed25519(request.keys.size());
  for (std::size_t i = 0; i < request.keys.size(); ++i) {
    if (!crypto::signing_hash(request.keys[i].key.algorithm())) {
      ed25519[i].emplace(crypto::Ed25519StreamVerifier::start(request.keys[i].key, claim.signature));
    }
  }
  std::uint64_t read = 0;
  SIGIL_TRY(util::stream_input(request.input, [&](util::ByteView chunk) {
    for (auto& h : hashers) {
      h.update(chunk);
    }
    for (auto& v : ed25519) {
      if (v) {
        v->update(chunk);
      }
    }
    if (request.on_read) {
      request.on_read(read += chunk.size());
    }
  }));
  ArtifactDigests out;
  for (auto& h : hashers) {
    out.by_alg[static_cast<std::size_t>(h.algorithm())] = h.finish();
  }
  for (auto& v : ed25519) {
    out.ed25519_verified.push_back(v && v->finish());
  }
  return out;
}

std::string digest_text(crypto::HashAlgorithm alg, const util::Bytes& digest)
{
  return fmt::format("{}:{}", crypto::hash_name(alg), util::hex_encode(digest));
}

// --- Sigstore material (certificates, log entries, timestamps) -------------------------------

Result<ArtifactDigest> artifact_digest(const std::string& input, crypto::HashAlgorithm alg,
                                       const std::function<void(std::uint64_t)>& on_read)
{
  std::error_code ec;
  if (auto named = parse_artifact_digest(input); named && !std::filesystem::exists(input, ec)) {
    if (named->algorithm != alg) {
      return fail(ErrorCode::usage, fmt::format("the artifact is named by its {} digest, but the signature is over its "
                                                "{} digest: pass the file",
                                                crypto::hash_name(named->algorithm), crypto::hash_name(alg)));
    }
    return *named;
  }
  crypto::Hasher hasher(alg);
  std::uint64_t read = 0;
  SIGIL_TRY(util::stream_input(input, [&](util::ByteView chunk) {
    hasher.update(chunk);
    if (on_read) {
      on_read(read += chunk.size());
    }
  }));
  return ArtifactDigest{alg, hasher.finish()};
}

bool holds_certificate(const std::optional<std::string>& b64_pem)
{
  if (!b64_pem) {
    return false;
  }
  auto pem = util::base64_decode(*b64_pem);
  return pem && std::string_view{reinterpret_cast<const char*>(pem->data()), pem->size()}.find("-----BEGIN CERTIFICATE") !=
                  std::string_view::npos;
}

Result<std::optional<SignedMaterial>> material_from_json(const VerifyBlobRequest& request)
{
  auto doc = util::parse_json(*request.bundle_json); // once, for both calls below
  if (!doc) {
    return fail(doc.error().context("malformed bundle"));
  }
  SIGIL_TRY_ASSIGN(auto kind, bundle::detect_bundle_kind_doc(*doc));
  if (kind == bundle::BundleKind::sigstore) {
    SIGIL_TRY_ASSIGN(auto b, bundle::parse_bundle_doc(*doc));
    // Keyless when identities are given; key-signed with its log entries when a trusted root
    // is; otherwise the trusted keys check the signature alone (the notes say what was not).
    const bool keyless = b.has_certificate && request.sigstore.identity.complete();
    const bool logged_key = !b.has_certificate && request.sigstore.root != nullptr && !request.keys.empty();
    if (!keyless && !logged_key) {
      return std::optional<SignedMaterial>{};
    }
    SIGIL_TRY_ASSIGN(auto m, material_from_bundle(b));
    return std::optional<SignedMaterial>{std::move(m)};
  }
  SIGIL_TRY_ASSIGN(auto legacy, bundle::parse_legacy_bundle(*request.bundle_json));
  if (!holds_certificate(legacy.cert) || !request.sigstore.identity.complete()) {
    return std::optional<SignedMaterial>{};
  }
  SIGIL_TRY_ASSIGN(auto digest, artifact_digest(request.input, crypto::HashAlgorithm::sha256, request.on_read));
  SIGIL_TRY_ASSIGN(auto m, material_from_legacy_bundle(legacy, digest.algorithm, std::move(digest.digest)));
  return std::optional<SignedMaterial>{std::move(m)};
}

Result<SignedMaterial> material_from_certificate(const VerifyBlobRequest& request)
{
  SIGIL_TRY_ASSIGN(auto chain, parse_certificate_file(*request.certificate_pem));
  SIGIL_TRY_ASSIGN(auto claim, claim_from_signature(*request.signature_b64));
  SIGIL_TRY_ASSIGN(auto digest, artifact_digest(request.input, crypto::HashAlgorithm::sha256, request.on_read));
  SignedMaterial m;
  m.format = "certificate and signature";
  for (const auto& c : chain) {
    m.certificates.push_back(c.der());
  }
  m.content = MessageContent{digest.algorithm, std::move(digest.digest), std::move(claim.signature)};
  return m;
}

Result<std::optional<SignedMaterial>> sigstore_material(const VerifyBlobRequest& request)
{
  if (request.certificate_pem) {
    if (!request.signature_b64) {
      return fail(ErrorCode::usage, "--certificate goes with --signature (or pass a --bundle that holds both)");
    }
    SIGIL_TRY_ASSIGN(auto m, material_from_certificate(request));
    return std::optional<SignedMaterial>{std::move(m)};
  }
  if (request.bundle_json) {
    return material_from_json(request);
  }
  return std::optional<SignedMaterial>{};
}

crypto::HashAlgorithm default_subject_algorithm(const std::string& input)
{
  std::error_code ec;
  if (auto named = parse_artifact_digest(input); named && !std::filesystem::exists(input, ec)) {
    return named->algorithm;
  }
  return crypto::HashAlgorithm::sha256;
}

Result<VerifyBlobResult> verify_as_sigstore(const VerifyBlobRequest& request, const SignedMaterial& material)
{
  // A DSSE bundle (an attestation) verified as Sigstore material: the artifact must be one of
  // the statement's subjects (sigstore-python's and the conformance suite's verify-bundle).
  const auto* msg = std::get_if<MessageContent>(&material.content);
  const auto alg = msg != nullptr ? msg->algorithm : default_subject_algorithm(request.input);
  SIGIL_TRY_ASSIGN(auto artifact, artifact_digest(request.input, alg, request.on_read));
  auto signed_material = material;
  if (auto* m = std::get_if<MessageContent>(&signed_material.content); m != nullptr && m->digest.empty()) {
    m->digest = artifact.digest; // no messageDigest in the bundle: the signature is over the artifact's
  }
  auto policy = request.sigstore;
  policy.keys = request.keys;
  SIGIL_TRY_ASSIGN(auto verified, verify_sigstore(signed_material, artifact, policy));
  VerifyBlobResult out{verified.matched_key.value_or(0), material.format, {}, std::nullopt};
  out.sigstore = std::move(verified);
  return out;
}

} // namespace

std::optional<ArtifactDigest> parse_artifact_digest(std::string_view text)
{
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  std::optional<crypto::HashAlgorithm> alg;
  for (const auto a : {crypto::HashAlgorithm::sha256, crypto::HashAlgorithm::sha384, crypto::HashAlgorithm::sha512}) {
    if (crypto::hash_name(a) == text.substr(0, colon)) {
      alg = a;
    }
  }
  const auto hex = text.substr(colon + 1);
  if (!alg || hex.size() != 2 * crypto::digest_size(*alg) || !util::is_lower_hex(hex)) {
    return std::nullopt;
  }
  auto bytes = util::hex_decode(hex);
  if (!bytes) {
    return std::nullopt;
  }
  return ArtifactDigest{*alg, std::move(*bytes)};
}

Result<std::vector<crypto::Certificate>> parse_certificate_file(std::string_view text)
{
  if (text.find("-----BEGIN") != std::string_view::npos) {
    return crypto::Certificate::chain_from_pem(text);
  }
  std::string compact;
  for (const char c : text) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') {
      compact.push_back(c);
    }
  }
  auto pem = util::base64_decode(compact);
  if (!pem || util::as_chars(*pem).find("-----BEGIN") == std::string_view::npos) {
    return fail(ErrorCode::bad_input, "--certificate: neither PEM nor base64 of PEM (as cosign's --output-certificate "
                                      "writes it)");
  }
  return crypto::Certificate::chain_from_pem(util::as_chars(*pem));
}

Result<VerifyBlobResult> verify_blob(const VerifyBlobRequest& request)
{
  if (request.bundle_json.has_value() && request.signature_b64.has_value()) {
    return fail(ErrorCode::usage, "pass exactly one of --bundle and --signature");
  }
  SIGIL_TRY_ASSIGN(auto material, sigstore_material(request));
  if (material) {
    return verify_as_sigstore(request, *material);
  }
  if (request.sigstore.identity.complete() && request.keys.empty()) {
    return fail(ErrorCode::no_certificate, "the signature has no certificate, so no identity can match: it was made "
                                           "with a key (verify it with --key)");
  }
  if (request.keys.empty()) {
    return fail(ErrorCode::usage, "no trusted key: pass --key PUBLIC_KEY");
  }
  if (request.bundle_json.has_value() == request.signature_b64.has_value()) {
    return fail(ErrorCode::usage, "pass exactly one of --bundle and --signature");
  }
  auto claim = request.bundle_json ? claim_from_bundle(*request.bundle_json) : claim_from_signature(*request.signature_b64);
  if (!claim) {
    return fail(claim.error());
  }
  if (claim->signature.empty()) {
    return fail(ErrorCode::bad_input, "the signature is empty");
  }
  auto digests = digest_artifact(request, *claim);
  if (!digests) {
    return fail(digests.error());
  }
  if (claim->digest) {
    const auto& [alg, claimed] = *claim->digest;
    const auto& actual = digests->get(alg);
    if (actual != claimed) {
      return fail(ErrorCode::none_verified,
                  fmt::format("artifact digest {} does not match the bundle's message digest {}: this is not the file "
                              "that was signed",
                              digest_text(alg, actual), digest_text(alg, claimed)));
    }
  }
  for (std::size_t i = 0; i < request.keys.size(); ++i) {
    const auto& key = request.keys[i].key;
    bool ok = false;
    if (!crypto::signing_hash(key.algorithm())) {
      ok = digests->ed25519_verified[i];
    }
    for (const auto alg : candidate_hashes(key)) {
      ok = ok || crypto::verify_digest(key, alg, digests->get(alg), claim->signature);
    }
    if (ok) {
      if (!request.sigstore.identity.empty()) {
        claim->notes.emplace_back("the signature has no certificate: it verified with a trusted key, and the identity "
                                  "options did not apply (keys and identities: either may satisfy)");
      }
      return VerifyBlobResult{i, claim->format, std::move(claim->notes), std::nullopt};
    }
  }
  if (request.keys.size() == 1) {
    return fail(ErrorCode::none_verified,
                fmt::format("invalid signature: it does not verify with key {}", request.keys.front().name));
  }
  std::string names;
  for (const auto& k : request.keys) {
    names += names.empty() ? k.name : ", " + k.name;
  }
  return fail(ErrorCode::none_verified,
              fmt::format("invalid signature: no trusted key verifies it (tried {})", names));
}

} // namespace sigil::verify
