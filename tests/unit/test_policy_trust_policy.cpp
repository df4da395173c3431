// Tests for the trust policy file (sigil-policy(5)): a full valid policy read back, 40 malformed
// policies each refused with the exact "FILE:LINE: PATH: message", the image pattern rules and the
// precedence table of TrustPolicy::select, and the words of describe_policy.
#include "sigil/policy/trust_policy.hpp"

#include "sigil/oci/reference.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using sigil::ErrorCode;
using namespace sigil::policy;

const std::string k_head = "apiVersion: sigil.dev/v1\nkind: TrustPolicy\nspec:\n  rules:\n";

// A rule list after the fixed four-line header: the rule starts on line 5.
std::string with_rules(std::string_view rules)
{
  return k_head + std::string{rules};
}

std::string error_of(const std::string& text)
{
  auto p = parse_trust_policy(text, "p.yaml");
  if (p) {
    return "(accepted)";
  }
  CHECK(p.error().code == ErrorCode::bad_input);
  return p.error().message;
}

struct Case {
  std::string text;
  std::string message;
};

const std::string k_rule = "    - name: app\n      images: [r.example/team/*]\n";

std::vector<Case> malformed()
{
  return {
    {"", "p.yaml:1: (document): the policy is empty"},
    {"a: [", "p.yaml:1: not valid YAML: end of sequence flow not found"},
    {"- 1\n", "p.yaml:1: (top level): expected a mapping with apiVersion: sigil.dev/v1, found a list"},
    {"kind: TrustPolicy\nspec: {}\n", "p.yaml:1: (top level): missing \"apiVersion\": sigil.dev/v1"},
    {"apiVersion: sigil.dev/v2\nkind: TrustPolicy\nspec: {}\n",
     "p.yaml:1: apiVersion: unsupported apiVersion \"sigil.dev/v2\": this sigil reads sigil.dev/v1"},
    {"apiVersion: sigil.dev/v1\nkind: ClusterPolicy\nspec: {}\n",
     "p.yaml:2: kind: kind \"ClusterPolicy\": expected TrustPolicy"},
    {"apiVersion: sigil.dev/v1\nkind: TrustPolicy\n", "p.yaml:1: (top level): missing \"spec\": the rules"},
    {"apiVersion: sigil.dev/v1\nkind: TrustPolicy\nspecs: {}\n",
     "p.yaml:3: specs: unknown field \"specs\" (known here: apiVersion, kind, metadata, spec)"},
    {"apiVersion: sigil.dev/v1\nkind: TrustPolicy\nmetadata: {name: x, labels: {}}\nspec: {}\n",
     "p.yaml:3: metadata.labels: unknown field \"labels\" (known here: name)"},
    {"apiVersion: sigil.dev/v1\nkind: TrustPolicy\nspec: {}\n", "p.yaml:3: spec: missing \"rules\": at least one rule"},
    {k_head + "    []\n", "p.yaml:5: spec.rules: the list is empty"},
    {"apiVersion: sigil.dev/v1\nkind: TrustPolicy\nspec:\n  rules: {}\n", "p.yaml:4: spec.rules: expected a list of rules"},
    {with_rules("    - name: app\n      signatures: [{key: k.pub}]\n"),
     "p.yaml:5: spec.rules[0]: missing \"images\": the image patterns this rule is about"},
    {with_rules(k_rule), "p.yaml:5: spec.rules[0]: missing \"signatures\": who must have signed (mode enforce)"},
    {with_rules(k_rule + "      mode: block\n"),
     "p.yaml:7: spec.rules[0].mode: unknown mode \"block\": enforce, audit or skip"},
    {with_rules(k_rule + "      mode: skip\n      signatures: [{key: k.pub}]\n"),
     "p.yaml:7: spec.rules[0].mode: mode skip verifies nothing: drop signatures and attestations, or use audit"},
    {with_rules(k_rule + "      signature: [{key: k.pub}]\n"),
     "p.yaml:7: spec.rules[0].signature: unknown field \"signature\" (known here: name, images, mode, signatures, "
     "count, attestations, trust)"},
    {with_rules("    - name: app\n      images: []\n"), "p.yaml:6: spec.rules[0].images: the list is empty"},
    {with_rules("    - name: app\n      images: [r.example/app:1.0]\n"),
     "p.yaml:6: spec.rules[0].images[0]: an image pattern names a repository, not a tag: drop the \":TAG\""},
    {with_rules("    - name: app\n      images:\n        - r.example/a\n        - r.example/app@sha256:00\n"),
     "p.yaml:8: spec.rules[0].images[1]: an image pattern names a repository, not a digest: drop the \"@...\""},
    {with_rules("    - name: app\n      images: [r.example/***]\n"),
     "p.yaml:6: spec.rules[0].images[0]: \"***\" in an image pattern: write \"*\" (one component) or \"**\" (any)"},
    {with_rules("    - name: app\n      images: [{a: b}]\n"),
     "p.yaml:6: spec.rules[0].images[0]: expected a string, found a mapping"},
    {with_rules(k_rule + "      signatures: [{key: k.pub}]\n    - name: app\n      images: [x]\n      mode: skip\n"),
     "p.yaml:8: spec.rules[1].name: rule name \"app\" is used twice"},
    {with_rules(k_rule + "      signatures: []\n"), "p.yaml:7: spec.rules[0].signatures: the list is empty"},
    {with_rules(k_rule + "      signatures:\n        - name: k\n"),
     "p.yaml:8: spec.rules[0].signatures[0]: an authority needs \"key\" or \"keyless\""},
    {with_rules(k_rule + "      signatures:\n        - key: k.pub\n          keyless: {issuer: i, subject: s}\n"),
     "p.yaml:9: spec.rules[0].signatures[0].keyless: an authority is a key or keyless, not both"},
    {with_rules(k_rule + "      signatures:\n        - key: {file: a.pub, env: B}\n"),
     "p.yaml:8: spec.rules[0].signatures[0].key: give exactly one of file, env, pem"},
    {with_rules(k_rule + "      signatures:\n        - key: {path: a.pub}\n"),
     "p.yaml:8: spec.rules[0].signatures[0].key.path: unknown field \"path\" (known here: file, env, pem)"},
    {with_rules(k_rule + "      signatures:\n        - key: {pem: not a key}\n"),
     "p.yaml:8: spec.rules[0].signatures[0].key.pem: expected a PEM public key (-----BEGIN PUBLIC KEY-----)"},
    {with_rules(k_rule + "      signatures:\n        - keyless:\n            issuer: https://gitlab.com\n"),
     "p.yaml:9: spec.rules[0].signatures[0].keyless: a keyless authority needs issuer (or issuerRegExp) and "
     "subject (or subjectRegExp), or gitlab.project"},
    {with_rules(k_rule + "      signatures:\n        - keyless:\n            issuer: https://gitlab.com\n"
                         "            issuerRegExp: https://.*\n            subject: s\n"),
     "p.yaml:10: spec.rules[0].signatures[0].keyless.issuerRegExp: give issuer or issuerRegExp, not both"},
    {with_rules(k_rule + "      signatures:\n        - keyless:\n            issuer: https://gitlab.com\n"
                         "            subjectRegExp: 'https://(a'\n"),
     "p.yaml:10: spec.rules[0].signatures[0].keyless.subjectRegExp: not a valid RE2 regexp: missing ): https://(a"},
    {with_rules(k_rule + "      signatures:\n        - keyless:\n            issuer: https://gitlab.com\n"
                         "            issuer_url: x\n"),
     "p.yaml:10: spec.rules[0].signatures[0].keyless.issuer_url: unknown field \"issuer_url\" (known here: issuer, "
     "issuerRegExp, subject, subjectRegExp, gitlab, extensions)"},
    {with_rules(k_rule + "      signatures:\n        - keyless:\n            issuer: https://gitlab.com\n"
                         "            gitlab: {project: g/p}\n"),
     "p.yaml:10: spec.rules[0].signatures[0].keyless.gitlab: gitlab sets the issuer and the subject: drop "
     "issuer/subject or drop gitlab"},
    {with_rules(k_rule + "      signatures:\n        - keyless:\n            gitlab: {ref: main}\n"),
     "p.yaml:9: spec.rules[0].signatures[0].keyless.gitlab: missing \"project\": the GROUP/PROJECT whose CI signed"},
    {with_rules(k_rule + "      signatures:\n        - keyless:\n            gitlab: {project: g/p}\n"
                         "            extensions: [a]\n"),
     "p.yaml:10: spec.rules[0].signatures[0].keyless.extensions: expected a mapping of Fulcio extension names to "
     "exact values"},
    {with_rules(k_rule + "      signatures:\n        - {name: k, key: a.pub}\n        - {name: k, key: b.pub}\n"),
     "p.yaml:9: spec.rules[0].signatures[1]: authority name \"k\" is used twice in this list"},
    {with_rules(k_rule + "      count: 2\n      signatures: [{key: a.pub}]\n"),
     "p.yaml:7: spec.rules[0].count: count 2 is more than the 1 authorities listed"},
    {with_rules(k_rule + "      count: 0\n      signatures: [{key: a.pub}]\n"),
     "p.yaml:7: spec.rules[0].count: expected a whole number from 1 to 100"},
    {with_rules(k_rule + "      count: two\n      signatures: [{key: a.pub}]\n"),
     "p.yaml:7: spec.rules[0].count: expected a whole number from 1 to 100"},
    {with_rules(k_rule + "      mode: skip\n      count: 1\n"), "p.yaml:8: spec.rules[0].count: count without signatures"},
    {with_rules(k_rule + "      signatures: [{key: a.pub}]\n      attestations:\n        - name: prov\n"),
     "p.yaml:9: spec.rules[0].attestations[0]: missing \"predicateType\": a cosign name (slsaprovenance1, spdxjson, "
     "...) or a URI"},
    {with_rules(k_rule + "      signatures: [{key: a.pub}]\n      attestations:\n        - predicateType: spdxjson\n"
                         "          conditions:\n            - {path: /predicate/x}\n"),
     "p.yaml:11: spec.rules[0].attestations[0].conditions[0]: give exactly one of equals, regexp"},
    {with_rules(k_rule + "      signatures: [{key: a.pub}]\n      attestations:\n        - predicateType: spdxjson\n"
                         "          conditions:\n            - {path: predicate, equals: x}\n"),
     "p.yaml:11: spec.rules[0].attestations[0].conditions[0].path: condition \"predicate=x\": json pointer \"predicate\" must be empty or "
     "start with \"/\""},
    {with_rules(k_rule + "      signatures: [{key: a.pub}]\n      attestations:\n        - predicateType: spdxjson\n"
                         "          conditions:\n            - path: /predicate/x\n              regexp: '(a\\1)'\n"),
     "p.yaml:12: spec.rules[0].attestations[0].conditions[0].regexp: condition \"/predicate/x=(a\\1)\": invalid "
     "regular expression \"(a\\1)\": unexpected back-reference in polynomial mode."},
    {with_rules(k_rule + "      signatures: [{key: a.pub}]\n      attestations:\n        - predicateType: slsaprovenance1\n"
                         "          sourceRef: 'refs/heads/a..b'\n"),
     "p.yaml:10: spec.rules[0].attestations[0].sourceRef: not a git ref (e.g. main, refs/tags/v*)"},
    {with_rules(k_rule + "      signatures: [{key: a.pub}]\n      trust: {trustedRoot: a.json, tuf: {mirror: x}}\n"),
     "p.yaml:8: spec.rules[0].trust.tuf: give trustedRoot or tuf, not both"},
    {with_rules(k_rule + "      signatures: [{key: a.pub}]\n      trust: {fulcio: x}\n"),
     "p.yaml:8: spec.rules[0].trust.fulcio: unknown field \"fulcio\" (known here: trustedRoot, tuf)"},
    {with_rules(k_rule + "      signatures: [{key: a.pub}]\n  default:\n    images: [x]\n"),
     "p.yaml:9: spec.default.images: unknown field \"images\" (known here: name, mode, signatures, count, "
     "attestations, trust)"},
    {with_rules(k_rule + "      signatures: [{key: a.pub}]\n      signatures: [{key: b.pub}]\n"),
     "p.yaml:8: spec.rules[0].signatures: written twice"},
    {with_rules(k_rule + "      mode: skip\n") + "---\napiVersion: sigil.dev/v1\n",
     "p.yaml:9: (document 2): one policy per file: remove the second YAML document"},
    {R"({"apiVersion": "sigil.dev/v1", "kind": "TrustPolicy",
"spec": {"rules": [{"name": "a", "images": ["x"],
  "mode": "audit", "signatures": [{"key": {"env": "K", "file": "f"}}]}]}})",
     "p.yaml:3: spec.rules[0].signatures[0].key: give exactly one of file, env, pem"},
  };
}

} // namespace

TEST_CASE("trust policy: malformed policies are refused with file, line and path")
{
  const auto cases = malformed();
  CHECK(cases.size() >= 30);
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(error_of(c.text) == c.message);
  }
}

TEST_CASE("trust policy: a full policy is read back field by field")
{
  const auto text = R"(apiVersion: sigil.dev/v1
kind: TrustPolicy
metadata: {name: prod}
spec:
  rules:
    - name: app
      images: ["registry.example.com/team/**", nginx]
      mode: audit
      count: 2
      signatures:
        - {name: release, key: keys/release.pub}
        - key: env://SIGIL_KEY
        - keyless:
            issuer: https://gitlab.com
            subjectRegExp: 'https://gitlab\.com/team/app//\.gitlab-ci\.yml@refs/tags/v.*'
            extensions: {sourceRepositoryRef: refs/tags/v1}
        - keyless:
            gitlab: {project: team/app, ref: 'refs/tags/v*'}
      attestations:
        - name: provenance
          predicateType: slsaprovenance1
          sourceUri: gitlab.com/team/app
          sourceRef: 'refs/tags/v*'
          builderId: https://gitlab.com/team/app/-/runners/
          conditions:
            - {path: /predicate/buildDefinition/buildType, equals: https://example.com/bt/v1}
            - {path: /predicate/runDetails/builder/id, regexp: 'https://gitlab\.com/.*'}
          signatures: [{key: {file: att.pub}}]
      trust: {tuf: {mirror: http://127.0.0.1:1/tuf, root: root.json}}
  default:
    mode: skip
)";
  auto p = parse_trust_policy(text, "p.yaml");
  REQUIRE(p);
  CHECK(p->name == "prod");
  REQUIRE(p->rules.size() == 1);
  const auto& r = p->rules[0];
  CHECK(r.name == "app");
  CHECK(r.where.line == 6);
  CHECK(r.mode == Mode::audit);
  REQUIRE(r.images.size() == 2);
  CHECK(r.images[1].normalized == "index.docker.io/library/nginx");
  REQUIRE(r.signatures);
  CHECK(r.signatures->count == 2);
  REQUIRE(r.signatures->authorities.size() == 4);
  CHECK(r.signatures->authorities[0].name == "release");
  CHECK(r.signatures->authorities[0].key->source == KeyAuthority::Source::file);
  CHECK(r.signatures->authorities[1].name == "key env://SIGIL_KEY");
  CHECK(r.signatures->authorities[1].key->value == "SIGIL_KEY");
  CHECK(r.signatures->authorities[2].keyless->issuer == "https://gitlab.com");
  CHECK(r.signatures->authorities[2].keyless->extensions.size() == 1);
  CHECK(r.signatures->authorities[2].where.path == "spec.rules[0].signatures[2]");
  CHECK(r.signatures->authorities[2].where.line == 13);
  CHECK(r.signatures->authorities[3].name == "gitlab team/app");
  CHECK(r.signatures->authorities[3].keyless->gitlab->ref == "refs/tags/v*");
  REQUIRE(r.attestations.size() == 1);
  CHECK(r.attestations[0].predicate_type == "slsaprovenance1");
  CHECK(r.attestations[0].predicate_type_where.line == 21);
  CHECK(r.attestations[0].conditions.size() == 2);
  CHECK(r.attestations[0].signatures->count == 1);
  CHECK(r.attestations[0].provenance.builder_id == "https://gitlab.com/team/app/-/runners/");
  CHECK(r.trust.tuf_mirror == "http://127.0.0.1:1/tuf");
  REQUIRE(p->default_rule);
  CHECK(p->default_rule->mode == Mode::skip);
  CHECK(p->default_rule->name == "default");
  const auto words = describe_policy(*p);
  REQUIRE(words.size() >= 10);
  CHECK(words[0] == "rule \"app\" for registry.example.com/team/**, index.docker.io/library/nginx, mode audit");
  CHECK(words[1] == "  failures are reported but do not fail the verification");
  CHECK(words[2] == "  signed by at least 2 of these 4:");
  CHECK(words[3] == "    - \"release\": a signature verifying with the key in keys/release.pub");
  CHECK(words.back() == "  nothing is verified: every image passes");
}

TEST_CASE("image patterns: globs over registry/repository")
{
  struct Row {
    std::string_view pattern;
    std::string_view image;
    bool matches;
  };
  const Row rows[] = {
    {"r.example/team/app", "r.example/team/app", true},
    {"r.example/team/app", "r.example/team/app2", false},
    {"r.example/team/*", "r.example/team/app", true},
    {"r.example/team/*", "r.example/team/sub/app", false},
    {"r.example/team/**", "r.example/team/sub/app", true},
    {"r.example/team/**", "r.example/teamx/app", false},
    {"r.example/team/app-*", "r.example/team/app-web", true},
    {"*.example/team/app", "r.example/team/app", true},
    {"**", "127.0.0.1:5000/anything/at/all", true},
    {"nginx", "index.docker.io/library/nginx", true},
    {"docker.io/nginx", "index.docker.io/library/nginx", true},
    {"team/*", "index.docker.io/team/app", true},
    {"index.docker.io/team/*", "index.docker.io/team/app", true},
    {"localhost:5000/app", "localhost:5000/app", true},
    {"127.0.0.1:5000/**", "127.0.0.1:5000/a/b", true},
    {"127.0.0.1:5000/*", "127.0.0.1:5001/a", false},
  };
  for (const auto& row : rows) {
    CAPTURE(row.pattern);
    CAPTURE(row.image);
    auto p = parse_image_pattern(row.pattern);
    REQUIRE(p);
    CHECK(pattern_matches(*p, row.image) == row.matches);
  }
}

TEST_CASE("trust policy: image patterns refuse \"***\", a digest and a tag, wherever they are written")
{
  struct Row {
    const char* pattern;
    const char* error; // "" = accepted
  };
  const std::string stars = "\"***\" in an image pattern: write \"*\" (one component) or \"**\" (any)";
  const std::string digest = "an image pattern names a repository, not a digest: drop the \"@...\"";
  const std::string tag = "an image pattern names a repository, not a tag: drop the \":TAG\"";
  const Row rows[] = {
    {"***", stars.c_str()},
    {"r.example/team/****", stars.c_str()},
    {"r.example/***/app", stars.c_str()},
    {"r.example/app@sha256:00", digest.c_str()},
    {"r.example/**@*", digest.c_str()},
    {"nginx@sha256:00", digest.c_str()},
    {"r.example/app:1.0", tag.c_str()},
    {"r.example/app:*", tag.c_str()},
    {"nginx:latest", tag.c_str()},              // no "/": the colon is a tag, not a port
    {"localhost:5000/app:v1", tag.c_str()},     // a port, then a tag
    {"r.example/team:x/app", tag.c_str()},      // a colon after the registry is never a port
    {"localhost:5000/app", ""},                 // a port is not a tag
    {"127.0.0.1:5000/**", ""},
    {"r.example/team/**", ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.pattern);
    auto p = parse_image_pattern(row.pattern);
    if (std::string_view{row.error}.empty()) {
      CHECK(p.has_value());
    } else {
      REQUIRE_FALSE(p);
      CHECK(p.error().code == ErrorCode::usage);
      CHECK(p.error().message == row.error);
    }
  }
}

TEST_CASE("trust policy: precedence table (most specific pattern wins)")
{
  // Each rule lists one pattern; the rule names say which precedence step decides.
  const auto text = with_rules(R"(    - {name: everything, images: ["**"], mode: skip}
    - {name: team-any, images: ["r.example/team/**"], mode: skip}
    - {name: team-one, images: ["r.example/team/*"], mode: skip}
    - {name: team-app-exact, images: ["r.example/team/app"], mode: skip}
    - {name: team-app-prefix, images: ["r.example/team/app-*"], mode: skip}
    - {name: team-star-web, images: ["r.example/team/*-web"], mode: skip}
    - {name: team-star-web2, images: ["r.example/team/*-web"], mode: skip}
    - {name: any-registry-app, images: ["*/team/app-web"], mode: skip}
    - {name: deep-one, images: ["r.example/team/*/api"], mode: skip}
    - {name: deep-any, images: ["r.example/team/**/api"], mode: skip}
)");
  auto p = parse_trust_policy(text, "p.yaml");
  REQUIRE(p);
  struct Row {
    std::string_view image;
    std::string_view rule; // empty: no rule (rejected)
    std::string_view why;
  };
  const Row rows[] = {
    {"r.example/team/app", "team-app-exact", "1. an exact pattern beats every glob"},
    {"r.example/team/app-web", "team-app-prefix", "2. the longer literal prefix (r.example/team/app-)"},
    {"r.example/team/db-web", "team-star-web", "3. equal prefix; more literal characters; 5. then the first"},
    {"r.example/team/db", "team-one", "3. equal prefix r.example/team/, equal literals: 4. fewer **"},
    {"r.example/team/x/api", "deep-one", "4. fewer ** (same prefix, same literal count)"},
    {"r.example/team/x/y/api", "deep-any", "only ** spans two components"},
    {"r.example/team/x/y", "team-any", "the longest prefix among those that match"},
    {"q.example/team/app-web", "any-registry-app", "a glob in the registry"},
    {"q.example/other", "everything", "** matches any name"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.image);
    CAPTURE(row.why);
    const auto sel = p->select(row.image);
    REQUIRE(sel.rule != nullptr);
    CHECK(sel.rule->name == row.rule);
  }
}

TEST_CASE("trust policy: no matching rule selects spec.default, else nothing")
{
  const auto base = with_rules("    - {name: a, images: [r.example/a], mode: skip}\n");
  auto without = parse_trust_policy(base, "p.yaml");
  REQUIRE(without);
  CHECK(without->select("r.example/b").rule == nullptr);
  CHECK(without->select("r.example/a").rule->name == "a");
  auto with = parse_trust_policy(base + "  default: {mode: skip}\n", "p.yaml");
  REQUIRE(with);
  const auto sel = with->select("r.example/b");
  REQUIRE(sel.rule != nullptr);
  CHECK(sel.rule->is_default());
  CHECK(sel.pattern == nullptr);
}

TEST_CASE("trust policy: Docker Hub patterns select the names oci::Reference gives")
{
  auto p = parse_trust_policy(with_rules("    - {name: hub, images: [nginx, \"team/*\", docker.io/redis], mode: skip}\n"),
                              "p.yaml");
  REQUIRE(p);
  for (const auto* ref : {"nginx:1", "docker.io/library/nginx", "index.docker.io/library/nginx@sha256:"
                                                                  "0000000000000000000000000000000000000000000000000000000000000000",
                          "team/app", "docker.io/team/app:v1", "redis"}) {
    CAPTURE(ref);
    auto r = sigil::oci::Reference::parse(ref);
    REQUIRE(r);
    const auto sel = p->select(r->name());
    REQUIRE(sel.rule != nullptr);
    CHECK(sel.rule->name == "hub");
  }
  CHECK(p->select(sigil::oci::Reference::parse("team/sub/app")->name()).rule == nullptr);
}

TEST_CASE("trust policy: a registry written otherwise selects the same rule (no bypass by spelling)")
{
  // The same registry is contacted however its host is written: a strict rule must not be
  // skipped for a permissive default by capitals, a port with leading zeros or a Hub alias.
  auto p =
      parse_trust_policy(with_rules("    - {name: strict, images: [\"Localhost:5000/team/**\", redis], mode: skip}\n") +
                             "  default: {mode: skip}\n",
                         "p.yaml");
  REQUIRE(p);
  for (const auto* name :
       {"localhost:5000/team/app", "LOCALHOST:5000/team/app", "Localhost:05000/team/app", "localhost:005000/team/x/y",
        "index.docker.io/library/redis", "DOCKER.IO/library/redis", "registry-1.docker.io/library/redis"}) {
    CAPTURE(name);
    const auto sel = p->select(name);
    REQUIRE(sel.rule != nullptr);
    CHECK(sel.rule->name == "strict");
  }
  CHECK(p->select("localhost:5001/team/app").rule->is_default());
  CHECK(sigil::policy::canonical_registry_host("[::1]:0080") == "[::1]:80");
  CHECK(sigil::policy::canonical_registry_host("host:0") == "host:0");
  CHECK(sigil::policy::canonical_registry_host("host:") == "host:");
}
