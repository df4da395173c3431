// Tests for sigil::tuf metadata: parsing, signatures over canonical JSON (against the real
// public-good roots 14 and 15) and thresholds counted over distinct keys.
#include "sigil/crypto/key.hpp"
#include "sigil/crypto/signature.hpp"
#include "sigil/tuf/canonical_json.hpp"
#include "sigil/tuf/metadata.hpp"
#include "sigil/tuf/public_good.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"

#include <fmt/format.h>

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

namespace tuf = sigil::tuf;
namespace crypto = sigil::crypto;
using sigil::util::Json;

std::string data(std::string_view name)
{
  auto text = sigil::util::read_file(std::string(SIGIL_UNIT_DATA_DIR) + "/tuf/" + std::string(name));
  REQUIRE(text);
  return *text;
}

struct Signer {
  crypto::PrivateKey key;
  std::string id;
};

Signer make_signer(std::string id)
{
  auto key = crypto::PrivateKey::generate(crypto::KeyKind::ecdsa_p256);
  REQUIRE(key);
  return Signer{std::move(*key), std::move(id)};
}

Json key_json(const crypto::PublicKey& key)
{
  return Json{{"keytype", "ecdsa"}, {"scheme", "ecdsa-sha2-nistp256"}, {"keyval", {{"public", key.pem()}}}};
}

// A root whose root role lists `role_ids` (threshold `threshold`), keys from `keys` under
// their ids, signed by each of `signers` (key, id to write in the signature).
std::string make_root(const std::vector<std::pair<std::string, const crypto::PublicKey*>>& keys,
                      const std::vector<std::string>& role_ids, int threshold,
                      const std::vector<std::pair<const crypto::PrivateKey*, std::string>>& signers)
{
  Json k = Json::object();
  for (const auto& [id, key] : keys) {
    k[id] = key_json(*key);
  }
  const Json role{{"keyids", role_ids}, {"threshold", threshold}};
  const Json signed_part{{"_type", "root"},
                         {"spec_version", "1.0"},
                         {"version", 1},
                         {"expires", "2030-01-01T00:00:00Z"},
                         {"consistent_snapshot", true},
                         {"keys", k},
                         {"roles", {{"root", role}, {"timestamp", role}, {"snapshot", role}, {"targets", role}}}};
  const auto canonical = tuf::canonical_json(signed_part);
  REQUIRE(canonical);
  Json sigs = Json::array();
  for (const auto& [key, id] : signers) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(canonical->data());
    auto sig = crypto::sign_message(*key, {p, canonical->size()});
    REQUIRE(sig);
    sigs.push_back({{"keyid", id}, {"sig", sigil::util::hex_encode(*sig)}});
  }
  return Json{{"signed", signed_part}, {"signatures", sigs}}.dump();
}

std::size_t count(const std::string& bytes)
{
  auto root = tuf::parse_root(bytes);
  REQUIRE(root);
  return tuf::count_signatures(root->meta, root->keys, root->roles.at("root"));
}

} // namespace

TEST_CASE("tuf: the embedded public-good root 15 is signed by 3 of its own keys and of root 14's")
{
  const auto v15 = tuf::parse_root(tuf::public_good_root());
  REQUIRE(v15);
  CHECK(v15->meta.version == 15);
  CHECK(v15->consistent_snapshot);
  CHECK(v15->roles.at("root").threshold == 3);
  CHECK(tuf::count_signatures(v15->meta, v15->keys, v15->roles.at("root")) == 5);
  const auto v14 = tuf::parse_root(data("14.root.json"));
  REQUIRE(v14);
  CHECK(v14->meta.version == 14);
  CHECK(tuf::check_threshold(v15->meta, v14->keys, v14->roles.at("root"), "root 15 by 14"));
  CHECK(tuf::count_signatures(v14->meta, v14->keys, v14->roles.at("root")) >= 3);
}

TEST_CASE("tuf: one changed byte of signed breaks every signature")
{
  std::string text{tuf::public_good_root()};
  const auto at = text.find("\"expires\": \"2026");
  REQUIRE(at != std::string::npos);
  text[at + 15] = '7';
  const auto root = tuf::parse_root(text);
  REQUIRE(root);
  CHECK(tuf::count_signatures(root->meta, root->keys, root->roles.at("root")) == 0);
  const auto r = tuf::check_threshold(root->meta, root->keys, root->roles.at("root"), "root version 15");
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "root version 15: signature threshold not met (0 valid of 3 needed)");
}

TEST_CASE("tuf threshold: distinct keys only")
{
  const auto a = make_signer("aa");
  const auto b = make_signer("bb");
  const auto pa = a.key.public_key();
  const auto pb = b.key.public_key();
  SUBCASE("two keys, two signatures")
  {
    CHECK(count(make_root({{"aa", &pa}, {"bb", &pb}}, {"aa", "bb"}, 2, {{&a.key, "aa"}, {&b.key, "bb"}})) == 2);
  }
  SUBCASE("the same key id signing twice counts once")
  {
    CHECK(count(make_root({{"aa", &pa}, {"bb", &pb}}, {"aa", "bb"}, 2, {{&a.key, "aa"}, {&a.key, "aa"}})) == 1);
  }
  SUBCASE("a key id listed twice in the role counts once")
  {
    CHECK(count(make_root({{"aa", &pa}}, {"aa", "aa"}, 2, {{&a.key, "aa"}, {&a.key, "aa"}})) == 1);
  }
  SUBCASE("one public key under two key ids counts once")
  {
    CHECK(count(make_root({{"aa", &pa}, {"a2", &pa}}, {"aa", "a2"}, 2, {{&a.key, "aa"}, {&a.key, "a2"}})) == 1);
  }
  SUBCASE("one public key, compressed under one key id and uncompressed under another, counts once")
  {
    // The same P-256 point in SEC1 compressed form: 02/03 (parity of y) || x.
    const auto der = pa.der();
    REQUIRE(der.size() == 91);
    const sigil::util::Bytes point(der.end() - 65, der.end());
    auto compressed = sigil::util::hex_decode("3039301306072a8648ce3d020106082a8648ce3d030107032200");
    REQUIRE(compressed);
    compressed->push_back(static_cast<std::uint8_t>((point.back() & 1) != 0 ? 0x03 : 0x02));
    compressed->insert(compressed->end(), point.begin() + 1, point.begin() + 33);
    auto pa_compressed = crypto::PublicKey::from_der(*compressed);
    REQUIRE(pa_compressed);
    REQUIRE(pa_compressed->der() != pa.der()); // two encodings ...
    REQUIRE(pa_compressed->same_key(pa));      // ... of one key
    CHECK(count(make_root({{"aa", &pa}, {"a2", &*pa_compressed}}, {"aa", "a2"}, 2, {{&a.key, "aa"}, {&a.key, "a2"}})) ==
          1);
  }
  SUBCASE("a key outside the role counts zero")
  {
    CHECK(count(make_root({{"aa", &pa}, {"bb", &pb}}, {"aa"}, 1, {{&b.key, "bb"}})) == 0);
  }
  SUBCASE("a signature under the wrong key id counts zero")
  {
    CHECK(count(make_root({{"aa", &pa}, {"bb", &pb}}, {"aa", "bb"}, 1, {{&a.key, "bb"}})) == 0);
  }
}

TEST_CASE("tuf keys: an unknown key type is kept, never counted")
{
  const auto a = make_signer("aa");
  const auto pa = a.key.public_key();
  auto doc = Json::parse(make_root({{"aa", &pa}}, {"aa"}, 1, {{&a.key, "aa"}}));
  doc["signed"]["keys"]["aa"]["keytype"] = "x-unknown";
  // Re-sign over the changed signed part, so only the key type makes the difference.
  const auto canonical = tuf::canonical_json(doc["signed"]);
  REQUIRE(canonical);
  auto sig = crypto::sign_message(a.key, {reinterpret_cast<const std::uint8_t*>(canonical->data()), canonical->size()});
  REQUIRE(sig);
  doc["signatures"][0]["sig"] = sigil::util::hex_encode(*sig);
  const auto root = tuf::parse_root(doc.dump());
  REQUIRE(root);
  CHECK_FALSE(root->keys.at("aa").key.has_value());
  CHECK(tuf::count_signatures(root->meta, root->keys, root->roles.at("root")) == 0);
}

TEST_CASE("tuf keys: ed25519 (hex) and rsassa-pss-sha256 (PEM)")
{
  auto ed = crypto::PrivateKey::generate(crypto::KeyKind::ed25519);
  REQUIRE(ed);
  const auto der = ed->public_key().der();
  const std::vector<std::uint8_t> raw(der.end() - 32, der.end());
  const auto key = tuf::parse_key(
      Json{{"keytype", "ed25519"}, {"scheme", "ed25519"}, {"keyval", {{"public", sigil::util::hex_encode(raw)}}}}, "t");
  REQUIRE(key);
  REQUIRE(key->key.has_value());
  CHECK(key->key->same_key(ed->public_key()));
  auto rsa = crypto::PrivateKey::generate(crypto::KeyKind::rsa_3072);
  REQUIRE(rsa);
  const auto rkey = tuf::parse_key(
      Json{{"keytype", "rsa"}, {"scheme", "rsassa-pss-sha256"}, {"keyval", {{"public", rsa->public_key().pem()}}}},
      "t");
  REQUIRE(rkey);
  CHECK(rkey->key.has_value());
  // A PKCS#1 v1.5 signature is not a PSS one.
  const std::string msg = "m";
  auto v15 = crypto::sign_message(*rsa, {reinterpret_cast<const std::uint8_t*>(msg.data()), msg.size()});
  REQUIRE(v15);
  CHECK_FALSE(
      crypto::verify_rsa_pss_sha256(rsa->public_key(), {reinterpret_cast<const std::uint8_t*>(msg.data()), 1}, *v15));
}

TEST_CASE("tuf metadata: refusals name the field")
{
  const auto wrong_type = tuf::parse_timestamp(std::string{tuf::public_good_root()});
  REQUIRE_FALSE(wrong_type);
  CHECK(wrong_type.error().message == "timestamp metadata: \"_type\" is \"root\"");
  const auto dup = tuf::parse_root(R"({"signed":{},"signed":{},"signatures":[]})");
  REQUIRE_FALSE(dup);
  const auto floaty = tuf::parse_timestamp(
      R"({"signed":{"_type":"timestamp","spec_version":"1.0","version":1,"expires":"2030-01-01T00:00:00Z",)"
      R"("meta":{"snapshot.json":{"version":1}},"x":1.5},"signatures":[]})");
  REQUIRE_FALSE(floaty);
  CHECK(floaty.error().message ==
        "timestamp metadata: canonical JSON: a number that is not an integer has no canonical form");
}

TEST_CASE("tuf check_file: length and hashes")
{
  const std::string bytes = "hello";
  const std::map<std::string, std::string> hashes{
      {"sha256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}};
  CHECK(tuf::check_file(bytes, 5, hashes, "t"));
  const auto longer = tuf::check_file(bytes, 4, hashes, "target x");
  REQUIRE_FALSE(longer);
  CHECK(longer.error().message == "target x: length 5 differs from the 4 bytes the metadata lists");
  const auto other = tuf::check_file("hellO", 5, hashes, "target x");
  REQUIRE_FALSE(other);
  CHECK(other.error().message == "target x: sha256 hash differs from the metadata");
  CHECK_FALSE(tuf::check_file(bytes, 5, {{"md5", "x"}}, "t"));
}

TEST_CASE("tuf delegations: path patterns")
{
  tuf::DelegatedRole role{.name = "r", .keys = {}, .terminating = false, .paths = {"registry.npmjs.org/*"}};
  CHECK(tuf::role_covers(role, "registry.npmjs.org/keys.json"));
  CHECK_FALSE(tuf::role_covers(role, "registry.npmjs.org/a/keys.json"));
  CHECK_FALSE(tuf::role_covers(role, "trusted_root.json"));
}
