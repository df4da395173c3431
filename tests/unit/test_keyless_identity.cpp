// keyless::IdentityPolicy: SAN, issuer and Fulcio extensions; RE2 anchoring; GitLab shorthand.
#include "sigil/crypto/key.hpp"
#include "sigil/keyless/identity.hpp"

#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace sigil;

namespace {

// A self-signed certificate shaped like a Fulcio leaf: SANs and extensions as given ("ASN1:..."
// values in OpenSSL's generic extension syntax).
crypto::Certificate make_cert(const std::vector<std::string>& sans,
                              const std::vector<std::pair<std::string, std::string>>& extensions)
{
  auto key = crypto::PrivateKey::generate(crypto::KeyKind::ecdsa_p256);
  REQUIRE(key);
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 600);
  X509_set_pubkey(x.get(), key->get());
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  auto add = [&](const std::string& name, const std::string& value) {
    X509_EXTENSION* ext = X509V3_EXT_nconf(nullptr, &ctx, name.c_str(), value.c_str());
    REQUIRE(ext != nullptr);
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  };
  std::string san;
  for (const auto& s : sans) {
    san += (san.empty() ? "" : ",") + s;
  }
  if (!san.empty()) {
    add("subjectAltName", san);
  }
  for (const auto& [oid, value] : extensions) {
    add(oid, value);
  }
  REQUIRE(X509_sign(x.get(), key->get(), EVP_sha256()) > 0);
  unsigned char* der = nullptr;
  const int len = i2d_X509(x.get(), &der);
  REQUIRE(len > 0);
  util::Bytes bytes(der, der + len);
  OPENSSL_free(der);
  auto cert = crypto::Certificate::from_der(bytes);
  REQUIRE(cert);
  return *cert;
}

std::string ext(int n)
{
  return "1.3.6.1.4.1.57264.1." + std::to_string(n);
}

std::string utf8(const std::string& v)
{
  return "ASN1:UTF8String:" + v;
}

// What Fulcio issues for a GitLab CI job of grp/proj on refs/tags/v1.2.0.
crypto::Certificate gitlab_cert(const std::string& project = "grp/proj", const std::string& ref = "refs/tags/v1.2.0")
{
  const std::string repo = "https://gitlab.com/" + project;
  return make_cert({"URI:" + repo + "//.gitlab-ci.yml@" + ref},
                   {{ext(8), utf8("https://gitlab.com")},
                    {ext(11), utf8("gitlab-hosted")},
                    {ext(12), utf8(repo)},
                    {ext(13), utf8("0123456789abcdef0123456789abcdef01234567")},
                    {ext(14), utf8(ref)},
                    {ext(18), utf8(repo + "//.gitlab-ci.yml@" + ref)},
                    {ext(20), utf8("push")},
                    {ext(21), utf8(repo + "/-/jobs/42")},
                    {ext(23), utf8("production")}});
}

keyless::IdentityPolicy exact(const std::string& subject, const std::string& issuer)
{
  keyless::IdentityPolicy p;
  p.subject = keyless::ValueMatcher::exact(subject);
  p.issuer = keyless::ValueMatcher::exact(issuer);
  return p;
}

keyless::ValueMatcher re(const std::string& pattern)
{
  auto m = keyless::ValueMatcher::regexp(pattern);
  REQUIRE(m);
  return *m;
}

} // namespace

TEST_CASE("identity: exact SAN and issuer")
{
  const auto cert = make_cert({"email:dev@example.com"}, {{ext(8), utf8("https://accounts.example.com")}});
  auto ok = keyless::match_identity(exact("dev@example.com", "https://accounts.example.com"), cert);
  REQUIRE(ok);
  CHECK(ok->subject == "dev@example.com");
  CHECK(ok->issuer == "https://accounts.example.com");

  auto wrong_id = keyless::match_identity(exact("other@example.com", "https://accounts.example.com"), cert);
  REQUIRE_FALSE(wrong_id);
  CHECK(wrong_id.error().code == ErrorCode::none_verified);
  CHECK(wrong_id.error().message ==
        "certificate identity dev@example.com does not match the expected identity other@example.com");

  auto wrong_iss = keyless::match_identity(exact("dev@example.com", "https://evil.example.com"), cert);
  REQUIRE_FALSE(wrong_iss);
  CHECK(wrong_iss.error().message == "certificate issuer https://accounts.example.com does not match the expected "
                                     "issuer https://evil.example.com");
}

TEST_CASE("identity: the issuer comes from .8 (DER UTF8String), else the deprecated raw .1")
{
  const auto v1 = make_cert({"email:a@b.c"}, {{ext(1), "DER:68747470733a2f2f6f6c642e6578616d706c65"}});
  auto id = keyless::read_identity(v1);
  REQUIRE(id);
  CHECK(id->issuer == "https://old.example");
  const auto both = make_cert({"email:a@b.c"}, {{ext(1), "DER:6f6c64"}, {ext(8), utf8("new")}});
  CHECK(keyless::read_identity(both)->issuer == "new");
  const auto none = make_cert({"email:a@b.c"}, {});
  auto missing = keyless::read_identity(none);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("no OIDC issuer extension") != std::string::npos);
  // .8 holding raw bytes instead of a UTF8String is malformed, not "a string".
  const auto raw8 = make_cert({"email:a@b.c"}, {{ext(8), "DER:68747470"}});
  CHECK_FALSE(keyless::read_identity(raw8));
}

TEST_CASE("identity: regexps are RE2 and match the whole value")
{
  const auto good = gitlab_cert("good/x");
  const auto evil = gitlab_cert("evil/x");
  keyless::IdentityPolicy p;
  p.subject = re("https://gitlab.com/good/.*");
  p.issuer = keyless::ValueMatcher::exact("https://gitlab.com");
  CHECK(keyless::match_identity(p, good));
  CHECK_FALSE(keyless::match_identity(p, evil));
  // Unanchored in cosign (Go MatchString): "good/x" would match inside "https://gitlab.com/evil/x?good/x".
  p.subject = re("good/x//.gitlab-ci.yml@refs/tags/v1.2.0");
  CHECK_FALSE(keyless::match_identity(p, good));
  p.subject = re("https://gitlab\\.com/(good|other)/x//\\.gitlab-ci\\.yml@refs/tags/v[0-9.]+");
  CHECK(keyless::match_identity(p, good));
  p.issuer = re("https://gitlab");
  auto prefix = keyless::match_identity(p, good);
  REQUIRE_FALSE(prefix);
  CHECK(prefix.error().message.find("does not match the expected issuer regexp ^(?:https://gitlab)$") !=
        std::string::npos);
  auto bad = keyless::ValueMatcher::regexp("(unclosed");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ErrorCode::usage);
  // Perl-only syntax RE2 refuses (backreferences): a usage error, never a silent non-match.
  CHECK_FALSE(keyless::ValueMatcher::regexp("(a)\\1"));
}

TEST_CASE("identity: each GitLab Fulcio extension is checked, DER-decoded")
{
  const auto cert = gitlab_cert();
  const std::string repo = "https://gitlab.com/grp/proj";
  const std::vector<std::pair<int, std::string>> right{
    {11, "gitlab-hosted"}, {12, repo},   {13, "0123456789abcdef0123456789abcdef01234567"},
    {14, "refs/tags/v1.2.0"}, {18, repo + "//.gitlab-ci.yml@refs/tags/v1.2.0"}, {20, "push"},
    {21, repo + "/-/jobs/42"}, {23, "production"}};
  for (const auto& [n, value] : right) {
    CAPTURE(n);
    auto p = exact(repo + "//.gitlab-ci.yml@refs/tags/v1.2.0", "https://gitlab.com");
    p.extensions.push_back({n, keyless::ValueMatcher::exact(value)});
    CHECK(keyless::match_identity(p, cert));
    p.extensions.back().value = keyless::ValueMatcher::exact(value + "x");
    auto wrong = keyless::match_identity(p, cert);
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().message.find("(1.3.6.1.4.1.57264.1." + std::to_string(n) + ") " + value +
                                     " does not match the expected " + value + "x") != std::string::npos);
  }
  auto p = exact(repo + "//.gitlab-ci.yml@refs/tags/v1.2.0", "https://gitlab.com");
  p.extensions.push_back({22, keyless::ValueMatcher::exact("public")});
  auto absent = keyless::match_identity(p, cert);
  REQUIRE_FALSE(absent);
  CHECK(absent.error().message ==
        "the certificate has no source repository visibility extension (1.3.6.1.4.1.57264.1.22); expected public");
}

TEST_CASE("identity: --gitlab-project shorthand")
{
  keyless::IdentityPolicy p;
  REQUIRE(keyless::add_gitlab_shorthand(p, {"grp/proj", std::string{"refs/tags/v*"}, "https://gitlab.com", ".gitlab-ci.yml"}));
  CHECK(keyless::match_identity(p, gitlab_cert()));
  CHECK_FALSE(keyless::match_identity(p, gitlab_cert("grp/proj", "refs/heads/main")));
  CHECK_FALSE(keyless::match_identity(p, gitlab_cert("grp/proj2")));
  CHECK_FALSE(keyless::match_identity(p, gitlab_cert("grp/projx")));

  keyless::IdentityPolicy main_only;
  REQUIRE(keyless::add_gitlab_shorthand(main_only, {"grp/proj", std::string{"main"}, "https://gitlab.com/", ".gitlab-ci.yml"}));
  CHECK(keyless::match_identity(main_only, gitlab_cert("grp/proj", "refs/heads/main")));
  CHECK_FALSE(keyless::match_identity(main_only, gitlab_cert()));

  keyless::IdentityPolicy any_ref;
  REQUIRE(keyless::add_gitlab_shorthand(any_ref, {"grp/proj", std::nullopt, "https://gitlab.com", ".gitlab-ci.yml"}));
  CHECK(keyless::match_identity(any_ref, gitlab_cert("grp/proj", "refs/heads/feature/x")));

  keyless::IdentityPolicy other_instance;
  REQUIRE(keyless::add_gitlab_shorthand(other_instance, {"grp/proj", std::nullopt, "https://gitlab.example.com",
                                                         ".gitlab-ci.yml"}));
  CHECK_FALSE(keyless::match_identity(other_instance, gitlab_cert()));

  for (const char* bad : {"proj", "/grp/proj", "grp//proj", "grp/proj/", "grp/pr oj", "grp/*"}) {
    CAPTURE(bad);
    keyless::IdentityPolicy q;
    auto r = keyless::add_gitlab_shorthand(q, {bad, std::nullopt, "https://gitlab.com", ".gitlab-ci.yml"});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::usage);
  }
  keyless::IdentityPolicy clash = exact("x", "y");
  CHECK_FALSE(keyless::add_gitlab_shorthand(clash, {"grp/proj", std::nullopt, "https://gitlab.com", ".gitlab-ci.yml"}));
}
