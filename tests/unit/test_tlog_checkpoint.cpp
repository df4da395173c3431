// Checkpoints (C2SP signed notes): the checkpoint-parse conformance cases, the checkpoints of
// the Rekor v1 and v2 conformance bundles verified with their logs' keys (cosigned, several
// signature lines, log line not first), the failing ones rejected for their reason, and
// checkpoints signed here with Ed25519 and ECDSA keys.
#include "sigil/tlog/checkpoint.hpp"

#include "sigil/crypto/signature.hpp"
#include "sigil/tlog/merkle.hpp"
#include "sigil/util/encoding.hpp"

#include "tlog_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using sigil::crypto::PrivateKey;
using sigil::tlog::parse_checkpoint;
using sigil::tlog::verify_checkpoint;
using sigil::util::Bytes;

constexpr std::string_view k_dash = "\xE2\x80\x94 ";
constexpr std::string_view k_prod_rekor = "https://rekor.sigstore.dev";
constexpr std::string_view k_v2_origin = "log2025-alpha1.rekor.sigstage.dev";

bool contains(const std::string& text, std::string_view part)
{
  return text.find(part) != std::string::npos;
}

std::string checkpoint_text(const sigil::util::Json& entry)
{
  return entry.at("inclusionProof").at("checkpoint").at("envelope").get<std::string>();
}

// The key of Rekor v2 log2025-alpha1 (Ed25519) from a rekor2 case's own trusted root.
sigil::crypto::PublicKey v2_key(std::string_view case_name)
{
  const auto root = std::filesystem::path("sigstore-conformance/bundle-verify") / case_name / "trusted_root.json";
  return sigil::test::log_key(root, "https://log2025-alpha1.rekor.sigstage.dev");
}

std::string sign_line(const PrivateKey& key, std::string_view name, std::string_view text, sigil::tlog::HintRule rule)
{
  auto sig = sigil::crypto::sign_message(key, sigil::util::as_bytes(text));
  REQUIRE(sig.has_value());
  Bytes blob = sigil::tlog::key_hint(key.public_key(), name, rule);
  blob.insert(blob.end(), sig->begin(), sig->end());
  return std::string(k_dash) + std::string(name) + " " + sigil::util::base64_encode(blob) + "\n";
}

std::string note_text(std::string_view origin)
{
  return std::string(origin) + "\n42\n" + sigil::util::base64_encode(Bytes(32, 9)) + "\n";
}

} // namespace

TEST_CASE("tlog checkpoint: the checkpoint-parse conformance cases")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const auto cases = sigil::test::read_fixture_json("cases.json");
  int accepted = 0;
  int rejected = 0;
  for (const auto& c : cases) {
    if (c.at("kind") != "checkpoint-parse") {
      continue;
    }
    const std::string file = c.at("files").at("checkpoint").get<std::string>();
    INFO(file);
    auto cp = parse_checkpoint(sigil::test::read_fixture(file));
    if (c.at("expect") == "accept") {
      REQUIRE_MESSAGE(cp.has_value(), cp.error().message);
      ++accepted;
    } else {
      REQUIRE_FALSE(cp.has_value());
      CHECK(cp.error().message.starts_with("malformed checkpoint: "));
      CHECK(cp.error().code == sigil::ErrorCode::bad_input);
      ++rejected;
    }
  }
  CHECK(accepted == 2);
  CHECK(rejected == 7);
}

TEST_CASE("tlog checkpoint: a Rekor v1 checkpoint's parts")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  auto cp = parse_checkpoint(sigil::test::read_fixture("sigstore-java/samples/checkpoints/valid_multi_sig.txt"));
  REQUIRE(cp.has_value());
  CHECK(cp->origin == "rekor.sigstore.dev - 2605736670972794746");
  CHECK(cp->tree_size == 37795272);
  CHECK(sigil::util::base64_encode(cp->root_hash) == "60ll7idWI1jYRZzxc+jKflYoW+4jWxgZaGR15ASsWt4=");
  CHECK(cp->extensions == std::vector<std::string>{"Timestamp: 1697034484441201852"});
  CHECK(cp->signed_text.ends_with("Timestamp: 1697034484441201852\n"));
  CHECK(cp->signed_text.starts_with("rekor.sigstore.dev - 2605736670972794746\n37795272\n"));
  REQUIRE(cp->signatures.size() == 2);
  CHECK(cp->signatures[0].name == "rekor.sigstore.dev");
  CHECK(cp->signatures[1].name == "bob.loblaw.dev");
  CHECK(sigil::util::hex_encode(cp->signatures[0].key_hint) == "c0d23d6a"); // the log id's first bytes
  CHECK(cp->signatures[0].signature.size() == 72);
  CHECK(sigil::tlog::has_rekor_v1_origin(cp->origin));
  CHECK_FALSE(sigil::tlog::has_rekor_v1_origin(k_v2_origin));
  CHECK_FALSE(sigil::tlog::has_rekor_v1_origin("a - "));
  CHECK_FALSE(sigil::tlog::has_rekor_v1_origin("a - 12x"));
}

TEST_CASE("tlog checkpoint: Rekor v1 checkpoints verify by key hint, whatever the line's name")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const auto key = sigil::test::log_key(sigil::test::k_production_root, k_prod_rekor);
  for (const char* name : {"happy-path-v0.1", "happy-path-v0.2", "happy-path-v0.3", "checkpoint-wrong-roothash_fail"}) {
    INFO(name);
    auto cp = parse_checkpoint(checkpoint_text(sigil::test::bundle_entry_json(name)));
    REQUIRE(cp.has_value());
    auto verified = verify_checkpoint(*cp, key, "");
    CHECK_MESSAGE(verified.has_value(), sigil::test::error_of(verified));
    // The v1 origin line is not the signature name, so the C2SP rule finds no line.
    CHECK_FALSE(verify_checkpoint(*cp, key, cp->origin).has_value());
  }
  auto valid = parse_checkpoint(sigil::test::read_fixture("sigstore-java/samples/checkpoints/valid.txt"));
  REQUIRE(valid.has_value());
  CHECK(verify_checkpoint(*valid, key, "").has_value());
  // A second line with the log's key hint that does not verify is refused, whatever its name.
  auto multi = parse_checkpoint(sigil::test::read_fixture("sigstore-java/samples/checkpoints/valid_multi_sig.txt"));
  REQUIRE(multi.has_value());
  auto r = verify_checkpoint(*multi, key, "");
  REQUIRE_FALSE(r);
  CHECK(contains(r.error().message, "checkpoint signature invalid"));
  // Another log's key: no line carries its hint.
  const auto staging = sigil::test::log_key(sigil::test::k_staging_root, "https://rekor.sigstage.dev");
  r = verify_checkpoint(*valid, staging, "");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.starts_with("no checkpoint signature from rekor.sigstore.dev - 2605736670972794746"));
}

TEST_CASE("tlog checkpoint: Rekor v1 checkpoints with a wrong key hint or signature are refused")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const auto key = sigil::test::log_key(sigil::test::k_production_root, k_prod_rekor);
  auto cp = parse_checkpoint(checkpoint_text(sigil::test::bundle_entry_json("checkpoint-bad-keyhint_fail")));
  REQUIRE(cp.has_value());
  auto r = verify_checkpoint(*cp, key, "");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.starts_with("no checkpoint signature from "));

  cp = parse_checkpoint(checkpoint_text(sigil::test::bundle_entry_json("invalid-checkpoint-signature_fail")));
  REQUIRE(cp.has_value());
  r = verify_checkpoint(*cp, key, "");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.starts_with("checkpoint signature invalid"));
}

TEST_CASE("tlog checkpoint: Rekor v2 checkpoints, cosigned or not, verify with the origin")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  for (const char* name : {"rekor2-happy-path", "rekor2-checkpoint-cosigned", "rekor2-checkpoint-multiple-cosigs",
                           "rekor2-checkpoint-origin-not-first", "rekor2-checkpoint-two-sigs-cosigned",
                           "rekor2-checkpoint-two-sigs-from-origin"}) {
    INFO(name);
    const auto key = v2_key(name);
    auto cp = parse_checkpoint(checkpoint_text(sigil::test::bundle_entry_json(name)));
    REQUIRE(cp.has_value());
    CHECK(cp->origin == k_v2_origin);
    auto verified = verify_checkpoint(*cp, key, k_v2_origin);
    CHECK_MESSAGE(verified.has_value(), sigil::test::error_of(verified));
    auto elsewhere = verify_checkpoint(*cp, key, "log2025-alpha2.rekor.sigstage.dev");
    REQUIRE_FALSE(elsewhere);
    CHECK(elsewhere.error().message.starts_with("no checkpoint signature from log2025-alpha2.rekor.sigstage.dev"));
    // Ed25519 hints are bound to the name: the Rekor v1 rule (hint of the key alone) finds none.
    CHECK_FALSE(verify_checkpoint(*cp, key, "").has_value());
  }
}

TEST_CASE("tlog checkpoint: broken Rekor v2 checkpoints are refused")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  for (const char* name : {"rekor2-checkpoint-missing-log-signature_fail", "rekor2-checkpoint-missing-origin_fail",
                           "rekor2-checkpoint-missing-root-hash_fail", "rekor2-checkpoint-missing-size_fail"}) {
    INFO(name);
    auto cp = parse_checkpoint(checkpoint_text(sigil::test::bundle_entry_json(name)));
    REQUIRE_FALSE(cp.has_value());
    CHECK(cp.error().message.starts_with("malformed checkpoint: "));
  }
  const char* name = "rekor2-checkpoint-no-matching-signature_fail";
  auto cp = parse_checkpoint(checkpoint_text(sigil::test::bundle_entry_json(name)));
  REQUIRE(cp.has_value());
  auto r = verify_checkpoint(*cp, v2_key(name), k_v2_origin);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.starts_with("no checkpoint signature from log2025-alpha1.rekor.sigstage.dev"));
  // Taking the checkpoint's own origin does not help: the hint of the key under that name differs.
  r = verify_checkpoint(*cp, v2_key(name), cp->origin);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.starts_with("no checkpoint signature from log2025-alpha1.rekor.github.dev"));
}

TEST_CASE("tlog checkpoint: checkpoints signed here with Ed25519 and ECDSA keys")
{
  using sigil::tlog::HintRule;
  for (const auto kind : {sigil::crypto::KeyKind::ed25519, sigil::crypto::KeyKind::ecdsa_p256}) {
    auto key = PrivateKey::generate(kind);
    REQUIRE(key.has_value());
    auto witness = PrivateKey::generate(sigil::crypto::KeyKind::ed25519);
    REQUIRE(witness.has_value());
    const std::string text = note_text("log.example");
    const std::string note = text + "\n" + sign_line(*witness, "witness.example", text, HintRule::c2sp) +
                             sign_line(*key, "log.example", text, HintRule::c2sp);
    auto cp = parse_checkpoint(note);
    REQUIRE(cp.has_value());
    CHECK(cp->tree_size == 42);
    CHECK(verify_checkpoint(*cp, key->public_key(), "log.example").has_value());
    CHECK_FALSE(verify_checkpoint(*cp, witness->public_key(), "log.example").has_value());
    CHECK(verify_checkpoint(*cp, witness->public_key(), "witness.example")
              .error()
              .message.starts_with(
                  "no checkpoint signature from witness.example: the checkpoint's origin is log.example"));

    // A line with the log's name and hint whose signature is over other text.
    const std::string forged = text + "\n" + sign_line(*key, "log.example", text + "x", HintRule::c2sp) +
                               sign_line(*key, "log.example", text, HintRule::c2sp);
    cp = parse_checkpoint(forged);
    REQUIRE(cp.has_value());
    auto r = verify_checkpoint(*cp, key->public_key(), "log.example");
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "checkpoint signature invalid (signature line \"log.example\")");
  }
}

TEST_CASE("tlog checkpoint: malformed notes")
{
  const std::string text = note_text("log.example");
  const std::string sig = std::string(k_dash) + "log.example " + sigil::util::base64_encode(Bytes(40, 1)) + "\n";
  REQUIRE(parse_checkpoint(text + "\n" + sig).has_value());
  const std::vector<std::pair<std::string, std::string_view>> bad = {
      {text + sig, "no blank line"},
      {text + "\n", "no signatures"},
      {text + "\n" + sig.substr(0, sig.size() - 1), "does not end with a newline"},
      {text + "\n" + sig.substr(k_dash.size()), "does not start with"},
      {text + "\n" + std::string(k_dash) + "log.example\n", "no signature after the name"},
      {text + "\n" + std::string(k_dash) + "a+b " + sigil::util::base64_encode(Bytes(40, 1)) + "\n", "invalid name"},
      {text + "\n" + std::string(k_dash) + "log.example " + sigil::util::base64_encode(Bytes(4, 1)) + "\n",
       "too short"},
      {text + "\n" + std::string(k_dash) + "log.example !!!!\n", "signature of \"log.example\""},
      {"\n42\n" + sigil::util::base64_encode(Bytes(32, 9)) + "\n\n" + sig, "empty origin"},
      {"o\n-42\n" + sigil::util::base64_encode(Bytes(32, 9)) + "\n\n" + sig, "tree size"},
      {"o\n42\n" + sigil::util::base64_encode(Bytes(31, 9)) + "\n\n" + sig, "root hash"},
      {"o\n42\n" + sigil::util::base64_encode(Bytes(32, 9)) + "\n\next\n\n" + sig, "empty line"},
      {"o\r\n42\n" + sigil::util::base64_encode(Bytes(32, 9)) + "\n\n" + sig, "control characters"},
      {text + "\n" + std::string(100 + 1, 'x'), "does not end with a newline"},
  };
  for (const auto& [note, reason] : bad) {
    INFO(note);
    auto cp = parse_checkpoint(note);
    REQUIRE_FALSE(cp.has_value());
    CHECK(contains(cp.error().message, reason));
  }
  std::string many = text + "\n";
  for (int i = 0; i <= 100; ++i) {
    many += sig;
  }
  auto cp = parse_checkpoint(many);
  REQUIRE_FALSE(cp.has_value());
  CHECK(contains(cp.error().message, "more than 100 signatures"));
  CHECK(contains(parse_checkpoint(std::string(sigil::tlog::k_max_checkpoint_bytes + 1, 'a')).error().message,
                 "more than the limit"));
}
