// Tests for sigil::crypto streaming Ed25519: checked against OpenSSL's one-buffer pure Ed25519
// (sign_message / verify_message) in both directions, fed in uneven chunks.
#include "sigil/crypto/ed25519_stream.hpp"
#include "sigil/crypto/signature.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace {

using sigil::crypto::Ed25519StreamSigner;
using sigil::crypto::Ed25519StreamVerifier;
using sigil::crypto::KeyKind;
using sigil::crypto::PrivateKey;
using sigil::util::Bytes;
using sigil::util::ByteView;

Bytes message_of(std::size_t size)
{
  Bytes m(size);
  std::uint32_t x = 2463534242U + static_cast<std::uint32_t>(size);
  for (auto& b : m) {
    x ^= x << 13U;
    x ^= x >> 17U;
    x ^= x << 5U;
    b = static_cast<std::uint8_t>(x);
  }
  return m;
}

// Feeds message in chunks of growing, uneven sizes (1, 2, 4, ... capped, plus an odd offset).
template <typename Sink> void feed(const Bytes& message, Sink&& sink)
{
  std::size_t at = 0;
  std::size_t step = 1;
  while (at < message.size()) {
    const auto n = std::min(step, message.size() - at);
    sink(ByteView(message.data() + at, n));
    at += n;
    step = std::min<std::size_t>(step * 2 + 1, std::size_t{1} << 20);
  }
}

bool stream_verify(const sigil::crypto::PublicKey& key, const Bytes& message, const Bytes& sig)
{
  auto v = Ed25519StreamVerifier::start(key, sig);
  feed(message, [&](ByteView c) { v.update(c); });
  return v.finish();
}

Bytes stream_sign(const PrivateKey& key, const Bytes& message)
{
  auto signer = Ed25519StreamSigner::start(key, sigil::crypto::sha256(message));
  REQUIRE(signer);
  feed(message, [&](ByteView c) { signer->update(c); });
  auto sig = signer->finish();
  REQUIRE(sig);
  return *sig;
}

const std::vector<std::size_t> k_sizes = {0, 1, 63, 64, 65, 1000, (std::size_t{3} << 20) + 7};

} // namespace

TEST_CASE("Ed25519 stream verifier: accepts OpenSSL's signatures, rejects any change")
{
  const auto key = PrivateKey::generate(KeyKind::ed25519);
  REQUIRE(key);
  const auto pub = key->public_key();
  for (const auto size : k_sizes) {
    CAPTURE(size);
    auto message = message_of(size);
    const auto sig = sigil::crypto::sign_message(*key, message);
    REQUIRE(sig);
    CHECK(stream_verify(pub, message, *sig));
    auto bad_sig = *sig;
    bad_sig[10] ^= 1U; // R
    CHECK_FALSE(stream_verify(pub, message, bad_sig));
    bad_sig = *sig;
    bad_sig[40] ^= 1U; // S
    CHECK_FALSE(stream_verify(pub, message, bad_sig));
    auto longer = message;
    longer.push_back(0);
    CHECK_FALSE(stream_verify(pub, longer, *sig));
    if (size > 0) {
      message[size / 2] ^= 0x80U;
      CHECK_FALSE(stream_verify(pub, message, *sig));
    }
  }
}

TEST_CASE("Ed25519 stream verifier: S must be canonical (S + L is refused, as OpenSSL and Go refuse it)")
{
  const auto key = PrivateKey::generate(KeyKind::ed25519);
  REQUIRE(key);
  const auto message = message_of(100);
  const auto sig = sigil::crypto::sign_message(*key, message);
  REQUIRE(sig);
  // S + L: the same scalar mod L, so only the canonical check can refuse it.
  const std::uint8_t order[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                  0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                  0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  auto malleated = *sig;
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const unsigned sum = malleated[32 + i] + order[i] + carry;
    malleated[32 + i] = static_cast<std::uint8_t>(sum);
    carry = sum >> 8U;
  }
  REQUIRE(carry == 0);
  CHECK_FALSE(sigil::crypto::verify_message(key->public_key(), message, malleated)); // OpenSSL's answer
  CHECK_FALSE(stream_verify(key->public_key(), message, malleated));
  CHECK(stream_verify(key->public_key(), message, *sig));
}

TEST_CASE("Ed25519 stream verifier: wrong sizes and other key types verify nothing")
{
  const auto key = PrivateKey::generate(KeyKind::ed25519);
  const auto ec = PrivateKey::generate(KeyKind::ecdsa_p256);
  REQUIRE(key);
  REQUIRE(ec);
  const auto message = message_of(10);
  auto sig = sigil::crypto::sign_message(*key, message);
  REQUIRE(sig);
  CHECK_FALSE(stream_verify(ec->public_key(), message, *sig));
  sig->push_back(0);
  CHECK_FALSE(stream_verify(key->public_key(), message, *sig));
  CHECK_FALSE(stream_verify(key->public_key(), message, {}));
}

TEST_CASE("Ed25519 stream signer: OpenSSL verifies its signatures; the nonce is fresh each time")
{
  const auto key = PrivateKey::generate(KeyKind::ed25519);
  const auto other = PrivateKey::generate(KeyKind::ed25519);
  REQUIRE(key);
  REQUIRE(other);
  for (const auto size : k_sizes) {
    CAPTURE(size);
    const auto message = message_of(size);
    const auto a = stream_sign(*key, message);
    const auto b = stream_sign(*key, message);
    REQUIRE(a.size() == sigil::crypto::k_ed25519_signature_size);
    CHECK(sigil::crypto::verify_message(key->public_key(), message, a));
    CHECK(sigil::crypto::verify_message(key->public_key(), message, b));
    CHECK(stream_verify(key->public_key(), message, a));
    CHECK_FALSE(sigil::crypto::verify_message(other->public_key(), message, a));
    // Same message, same key, different R: a nonce never repeats, even for the same bytes.
    CHECK_FALSE(std::equal(a.begin(), a.begin() + 32, b.begin()));
  }
}

TEST_CASE("Ed25519 stream signer: refuses another key type; a used signer signs nothing more")
{
  const auto ec = PrivateKey::generate(KeyKind::ecdsa_p256);
  REQUIRE(ec);
  const auto digest = sigil::crypto::sha256(message_of(1));
  const auto refused = Ed25519StreamSigner::start(*ec, digest);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == sigil::ErrorCode::internal);
  const auto key = PrivateKey::generate(KeyKind::ed25519);
  REQUIRE(key);
  auto signer = Ed25519StreamSigner::start(*key, digest);
  REQUIRE(signer);
  REQUIRE(signer->finish());
  const auto again = signer->finish();
  REQUIRE_FALSE(again);
  CHECK(again.error().message == "Ed25519 signing: the signer was already used");
}
