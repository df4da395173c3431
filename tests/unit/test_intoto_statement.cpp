// Tests for sigil::intoto: cosign's predicate type names, the statement writers (exact
// bytes), the statement parser's refusals, subject digest binding, and a DSSE round trip.
#include "sigil/intoto/statement.hpp"

#include "sigil/crypto/key.hpp"
#include "sigil/dsse/envelope.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

namespace {

using sigil::ErrorCode;
using sigil::intoto::parse_statement;
using sigil::intoto::StatementRequest;
using sigil::intoto::Subject;

constexpr std::string_view k_hex_a = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view k_hex_b = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

std::string hex_a()
{
  return std::string(k_hex_a);
}

// A statement with the given subject array text and tail (predicateType, predicate, ...).
std::string statement(std::string_view subjects,
                      std::string_view tail = R"("predicateType":"https://example.com/p","predicate":{})")
{
  return R"({"_type":"https://in-toto.io/Statement/v1","subject":)" + std::string(subjects) + "," + std::string(tail) +
         "}";
}

std::string subjects(std::size_t count)
{
  std::string out = "[";
  for (std::size_t i = 0; i < count; ++i) {
    out += (i == 0 ? "" : ",") + std::string(R"({"name":"s","digest":{"sha256":")") + hex_a() + R"("}})";
  }
  return out + "]";
}

std::string ok_subject()
{
  return subjects(1);
}

} // namespace

TEST_CASE("intoto predicate_type_uri: every cosign name")
{
  const std::map<std::string, std::string> expected = {
      {"custom", "https://cosign.sigstore.dev/attestation/v1"},
      {"slsaprovenance", "https://slsa.dev/provenance/v0.2"},
      {"slsaprovenance02", "https://slsa.dev/provenance/v0.2"},
      {"slsaprovenance1", "https://slsa.dev/provenance/v1"},
      {"spdx", "https://spdx.dev/Document"},
      {"spdxjson", "https://spdx.dev/Document"},
      {"cyclonedx", "https://cyclonedx.org/bom"},
      {"link", "https://in-toto.io/Link/v1"},
      {"vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"},
      {"openvex", "https://openvex.dev/ns"},
  };
  for (const auto& [name, uri] : expected) {
    CAPTURE(name);
    const auto r = sigil::intoto::predicate_type_uri(name);
    REQUIRE(r.has_value());
    CHECK(*r == uri);
  }
  CHECK(sigil::intoto::predicate_type_names().size() == expected.size());
  for (const auto& p : sigil::intoto::predicate_type_names()) {
    CHECK(expected.contains(std::string(p.name)));
  }
  CHECK(sigil::intoto::predicate_type_names().front().name == "custom");
}

TEST_CASE("intoto predicate_type_uri: absolute URIs pass through, other text is refused")
{
  for (const std::string uri : {"https://example.com/predicate/v1", "http://x", "urn:example:predicate",
                                "https://slsa.dev/provenance/v1", "git+https://h/p", "CUSTOM:x"}) {
    CAPTURE(uri);
    const auto r = sigil::intoto::predicate_type_uri(uri);
    REQUIRE(r.has_value());
    CHECK(*r == uri);
  }
  for (const std::string bad : {"", "Custom", "slsa", "cyclonedxxml", "/abs/path", "https//x", ":x",
                                "https:", "1http://x", "ht tp://x", "https://exa mple.com", "https://x\n", "a_b:c"}) {
    CAPTURE(bad);
    const auto r = sigil::intoto::predicate_type_uri(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::usage);
    CHECK(r.error().message.find("unknown predicate type") != std::string::npos);
    for (const auto& p : sigil::intoto::predicate_type_names()) {
      CHECK(r.error().message.find(p.name) != std::string::npos);
    }
    CHECK(r.error().message.find("absolute URI") != std::string::npos);
    CHECK(r.error().message.find('\n') == std::string::npos);
  }
}

TEST_CASE("intoto build_statement: exact bytes")
{
  StatementRequest request;
  request.subjects = {
      Subject{"index.docker.io/library/alpine", {{"sha256", hex_a()}}, {}},
      Subject{"", {{"sha512", "ff"}, {"sha256", std::string(k_hex_b)}}, {{"b", "2"}, {"a", "1"}}},
  };
  request.predicate_type = "https://example.com/p/v1";
  request.predicate_json = R"( { "z": 1, "a": {"y": [1, 2.5, "s", true], "b": null}, "u": "\u00e9" } )";
  const auto r = sigil::intoto::build_statement(request);
  REQUIRE_MESSAGE(r.has_value(), r.error().message);
  CHECK(*r == R"({"_type":"https://in-toto.io/Statement/v1","subject":[)"
              R"({"name":"index.docker.io/library/alpine","digest":{"sha256":")" +
                  hex_a() +
                  R"("}},)"
                  R"({"digest":{"sha256":")" +
                  std::string(k_hex_b) +
                  R"(","sha512":"ff"},"annotations":{"a":"1","b":"2"}}],)"
                  R"("predicateType":"https://example.com/p/v1",)"
                  R"("predicate":{"z":1,"a":{"y":[1,2.5,"s",true],"b":null},"u":"é"}})");

  SUBCASE("v0.1, as cosign attest writes")
  {
    request.type = std::string(sigil::intoto::k_statement_v01);
    request.subjects = {Subject{"index.docker.io/x/y", {{"sha256", hex_a()}}, {}}};
    request.predicate_json = "{}";
    const auto v01 = sigil::intoto::build_statement(request);
    REQUIRE(v01.has_value());
    CHECK(*v01 == R"({"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"index.docker.io/x/y",)"
                  R"("digest":{"sha256":")" +
                      hex_a() + R"("}}],"predicateType":"https://example.com/p/v1","predicate":{}})");
  }
}

TEST_CASE("intoto build_statement: refusals")
{
  const auto base = [] {
    StatementRequest r;
    r.subjects = {Subject{"n", {{"sha256", hex_a()}}, {}}};
    r.predicate_type = "https://example.com/p";
    r.predicate_json = "{}";
    return r;
  };
  struct Case {
    std::string name;
    StatementRequest request;
    std::string message;
  };
  std::vector<Case> cases;
  const auto add = [&](std::string name, auto edit, std::string message) {
    StatementRequest r = base();
    edit(r);
    cases.push_back({std::move(name), std::move(r), std::move(message)});
  };
  add(
      "no subjects", [](StatementRequest& r) { r.subjects.clear(); }, "at least one subject");
  add(
      "subject without digest",
      [](StatementRequest& r) {
        r.subjects.push_back(Subject{"x", {}, {}});
      },
      "subject 1 needs a digest");
  add(
      "empty digest value", [](StatementRequest& r) { r.subjects[0].digest["sha256"] = ""; },
      "subject 0 needs a digest");
  add(
      "empty predicate type", [](StatementRequest& r) { r.predicate_type.clear(); }, "needs a predicate type");
  add(
      "wrong statement type", [](StatementRequest& r) { r.type = "https://in-toto.io/Statement/v0.2"; },
      "unsupported in-toto statement type");
  add(
      "predicate is an array", [](StatementRequest& r) { r.predicate_json = "[1]"; },
      "predicate must be a JSON object, not array");
  add(
      "predicate is a string", [](StatementRequest& r) { r.predicate_json = R"("text")"; },
      "predicate must be a JSON object, not string");
  add(
      "predicate is null", [](StatementRequest& r) { r.predicate_json = "null"; }, "not null");
  add(
      "predicate is empty text", [](StatementRequest& r) { r.predicate_json = ""; }, "predicate: invalid JSON");
  add(
      "predicate is not JSON", [](StatementRequest& r) { r.predicate_json = "{a:1}"; }, "predicate: invalid JSON");
  add(
      "predicate repeats a key", [](StatementRequest& r) { r.predicate_json = R"({"a":1,"a":2})"; },
      "predicate: invalid JSON: duplicate key \"a\"");
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const auto r = sigil::intoto::build_statement(c.request);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::bad_input);
    CHECK_MESSAGE(r.error().message.find(c.message) != std::string::npos, r.error().message);
  }
}

TEST_CASE("intoto custom_predicate: cosign's Data/Timestamp wrapper")
{
  CHECK(sigil::intoto::custom_predicate("hello", "2024-05-06T07:08:09Z") ==
        R"({"Data":"hello","Timestamp":"2024-05-06T07:08:09Z"})");
  CHECK(sigil::intoto::custom_predicate("line1\n\"q\" <t> & \xc3\xa9\x01\\", "T") ==
        "{\"Data\":\"line1\\n\\\"q\\\" <t> & \xc3\xa9\\u0001\\\\\",\"Timestamp\":\"T\"}");
  // Invalid UTF-8 becomes U+FFFD, as Go's json.Marshal does.
  CHECK(sigil::intoto::custom_predicate("a\xff", "T") == "{\"Data\":\"a\xef\xbf\xbd\",\"Timestamp\":\"T\"}");

  // It embeds as the predicate of a statement.
  StatementRequest request;
  request.subjects = {Subject{"file.txt", {{"sha256", hex_a()}}, {}}};
  request.predicate_type = std::string(sigil::intoto::k_custom_predicate_type);
  request.predicate_json = sigil::intoto::custom_predicate("x", "2024-05-06T07:08:09Z");
  const auto r = sigil::intoto::build_statement(request);
  REQUIRE(r.has_value());
  CHECK(r->ends_with(R"("predicateType":"https://cosign.sigstore.dev/attestation/v1",)"
                     R"("predicate":{"Data":"x","Timestamp":"2024-05-06T07:08:09Z"}})"));
}

TEST_CASE("intoto cosign_sign_statement: exact bytes")
{
  const sigil::oci::Digest digest{sigil::oci::DigestAlgorithm::sha256, hex_a()};
  CHECK(sigil::intoto::cosign_sign_statement(digest, {}) ==
        R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":")" + hex_a() +
            R"("}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}})");
  CHECK(sigil::intoto::cosign_sign_statement(digest, {{"env", "prod"}, {"a", "b \"c\""}}) ==
        R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":")" + hex_a() +
            R"("},"annotations":{"a":"b \"c\"","env":"prod"}}],)"
            R"("predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}})");

  const std::string hex512(128, 'a');
  const auto s512 = sigil::intoto::cosign_sign_statement({sigil::oci::DigestAlgorithm::sha512, hex512}, {});
  CHECK(s512.find(R"({"digest":{"sha512":")" + hex512 + R"("}})") != std::string::npos);

  // What we write, we read.
  const auto parsed = parse_statement(sigil::intoto::cosign_sign_statement(digest, {{"env", "prod"}}));
  REQUIRE(parsed.has_value());
  CHECK(parsed->type == sigil::intoto::k_statement_v1);
  CHECK(parsed->predicate_type == sigil::intoto::k_cosign_sign_predicate_type);
  CHECK(parsed->predicate == sigil::util::Json::object());
  REQUIRE(parsed->subjects.size() == 1);
  CHECK(parsed->subjects[0].name.empty());
  CHECK(parsed->subjects[0].annotations.at("env") == "prod");
  CHECK(sigil::intoto::has_subject_digest(*parsed, "sha256", k_hex_a));
}

TEST_CASE("intoto parse_statement: a cosign attest statement")
{
  const std::string json =
      R"({"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://cosign.sigstore.dev/attestation/v1",)"
      R"("subject":[{"name":"index.docker.io/library/alpine","digest":{"sha256":")" +
      hex_a() +
      R"("}}],)"
      R"("predicate":{"Data":"hello","Timestamp":"2024-05-06T07:08:09Z"}})";
  const auto r = parse_statement(json);
  REQUIRE_MESSAGE(r.has_value(), r.error().message);
  CHECK(r->type == sigil::intoto::k_statement_v01);
  CHECK(r->predicate_type == sigil::intoto::k_custom_predicate_type);
  REQUIRE(r->subjects.size() == 1);
  CHECK(r->subjects[0].name == "index.docker.io/library/alpine");
  CHECK(r->subjects[0].digest.at("sha256") == k_hex_a);
  CHECK(r->subjects[0].annotations.empty());
  CHECK(r->predicate["Data"] == "hello");
  CHECK(r->raw["subject"][0]["name"] == "index.docker.io/library/alpine");
}

TEST_CASE("intoto parse_statement: optional parts")
{
  SUBCASE("no predicate gives null")
  {
    const auto r = parse_statement(statement(ok_subject(), R"("predicateType":"https://example.com/p")"));
    REQUIRE(r.has_value());
    CHECK(r->predicate.is_null());
  }
  SUBCASE("non-string annotation values stay in raw only")
  {
    const auto r =
        parse_statement(statement(R"([{"digest":{"sha256":"ab"},"annotations":{"s":"v","n":1,"o":{"k":"v"}}}])"));
    REQUIRE(r.has_value());
    CHECK(r->subjects[0].annotations == std::map<std::string, std::string>{{"s", "v"}});
    CHECK(r->raw["subject"][0]["annotations"]["n"] == 1);
  }
  SUBCASE("1024 subjects and 32 digests per subject are accepted")
  {
    const auto r = parse_statement(statement(subjects(1024)));
    REQUIRE(r.has_value());
    CHECK(r->subjects.size() == 1024);
    std::string digests;
    for (int i = 0; i < 32; ++i) {
      digests += (i == 0 ? "" : ",") + std::string(R"("alg)") + std::to_string(i) + R"(":"00")";
    }
    const auto many = parse_statement(statement("[{\"digest\":{" + digests + "}}]"));
    REQUIRE(many.has_value());
    CHECK(many->subjects[0].digest.size() == 32);
  }
  SUBCASE("limits are parameters")
  {
    const auto r = parse_statement(statement(subjects(3)), {.max_subjects = 2});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("field \"subject\" has 3 entries, more than the limit of 2") != std::string::npos);
  }
}

TEST_CASE("intoto parse_statement: refusals name the field")
{
  struct Case {
    std::string name;
    std::string json;
    std::string message;
  };
  const std::string tail = R"("predicateType":"https://example.com/p","predicate":{})";
  const std::vector<Case> cases = {
      {"2000 subjects", statement(subjects(2000)), "field \"subject\" has 2000 entries, more than the limit of 1024"},
      {"not JSON", "{", "invalid JSON"},
      {"not an object", "[]", "not a JSON object"},
      {"duplicate subject",
       R"({"_type":"https://in-toto.io/Statement/v1","subject":)" + ok_subject() +
           R"(,"subject":[{"digest":{"sha256":"00"}}],)" + tail + "}",
       "duplicate key \"subject\""},
      {"duplicate predicateType", statement(ok_subject(), R"("predicateType":"a:b","predicateType":"c:d")"),
       "duplicate key \"predicateType\""},
      {"duplicate digest algorithm", statement(R"([{"digest":{"sha256":"00","sha256":"11"}}])"),
       "duplicate key \"sha256\""},
      {"duplicate key inside the predicate",
       statement(ok_subject(), R"("predicateType":"a:b","predicate":{"x":{"k":1,"k":2}})"), "duplicate key \"k\""},
      {"_type missing", R"({"subject":)" + ok_subject() + "," + tail + "}", "missing field \"_type\""},
      {"_type not a string", R"({"_type":1,"subject":)" + ok_subject() + "," + tail + "}",
       "field \"_type\" is not a string"},
      {"_type v0.2", R"({"_type":"https://in-toto.io/Statement/v0.2","subject":)" + ok_subject() + "," + tail + "}",
       "field \"_type\" is \"https://in-toto.io/Statement/v0.2\", not https://in-toto.io/Statement/v1 or "
       "https://in-toto.io/Statement/v0.1"},
      {"_type of a link", R"({"_type":"link","subject":)" + ok_subject() + "," + tail + "}",
       "field \"_type\" is \"link\""},
      {"subject missing", R"({"_type":"https://in-toto.io/Statement/v1",)" + tail + "}", "missing field \"subject\""},
      {"subject not an array", statement(R"({"digest":{"sha256":"00"}})"), "field \"subject\" is not an array"},
      {"subject empty", statement("[]"), "field \"subject\" is empty"},
      {"subject not an object", statement(R"([{"digest":{"sha256":"00"}},"x"])"), "subject 1: not a JSON object"},
      {"digest missing", statement(R"([{"name":"n"}])"), "subject 0: missing field \"digest\""},
      {"digest not an object", statement(R"([{"digest":"sha256:00"}])"),
       "subject 0: field \"digest\" is not an object"},
      {"digest empty", statement(R"([{"digest":{}}])"), "subject 0: field \"digest\" has 0 entries (1 to 32 allowed)"},
      {"digest value not a string", statement(R"([{"digest":{"sha256":7}}])"),
       "subject 0: field \"digest\": value of \"sha256\" is not a string"},
      {"33 digests",
       [] {
         std::string d;
         for (int i = 0; i < 33; ++i) {
           d += (i == 0 ? "" : ",") + std::string(R"("a)") + std::to_string(i) + R"(":"00")";
         }
         return statement("[{\"digest\":{" + d + "}}]");
       }(),
       "field \"digest\" has 33 entries (1 to 32 allowed)"},
      {"name not a string", statement(R"([{"name":1,"digest":{"sha256":"00"}}])"),
       "subject 0: field \"name\" is not a string"},
      {"annotations not an object", statement(R"([{"digest":{"sha256":"00"},"annotations":[]}])"),
       "field \"annotations\" is not an object"},
      {"predicateType missing", statement(ok_subject(), R"("predicate":{})"), "missing field \"predicateType\""},
      {"predicateType not a string", statement(ok_subject(), R"("predicateType":["a:b"])"),
       "field \"predicateType\" is not a string"},
      {"predicateType empty", statement(ok_subject(), R"("predicateType":"")"), "field \"predicateType\" is empty"},
      {"predicate an array", statement(ok_subject(), R"("predicateType":"a:b","predicate":[])"),
       "field \"predicate\" is not an object"},
      {"predicate a string", statement(ok_subject(), R"("predicateType":"a:b","predicate":"{}")"),
       "field \"predicate\" is not an object"},
      {"predicate null", statement(ok_subject(), R"("predicateType":"a:b","predicate":null)"),
       "field \"predicate\" is not an object"},
      {"too deep",
       statement(ok_subject(),
                 R"("predicateType":"a:b","predicate":{"x":)" + std::string(70, '[') + std::string(70, ']') + "}"),
       "nested deeper than 64 levels"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const auto r = parse_statement(c.json);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::bad_input);
    CHECK(r.error().message.starts_with("malformed in-toto statement: "));
    CHECK_MESSAGE(r.error().message.find(c.message) != std::string::npos, r.error().message);
  }
}

TEST_CASE("intoto has_subject_digest")
{
  const auto r =
      parse_statement(statement(R"([{"name":"a","digest":{"sha512":"ff"}},{"name":"b","digest":{"sha256":")" + hex_a() +
                                R"(","gitCommit":"abc"}}])"));
  REQUIRE(r.has_value());
  CHECK(sigil::intoto::has_subject_digest(*r, "sha256", k_hex_a));
  CHECK(sigil::intoto::has_subject_digest(*r, "sha512", "ff"));
  CHECK(sigil::intoto::has_subject_digest(*r, "sha512", "FF")); // same bytes
  CHECK(sigil::intoto::has_subject_digest(*r, "gitCommit", "abc"));
  CHECK_FALSE(sigil::intoto::has_subject_digest(*r, "sha256", k_hex_b));
  CHECK_FALSE(sigil::intoto::has_subject_digest(*r, "sha512", k_hex_a)); // right hex, wrong algorithm
  CHECK_FALSE(sigil::intoto::has_subject_digest(*r, "SHA256", k_hex_a)); // algorithm names are exact
  CHECK_FALSE(sigil::intoto::has_subject_digest(*r, "sha256", k_hex_a.substr(0, 63)));
  CHECK_FALSE(sigil::intoto::has_subject_digest(*r, "sha256", ""));
  CHECK_FALSE(sigil::intoto::has_subject_digest(*r, "", k_hex_a));
}

TEST_CASE("intoto and dsse: sign a statement, verify the envelope, then read the statement")
{
  auto key = sigil::crypto::PrivateKey::generate(sigil::crypto::KeyKind::ecdsa_p256);
  REQUIRE(key.has_value());
  const sigil::oci::Digest image{sigil::oci::DigestAlgorithm::sha256, hex_a()};
  const std::string payload = sigil::intoto::cosign_sign_statement(image, {});
  const auto env = sigil::dsse::sign(*key, sigil::intoto::k_payload_type, sigil::util::as_bytes(payload));
  REQUIRE(env.has_value());

  const auto received = sigil::dsse::parse(sigil::dsse::serialize(*env));
  REQUIRE(received.has_value());
  REQUIRE(sigil::dsse::any_verified(sigil::dsse::verify(*received, key->public_key())));
  CHECK(received->payload_type == sigil::intoto::k_payload_type);
  const auto st = parse_statement(sigil::util::as_chars(received->payload));
  REQUIRE(st.has_value());
  CHECK(sigil::intoto::has_subject_digest(*st, sigil::oci::algorithm_name(image.algorithm), image.hex));
  // The same signed statement does not bind another image.
  CHECK_FALSE(sigil::intoto::has_subject_digest(*st, "sha256", k_hex_b));
}
