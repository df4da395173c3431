// Tests for sigil::oci references. Cases come from distribution/reference (reference_test.go,
// normalize_test.go), adapted to go-containerregistry's Docker Hub normalisation
// ("index.docker.io/library/x") that cosign writes into signature payloads.
#include "sigil/oci/reference.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using sigil::ErrorCode;
using sigil::oci::Digest;
using sigil::oci::DigestAlgorithm;
using sigil::oci::Reference;

const std::string k_hex_f(64, 'f');
const std::string k_sha256_f = "sha256:" + k_hex_f;
const std::string k_hex_512 = std::string(64, 'a') + std::string(64, '0');

struct ValidCase {
  std::string input;
  std::string registry;
  std::string repository;
  std::string tag;       // "" = no tag
  std::string digest;    // "" = no digest
  std::string canonical; // expected str()
};

struct InvalidCase {
  std::string input;
  std::string message; // expected part of the error message; "" = not checked
};

std::string repeat(std::string_view text, std::size_t count)
{
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    out += text;
  }
  return out;
}

std::vector<ValidCase> valid_reference_cases()
{
  const std::string hub = "index.docker.io";
  const std::string long_path = repeat("a/", 127) + "a"; // 255 characters
  return {
    // reference_test.go TestReferenceParse
    {"test_com", hub, "library/test_com", "latest", "", "index.docker.io/library/test_com:latest"},
    {"test.com:tag", hub, "library/test.com", "tag", "", "index.docker.io/library/test.com:tag"},
    {"test.com:5000", hub, "library/test.com", "5000", "", "index.docker.io/library/test.com:5000"},
    {"test.com/repo:tag", "test.com", "repo", "tag", "", "test.com/repo:tag"},
    {"test:5000/repo", "test:5000", "repo", "latest", "", "test:5000/repo:latest"},
    {"test:5000/repo:tag", "test:5000", "repo", "tag", "", "test:5000/repo:tag"},
    {"test:5000/repo@" + k_sha256_f, "test:5000", "repo", "", k_sha256_f,
     "test:5000/repo@" + k_sha256_f},
    {"test:5000/repo:tag@" + k_sha256_f, "test:5000", "repo", "tag", k_sha256_f,
     "test:5000/repo@" + k_sha256_f},
    {"lowercase:Uppercase", hub, "library/lowercase", "Uppercase", "",
     "index.docker.io/library/lowercase:Uppercase"},
    {long_path + ":tag-puts-this-over-max", hub, long_path, "tag-puts-this-over-max", "",
     "index.docker.io/" + long_path + ":tag-puts-this-over-max"},
    {"sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux", "latest", "",
     "sub-dom1.foo.com/bar/baz/quux:latest"},
    {"sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux",
     "some-long-tag", "", "sub-dom1.foo.com/bar/baz/quux:some-long-tag"},
    {"b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app",
     "test.example.com", "", "b.gcr.io/test.example.com/my-app:test.example.com"},
    {"xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", "",
     "xn--n3h.com/myimage:xn--n3h.com"},
    {"xn--7o8h.com/myimage:xn--7o8h.com@" + k_sha256_f, "xn--7o8h.com", "myimage",
     "xn--7o8h.com", k_sha256_f, "xn--7o8h.com/myimage@" + k_sha256_f},
    {"foo_bar.com:8080", hub, "library/foo_bar.com", "8080", "",
     "index.docker.io/library/foo_bar.com:8080"},
    {"foo/foo_bar.com:8080", hub, "foo/foo_bar.com", "8080", "",
     "index.docker.io/foo/foo_bar.com:8080"},
    {"192.168.1.1", hub, "library/192.168.1.1", "latest", "",
     "index.docker.io/library/192.168.1.1:latest"},
    {"192.168.1.1:tag", hub, "library/192.168.1.1", "tag", "",
     "index.docker.io/library/192.168.1.1:tag"},
    {"192.168.1.1/repo", "192.168.1.1", "repo", "latest", "", "192.168.1.1/repo:latest"},
    {"192.168.1.1:5000/repo", "192.168.1.1:5000", "repo", "latest", "",
     "192.168.1.1:5000/repo:latest"},
    {"192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050", "",
     "192.168.1.1:5000/repo:5050"},
    {"[2001:db8::1]/repo", "[2001:db8::1]", "repo", "latest", "", "[2001:db8::1]/repo:latest"},
    {"[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag", "",
     "[2001:db8:1:2:3:4:5:6]/repo:tag"},
    {"[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "repo", "latest", "",
     "[2001:db8::1]:5000/repo:latest"},
    {"[2001:db8::1]:5000/repo:tag@" + k_sha256_f, "[2001:db8::1]:5000", "repo", "tag",
     k_sha256_f, "[2001:db8::1]:5000/repo@" + k_sha256_f},
    {"[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo", "latest", "",
     "[2001:db8::]:5000/repo:latest"},
    {"[::1]:5000/repo", "[::1]:5000", "repo", "latest", "", "[::1]:5000/repo:latest"},
    {"example.com/" + std::string(255, 'a') + ":tag", "example.com", std::string(255, 'a'),
     "tag", "", "example.com/" + std::string(255, 'a') + ":tag"},
  };
}

std::vector<ValidCase> valid_normalize_cases()
{
  const std::string hub = "index.docker.io";
  return {
    // normalize_test.go: Docker Hub, localhost and IP forms
    {"alpine", hub, "library/alpine", "latest", "", "index.docker.io/library/alpine:latest"},
    {"user/app", hub, "user/app", "latest", "", "index.docker.io/user/app:latest"},
    {"docker.io/x", hub, "library/x", "latest", "", "index.docker.io/library/x:latest"},
    {"docker.io/library/debian", hub, "library/debian", "latest", "",
     "index.docker.io/library/debian:latest"},
    {"index.docker.io/docker/docker", hub, "docker/docker", "latest", "",
     "index.docker.io/docker/docker:latest"},
    {"index.docker.io/debian:12", hub, "library/debian", "12", "",
     "index.docker.io/library/debian:12"},
    {"registry-1.docker.io/library/alpine:3", "registry-1.docker.io", "library/alpine", "3", "",
     "registry-1.docker.io/library/alpine:3"},
    {"localhost/debian", "localhost", "debian", "latest", "", "localhost/debian:latest"},
    {"localhost:5000/library/debian", "localhost:5000", "library/debian", "latest", "",
     "localhost:5000/library/debian:latest"},
    {"localhost:5000", hub, "library/localhost", "5000", "",
     "index.docker.io/library/localhost:5000"},
    {"127.0.0.1:5000/docker/docker", "127.0.0.1:5000", "docker/docker", "latest", "",
     "127.0.0.1:5000/docker/docker:latest"},
    {"192.168.0.1:8/debian", "192.168.0.1:8", "debian", "latest", "",
     "192.168.0.1:8/debian:latest"},
    {"[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian",
     "latest", "", "[fc00:1:2:3:4:5:6:7]:5000/library/debian:latest"},
    {"thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", hub,
     "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "latest", "",
     "index.docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev:latest"},
    {"docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", hub,
     "library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "latest", "",
     "index.docker.io/library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a:latest"},
    {"docker-rules/docker", hub, "docker-rules/docker", "latest", "",
     "index.docker.io/docker-rules/docker:latest"},
    {"docker---rules/docker", hub, "docker---rules/docker", "latest", "",
     "index.docker.io/docker---rules/docker:latest"},
    {"dock__er/docker", hub, "dock__er/docker", "latest", "",
     "index.docker.io/dock__er/docker:latest"},
    {"jess/t", hub, "jess/t", "latest", "", "index.docker.io/jess/t:latest"},
    {"a.b-c.d/x.y_z__w---v/q", "a.b-c.d", "x.y_z__w---v/q", "latest", "",
     "a.b-c.d/x.y_z__w---v/q:latest"},
    {"Registry.Example.COM/app", "Registry.Example.COM", "app", "latest", "",
     "Registry.Example.COM/app:latest"},
    // digests, tags
    {"ghcr.io/org/app@" + k_sha256_f, "ghcr.io", "org/app", "", k_sha256_f,
     "ghcr.io/org/app@" + k_sha256_f},
    {"alpine@sha512:" + k_hex_512, hub, "library/alpine", "", "sha512:" + k_hex_512,
     "index.docker.io/library/alpine@sha512:" + k_hex_512},
    {"app:" + std::string(128, 't'), hub, "library/app", std::string(128, 't'), "",
     "index.docker.io/library/app:" + std::string(128, 't')},
    {"app:_tag", hub, "library/app", "_tag", "", "index.docker.io/library/app:_tag"},
    {"r.example/app:1.0-rc.1_A", "r.example", "app", "1.0-rc.1_A", "",
     "r.example/app:1.0-rc.1_A"},
  };
}

std::vector<InvalidCase> invalid_reference_cases()
{
  return {
    // reference_test.go TestReferenceParse
    {"", "image reference is empty"},
    {":justtag", "repository name is missing"},
    {"@" + k_sha256_f, "repository name is missing"},
    {"repo@sha256:ffffffffffffffffffffffffffffffffff",
     "a sha256 digest has 64 hex digits, this one has 34"},
    {"validname@invaliddigest:" + k_hex_f, "unsupported digest algorithm \"invaliddigest\""},
    {"Uppercase:tag", "repository name must be lowercase"},
    {"test:5000/Uppercase/lowercase:tag", "repository name must be lowercase"},
    {"domain/" + std::string(256, 'a') + ":tag", "the limit is 255"},
    {"aa/asdf$$^/aa", "repository path component \"asdf$$^\" is invalid"},
    {"[2001:db8::1]", "must be followed by a repository"},
    {"[2001:db8::1]:5000", "must be followed by a repository"},
    {"[2001:db8::1]:tag", "must be followed by a repository"},
    {"[fe80::1%eth0]:5000/repo", "may contain only hex digits and ':'"},
    {"[fe80::1%@invalidzone]:5000/repo", ""},
  };
}

std::vector<InvalidCase> invalid_normalize_cases()
{
  return {
      // normalize_test.go TestValidateReferenceName / TestValidateRemoteName
      {"https://github.com/docker/docker", "image references have no scheme"},
      {"docker/Docker", "repository name must be lowercase"},
      {"Docker/docker", "repository name must be lowercase"},
      {"LOCALDOMAIN/debian", "repository name must be lowercase"},
      {"-docker", "repository path component \"-docker\" is invalid"},
      {"-docker/docker", "is invalid"},
      {"-docker.io/docker/docker", "registry host \"-docker.io\" is not a valid host name"},
      {"docker///docker", "has an empty path component"},
      {"docker.io/docker///docker", "has an empty path component"},
      {"docker.io/docker/Docker", "must be lowercase"},
      {"[fc00::1]", "must be followed by a repository"},
      {"[fc00::1]:5000", "must be followed by a repository"},
      {"fc00::1:5000/debian", "registry port"},
      {"[2001:db8:3:4::192.0.2.33]:5000/debian", "no embedded IPv4 address"},
      {"1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "image id"},
      {"docker-/docker", "is invalid"},
      {"-docker-/docker", "is invalid"},
      {"____/____", "is invalid"},
      {"_docker/_docker", "is invalid"},
      {"dock..er/docker", "is not a valid host name"},
      {"dock_.er/docker", "is not a valid host name"},
      {"dock-.er/docker", "is not a valid host name"},
      {"dock___er/docker", "is invalid"},
      {"library/dock..er", "repository path component \"dock..er\" is invalid"},
      {"library/dock_.er", "is invalid"},
      {"docker/", "has an empty path component"},
      {"docker.io/", "repository name is missing"},
      {repeat("namespace", 30) + "/docker", "is 277 characters long; the limit is 255"},
  };
}

std::vector<InvalidCase> invalid_other_cases()
{
  return {
    // lengths: 256-character repositories, Docker Hub's implied "library/" counts
    {"example.com/" + std::string(256, 'a'), "is 256 characters long; the limit is 255"},
    {std::string(248, 'a'), "is 256 characters long; the limit is 255"},
    // tags
    {"app:" + std::string(129, 't'), "tag is 129 characters long; the limit is 128"},
    {"app:", "tag is empty"},
    {"app:.tag", "tag \".tag\" is invalid"},
    {"app:-tag", "tag \"-tag\" is invalid"},
    {"app:ta g", "is invalid"},
    {"app:tag:more", "is invalid"},
    // digests
    {"app@sha256:" + std::string(64, 'F'), "hex digits must be lowercase"},
    {"app@sha256:" + std::string(63, 'f') + "g", "must be hexadecimal"},
    {"app@sha256:" + std::string(65, 'f'), "this one has 65"},
    {"app@sha512:" + k_hex_f, "a sha512 digest has 128 hex digits, this one has 64"},
    {"app@md5:" + std::string(32, 'f'), "unsupported digest algorithm \"md5\"; use sha256 or sha512"},
    {"app@SHA256:" + k_hex_f, "unsupported digest algorithm"},
    {"app@sha256", "expected <algorithm>:<hex>"},
    {"app@", "expected <algorithm>:<hex>"},
    {"app:tag@", "expected <algorithm>:<hex>"},
    {"app@" + k_sha256_f + "@" + k_sha256_f, "must be hexadecimal"},
    // hosts and ports
    {"localhost:0/app", "registry port \"0\" must be a number from 1 to 65535"},
    {"localhost:65536/app", "registry port \"65536\""},
    {"host.example:99999999999/app", "registry port"},
    {"ex_ample.com/app", "registry host \"ex_ample.com\" is not a valid host name"},
    {"host.example./app", "is not a valid host name"},
    {"[::1/app", "has no closing ']'"},
    {"[::1]x/app", "unexpected text"},
    {"[]:5000/app", "may contain only hex digits"},
    // stray characters
    {" alpine", "is invalid"},
    {"alpine\n", "is invalid"},
    {"r.example/app/:tag", "has an empty path component"},
  };
}

template <typename T> std::vector<T> concat(std::vector<T> a, const std::vector<T>& b)
{
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<ValidCase> valid_cases() { return concat(valid_reference_cases(), valid_normalize_cases()); }

std::vector<InvalidCase> invalid_cases()
{
  return concat(concat(invalid_reference_cases(), invalid_normalize_cases()), invalid_other_cases());
}

} // namespace

TEST_CASE("oci reference: valid references parse to their normalised fields")
{
  const auto cases = valid_cases();
  CHECK(cases.size() >= 50);
  for (const ValidCase& c : cases) {
    CAPTURE(c.input);
    const auto parsed = Reference::parse(c.input);
    REQUIRE_MESSAGE(parsed.has_value(), (parsed ? std::string() : parsed.error().message));
    CHECK(parsed->registry() == c.registry);
    CHECK(parsed->repository() == c.repository);
    CHECK(parsed->name() == c.registry + "/" + c.repository);
    CHECK(parsed->tag().value_or("") == c.tag);
    CHECK((parsed->digest() ? parsed->digest()->str() : std::string()) == c.digest);
    CHECK(parsed->str() == c.canonical);
    CHECK(parsed->has_tag_and_digest() == (!c.tag.empty() && !c.digest.empty()));

    // parse -> str -> parse is stable
    const auto again = Reference::parse(parsed->str());
    REQUIRE(again.has_value());
    CHECK(again->str() == parsed->str());
    CHECK(again->registry() == parsed->registry());
    CHECK(again->repository() == parsed->repository());
    CHECK(again->digest() == parsed->digest());
  }
}

TEST_CASE("oci reference: invalid references are rejected with a usage error")
{
  const auto cases = invalid_cases();
  CHECK(cases.size() >= 50);
  for (const InvalidCase& c : cases) {
    CAPTURE(c.input);
    const auto parsed = Reference::parse(c.input);
    REQUIRE_MESSAGE(!parsed.has_value(), (parsed ? parsed->str() : std::string()));
    CHECK(parsed.error().code == ErrorCode::usage);
    CAPTURE(parsed.error().message);
    CHECK(parsed.error().message.find(c.message) != std::string::npos);
  }
}

TEST_CASE("oci reference: error messages quote the input")
{
  const auto parsed = Reference::parse("Foo/Bar:1");
  REQUIRE(!parsed);
  CHECK(parsed.error().message ==
        "invalid image reference \"Foo/Bar:1\": repository name must be lowercase: \"Foo/Bar\"");

  // A URL where a reference was expected: say there is no scheme (not "port must be a number").
  for (const std::string scheme : {"https://", "http://", "oci://"}) {
    const auto url = Reference::parse(scheme + "registry.example.com/app:1");
    REQUIRE(!url);
    CHECK(url.error().code == ErrorCode::usage);
    CHECK(url.error().message == "invalid image reference \"" + scheme +
                                     "registry.example.com/app:1\": image references have no scheme: drop \"" + scheme +
                                     "\" and write host/repository:tag or host/repository@sha256:<hex>");
  }

  const auto digest = Reference::parse("app@sha1:" + std::string(40, 'a'));
  REQUIRE(!digest);
  CHECK(digest.error().message.starts_with("invalid image reference \"app@sha1:"));
  CHECK(digest.error().message.ends_with("unsupported digest algorithm \"sha1\"; use sha256 or sha512"));
}

TEST_CASE("oci reference: implied tag, tag and digest together")
{
  const auto implied = Reference::parse("alpine");
  REQUIRE(implied);
  CHECK(implied->tag_implied());
  CHECK(implied->tag() == "latest");
  CHECK(implied->identifier() == "latest");

  const auto explicit_latest = Reference::parse("alpine:latest");
  REQUIRE(explicit_latest);
  CHECK_FALSE(explicit_latest->tag_implied());

  const auto by_digest = Reference::parse("alpine@" + k_sha256_f);
  REQUIRE(by_digest);
  CHECK_FALSE(by_digest->tag_implied());
  CHECK_FALSE(by_digest->tag().has_value());
  CHECK(by_digest->identifier() == k_sha256_f);

  const auto both = Reference::parse("r.example/app:v1@" + k_sha256_f);
  REQUIRE(both);
  CHECK(both->has_tag_and_digest());
  CHECK(both->tag() == "v1");
  CHECK(both->identifier() == k_sha256_f);
  CHECK(both->str() == "r.example/app@" + k_sha256_f);
}

TEST_CASE("oci reference: registry host, port, api host")
{
  struct HostCase {
    std::string input;
    std::string host;
    int port; // 0 = none
    std::string api_host;
    bool docker_hub;
  };
  const std::vector<HostCase> cases = {
    {"alpine", "index.docker.io", 0, "registry-1.docker.io", true},
    {"docker.io/user/app", "index.docker.io", 0, "registry-1.docker.io", true},
    {"ghcr.io/o/a", "ghcr.io", 0, "ghcr.io", false},
    {"127.0.0.1:5000/a", "127.0.0.1", 5000, "127.0.0.1:5000", false},
    {"[::1]:5000/a", "[::1]", 5000, "[::1]:5000", false},
    {"[2001:db8::1]/a", "[2001:db8::1]", 0, "[2001:db8::1]", false},
    {"localhost:65535/a", "localhost", 65535, "localhost:65535", false},
  };
  for (const HostCase& c : cases) {
    CAPTURE(c.input);
    const auto parsed = Reference::parse(c.input);
    REQUIRE(parsed);
    CHECK(parsed->host() == c.host);
    CHECK(parsed->port().value_or(0) == c.port);
    CHECK(parsed->api_host() == c.api_host);
    CHECK(parsed->is_docker_hub() == c.docker_hub);
  }
}

TEST_CASE("oci reference: loopback registries")
{
  struct LoopbackCase {
    std::string input;
    bool loopback;
  };
  const std::vector<LoopbackCase> cases = {
    {"localhost/a", true},
    {"localhost:5000/a", true},
    {"LocalHost:5000/a", true},
    {"127.0.0.1:5000/a", true},
    {"127.255.0.9/a", true},
    {"[::1]:5000/a", true},
    {"[0:0:0:0:0:0:0:1]/a", true},
    {"[::ffff:7f00:1]:5000/a", true},
    {"alpine", false},
    {"128.0.0.1/a", false},
    {"127.0.0/a", false},
    {"127.0.0.256/a", false},
    {"127.0.0.1.example.com/a", false},
    {"localhost.example.com/a", false},
    {"[::2]/a", false},
    {"[2001:db8::1]:5000/a", false},
  };
  for (const LoopbackCase& c : cases) {
    CAPTURE(c.input);
    const auto parsed = Reference::parse(c.input);
    REQUIRE(parsed);
    CHECK(parsed->is_loopback() == c.loopback);
  }
}

TEST_CASE("oci reference: with_digest and with_tag")
{
  const auto parsed = Reference::parse("r.example:5000/team/app:v1");
  REQUIRE(parsed);
  const auto digest = sigil::oci::parse_digest(k_sha256_f);
  REQUIRE(digest);

  const Reference by_digest = parsed->with_digest(*digest);
  CHECK(by_digest.str() == "r.example:5000/team/app@" + k_sha256_f);
  CHECK_FALSE(by_digest.tag().has_value());
  CHECK_FALSE(by_digest.has_tag_and_digest());

  const Reference by_tag = by_digest.with_tag("sha256-" + k_hex_f + ".sig");
  CHECK(by_tag.str() == "r.example:5000/team/app:sha256-" + k_hex_f + ".sig");
  CHECK_FALSE(by_tag.digest().has_value());
  CHECK_FALSE(by_tag.tag_implied());

  const auto implied = Reference::parse("alpine");
  REQUIRE(implied);
  CHECK_FALSE(implied->with_tag("3.20").tag_implied());
  CHECK(implied->with_tag("3.20").str() == "index.docker.io/library/alpine:3.20");

  CHECK(sigil::oci::is_valid_tag("v1.0"));
  CHECK(sigil::oci::is_valid_tag(std::string(128, 'x')));
  CHECK_FALSE(sigil::oci::is_valid_tag(std::string(129, 'x')));
  CHECK_FALSE(sigil::oci::is_valid_tag(""));
  CHECK_FALSE(sigil::oci::is_valid_tag(".v1"));
}

TEST_CASE("oci reference: parse_digest")
{
  const auto sha256 = sigil::oci::parse_digest(k_sha256_f);
  REQUIRE(sha256);
  CHECK(sha256->algorithm == DigestAlgorithm::sha256);
  CHECK(sha256->hex == k_hex_f);
  CHECK(sha256->str() == k_sha256_f);
  CHECK(sha256->is_valid());

  const auto sha512 = sigil::oci::parse_digest("sha512:" + k_hex_512);
  REQUIRE(sha512);
  CHECK(sha512->algorithm == DigestAlgorithm::sha512);
  CHECK(sha512->str() == "sha512:" + k_hex_512);

  const std::vector<std::string> bad = {
    "",
    "sha256",
    "sha256:",
    ":" + k_hex_f,
    "sha256:" + std::string(63, 'f'),
    "sha256:" + std::string(64, 'A'),
    "sha256:" + k_hex_f + "\n",
    " sha256:" + k_hex_f,
    "sha512:" + k_hex_f,
    "sha384:" + std::string(96, 'f'),
    "sha256:" + k_hex_f + ":",
  };
  for (const std::string& text : bad) {
    CAPTURE(text);
    const auto parsed = sigil::oci::parse_digest(text);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == ErrorCode::usage);
    CHECK(parsed.error().message.starts_with("invalid digest "));
  }
}

TEST_CASE("oci reference: signature_tag")
{
  const Digest sha256{DigestAlgorithm::sha256, std::string(64, 'a')};
  CHECK(sigil::oci::signature_tag(sha256, "sig") == "sha256-" + std::string(64, 'a') + ".sig");
  CHECK(sigil::oci::signature_tag(sha256, "att") == "sha256-" + std::string(64, 'a') + ".att");
  CHECK(sigil::oci::signature_tag(sha256, "sbom") == "sha256-" + std::string(64, 'a') + ".sbom");
  CHECK(sigil::oci::signature_tag(sha256, "") == "sha256-" + std::string(64, 'a'));

  // OCI referrers tag schema: encoded part truncated to 64 characters.
  const Digest sha512{DigestAlgorithm::sha512, k_hex_512};
  CHECK(sigil::oci::signature_tag(sha512, "") == "sha512-" + std::string(64, 'a'));
  const std::string sig512 = sigil::oci::signature_tag(sha512, "sig");
  CHECK(sig512 == "sha512-" + std::string(64, 'a') + ".sig");
  CHECK(sigil::oci::is_valid_tag(sig512));
}
