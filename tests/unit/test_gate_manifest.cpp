// Tests for sigil::gate: the Kubernetes manifest reader, --pin's text edits, the JUnit
// escaping and the gate's exit status.
#include "sigil/gate/gate.hpp"
#include "sigil/gate/manifest.hpp"
#include "sigil/gate/pin.hpp"
#include "sigil/gate/report.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

using sigil::ErrorCode;
using namespace sigil::gate;

const std::string k_digest = "sha256:" + std::string(64, 'a');

std::vector<ImageOccurrence> images(const std::string& text)
{
  auto r = find_images(text, "m.yaml");
  REQUIRE_MESSAGE(r.has_value(), r.error().message);
  return *r;
}

std::string error_of(const std::string& text)
{
  auto r = find_images(text, "m.yaml");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == ErrorCode::bad_input);
  return r.error().message;
}

} // namespace

TEST_CASE("gate: every workload kind and container list, with where each image came from")
{
  const std::string text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n"
                           "    image: nginx\n  initContainers:\n  - name: i\n    image: 'busybox:1'\n"
                           "  ephemeralContainers:\n  - name: e\n    image: \"r.example/dbg@" + k_digest + "\"\n"
                           "---\n---\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  jobTemplate:\n    spec:\n      template:\n"
                           "        spec:\n          containers:\n          - {name: x, image: r.example/x:2}\n"
                           "---\nkind: ConfigMap\ndata:\n  image: not-read\n";
  const auto found = images(text);
  REQUIRE(found.size() == 4);
  CHECK(found[0].image.str() == "index.docker.io/library/nginx:latest");
  CHECK(found[0].field == "containers");
  CHECK(found[0].line == 7);
  CHECK(found[0].column == 12);
  CHECK(found[0].quoting == Quoting::plain);
  CHECK(found[1].field == "initContainers");
  CHECK(found[1].quoting == Quoting::single);
  CHECK(text.substr(found[1].offset, 11) == "'busybox:1'");
  CHECK(found[2].field == "ephemeralContainers");
  CHECK(found[2].quoting == Quoting::double_);
  CHECK(found[3].kind == "CronJob");
  CHECK(found[3].document == 3); // an empty document is not counted
  CHECK(found[3].container == "x");
  CHECK(text.substr(found[3].offset, 14) == "r.example/x:2}");
  CHECK(found[0].where() == "m.yaml: document 1: Pod/p: container a (line 7)");
}

TEST_CASE("gate: List and *List kinds, every controller kind")
{
  std::string text = "kind: List\nitems:\n";
  for (const char* kind : {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}) {
    text += std::string("- kind: ") + kind + "\n  metadata: {name: n}\n  spec:\n    template:\n      spec:\n"
            "        containers: [{name: c, image: r.example/a:1}]\n";
  }
  text += "- kind: PodTemplate\n  template:\n    spec:\n      containers: [{name: c, image: r.example/b:1}]\n";
  text += "---\nkind: DeploymentList\nitems:\n- kind: Deployment\n  spec:\n    template:\n      spec:\n"
          "        containers: [{name: c, image: r.example/c:1}]\n";
  const auto found = images(text);
  REQUIRE(found.size() == 8);
  CHECK(found[4].kind == "ReplicationController");
  CHECK(found[6].kind == "PodTemplate");
  CHECK(found[7].image.str() == "r.example/c:1");
}

TEST_CASE("gate: bad manifests are refused with file, line and what to do")
{
  CHECK(error_of("kind: Pod\nspec: [unclosed\n").starts_with("m.yaml:3:1: not valid YAML: "));
  CHECK(error_of("- a\n- b\n") == "m.yaml:1:1: document 1 is not a Kubernetes object (a mapping with a kind); "
                                  "pass rendered manifests (helm template, kustomize build)");
  CHECK(error_of("kind: Pod\nspec:\n  containers:\n  - name: a\n") ==
        "m.yaml:4:5: Pod/: an entry of containers has no image; every container needs image: NAME[:TAG][@DIGEST]");
  CHECK(error_of("kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - image: Bad/Name\n")
          .starts_with("m.yaml:5:12: Pod/p: image \"Bad/Name\" is not a valid reference: "));
  CHECK(error_of("kind: Pod\nspec:\n  containers:\n  - image: \"r.example/a\\x3a1\"\n")
          .ends_with("the image is not written as one plain or quoted scalar without escapes; write it on one line "
                     "as image: NAME:TAG"));
}

TEST_CASE("gate: pinned text keeps the name as written")
{
  auto occ = images("kind: Pod\nspec:\n  containers:\n  - image: nginx:1.25\n  - image: 127.0.0.1:5000/a\n"
                    "  - image: r.example/b:1@" + k_digest + "\n");
  const auto d = *sigil::oci::parse_digest("sha256:" + std::string(64, 'b'));
  CHECK(pinned_text(occ[0], d) == "nginx@" + d.str());
  CHECK(pinned_text(occ[1], d) == "127.0.0.1:5000/a@" + d.str());
  CHECK(pinned_text(occ[2], d) == "r.example/b:1@" + k_digest); // by digest already: unchanged
}

TEST_CASE("gate: apply_pins changes the image text only")
{
  const std::string text = "a: 1 # keep\nimage: \"x:1\"\nimage: x:1 # and this\n";
  auto r = apply_pins(text, {{.offset = 19, .quoting = Quoting::double_, .old_text = "x:1", .new_text = "x@d"},
                             {.offset = 32, .quoting = Quoting::plain, .old_text = "x:1", .new_text = "x@d"},
                             {.offset = 32, .quoting = Quoting::plain, .old_text = "x:1", .new_text = "x@d"}});
  REQUIRE(r.has_value());
  CHECK(*r == "a: 1 # keep\nimage: \"x@d\"\nimage: x@d # and this\n");
  auto moved = apply_pins(text, {{.offset = 3, .quoting = Quoting::plain, .old_text = "x:1", .new_text = "x@d"}});
  REQUIRE_FALSE(moved.has_value());
  CHECK(moved.error().code == ErrorCode::internal);
}

TEST_CASE("gate: XML escaping leaves nothing XML cannot carry")
{
  CHECK(xml_escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&apos;");
  CHECK(xml_escape("x\x01y\x1b") == "x\\x01y\\x1b");
  CHECK(xml_escape("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(xml_escape("\xff\xc3") == "\\xff\\xc3");
  CHECK(xml_escape("\xed\xa0\x80") == "\\xed\\xa0\\x80"); // a surrogate
}

TEST_CASE("gate: exit status: 15 for a refusal, an error's own status, the highest wins")
{
  auto occ = images("kind: Pod\nspec:\n  containers:\n  - image: r.example/a@" + k_digest + "\n");
  GateReport report{.occurrences = occ, .images = {}, .decisions = 1};
  report.images.push_back({.image = occ[0].image, .by_digest = occ[0].image, .occurrences = {0}, .rule = "r"});
  report.images[0].outcome = ImageDecision{.verdict = Verdict::audit, .rule = "r", .reasons = {}};
  CHECK(report.exit_status() == 0);
  report.images[0].outcome = ImageDecision{.verdict = Verdict::fail, .rule = "r", .reasons = {"no signatures found"}};
  CHECK(report.exit_status() == 15);
  CHECK(report_junit(report).find("<failure message=\"no signatures found\" type=\"r\">") != std::string::npos);
  report.images.push_back(report.images[0]);
  report.images[1].outcome = sigil::fail(ErrorCode::registry, "x");
  CHECK(report.exit_status() == 20);
  report.images[1].outcome = sigil::fail(ErrorCode::not_found, "x");
  CHECK(report.exit_status() == 15);
}

TEST_CASE("gate: YAML aliases cannot multiply the images without bound")
{
  std::string containers;
  for (int i = 0; i < 1000; ++i) {
    containers += "{name: c, image: r.example/a:1},";
  }
  std::string text = "kind: List\nitems:\n- &d {kind: Deployment, spec: {template: {spec: {containers: [" + containers +
                     "]}}}}\n";
  for (int i = 0; i < 99; ++i) {
    text += "- *d\n";
  }
  CHECK(images(text).size() == 100000); // at the cap: read
  text += "- *d\n";
  CHECK(error_of(text) == "m.yaml: more than 100000 images in one file (YAML aliases?)");
}

// What kubectl reads differently from yaml-cpp: each refused, nothing read.
TEST_CASE("gate: a key twice in one mapping is refused (yaml-cpp reads the first, kubectl the last)")
{
  CHECK(error_of("kind: Pod\nspec:\n  containers:\n  - name: a\n    image: r.example/signed:1\n"
                 "    image: r.example/evil:1\n") ==
        "m.yaml:6:5: key \"image\" appears twice in one mapping (kubectl uses the last); remove the duplicate");
  CHECK(error_of("kind: ConfigMap\nkind: Pod\n") ==
        "m.yaml:2:1: key \"kind\" appears twice in one mapping (kubectl uses the last); remove the duplicate");
  CHECK(error_of("{kind: Pod, spec: {containers: [{image: a}]}, spec: {}}") ==
        "m.yaml:1:47: key \"spec\" appears twice in one mapping (kubectl uses the last); remove the duplicate");
}

TEST_CASE("gate: a merge key << is refused (kubectl resolves it, yaml-cpp does not)")
{
  CHECK(error_of("kind: Pod\nspec:\n  containers:\n  - <<: {image: r.example/evil:1}\n    name: a\n") ==
        "m.yaml:4:5: merge key << is not supported (kubectl resolves it, sigil does not); write the mapping out "
        "in full");
}

TEST_CASE("gate: a line starting with --- that is not a document marker is refused")
{
  const std::string pod = "kind: Pod\nspec:\n  containers:\n  - image: r.example/evil:1\n";
  CHECK(error_of("kind: ConfigMap\n---#:\n" + pod) ==
        "m.yaml:2:1: \"---#:\" starts with --- but is not a document marker (kubectl and YAML split it "
        "differently); write --- alone on its line");
  CHECK(error_of("kind: ConfigMap\n---x: 1\n") ==
        "m.yaml:2:1: \"---x: 1\" starts with --- but is not a document marker (kubectl and YAML split it "
        "differently); write --- alone on its line");
  CHECK(images("kind: ConfigMap\n--- # c\n" + pod + "---\t\n" + pod + "---\r\n" + pod + "---").size() == 3);
}

TEST_CASE("gate: any object with items is a List, whatever its kind")
{
  const auto found = images("kind: ConfigMap\nitems:\n- kind: Pod\n  metadata: {name: p}\n  spec:\n"
                            "    containers: [{name: c, image: r.example/evil:1}]\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].kind == "Pod");
  CHECK(images("kind: ConfigMap\nitems: null\n").empty());
  CHECK(error_of("kind: Pod\nitems: {a: 1}\n") ==
        "m.yaml:2:8: items of a Pod is not a list; kubectl reads every object with items as a List");
}

TEST_CASE("gate: unknown kinds with image keys are refused, or listed as not checked")
{
  const std::string rollout = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n"
                              "  template:\n    spec:\n      containers: [{name: c, image: r.example/evil:1}]\n";
  CHECK(error_of(rollout) == "m.yaml:1:1: document 1: Rollout/r: kind Rollout is not one the gate reads, and it "
                             "has containers keys; render it to a Pod-spec kind, or pass --allow-unknown-kinds to "
                             "list it as not checked");
  CHECK(error_of("kind: Service\nmetadata: {name: k}\nspec:\n  x: [{image: a}]\n")
          .ends_with("Service/k: kind Service is not one the gate reads, and it has image keys; render it to a "
                     "Pod-spec kind, or pass --allow-unknown-kinds to list it as not checked"));
  std::vector<std::string> unchecked;
  auto r = find_images("kind: Service\nmetadata: {name: s}\n---\n" + rollout, "m.yaml", {.allow_unknown_kinds = true},
                       &unchecked);
  REQUIRE(r.has_value());
  CHECK(r->empty());
  CHECK(unchecked == std::vector<std::string>{"m.yaml: document 2: Rollout/r (line 4)"});
  // Data and schemas are not workloads.
  CHECK(images("kind: ConfigMap\ndata: {image: x}\n---\nkind: CustomResourceDefinition\nspec: {containers: 1}\n")
          .empty());
}

TEST_CASE("gate: image volumes are images")
{
  const auto found = images("kind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: r.example/a:1}]\n"
                            "  volumes:\n  - name: cfg\n    configMap: {name: x}\n  - name: data\n    image:\n"
                            "      reference: r.example/data:2\n      pullPolicy: IfNotPresent\n");
  REQUIRE(found.size() == 2);
  CHECK(found[1].field == "volumes");
  CHECK(found[1].container == "data");
  CHECK(found[1].image.str() == "r.example/data:2");
  CHECK(found[1].where() == "m.yaml: document 1: Pod/p: volume data (line 10)");
  CHECK(error_of("kind: Pod\nmetadata: {name: p}\nspec:\n  volumes:\n  - name: v\n    image: {pullPolicy: Always}\n") ==
        "m.yaml:5:5: Pod/p: an image volume has no image.reference; write image: {reference: NAME[:TAG][@DIGEST]}");
}

TEST_CASE("gate: a Kustomization is refused with a hint")
{
  CHECK(error_of("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n") ==
        "m.yaml:1:1: document 1 is a kustomize Kustomization, not rendered manifests; gate the output of kustomize "
        "build (or kubectl kustomize) instead");
}

// Bounded work: the cap counts every node visited, aliases at each use (no timing here: tests
// never time; bench/ measures).
TEST_CASE("gate: nested aliases (billion laughs) are refused at the node cap")
{
  std::string text = "kind: List\nx0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n";
  for (int i = 1; i < 10; ++i) {
    text += "x" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) {
      text += "*a" + std::to_string(i - 1) + (j < 9 ? ", " : "]\n");
    }
  }
  text += "items: *a9\n";
  CHECK(error_of(text).ends_with(": more than 1000000 YAML nodes in one file (nested aliases?); pass the manifests "
                                 "written out"));
}

TEST_CASE("gate: a byte order mark does not shift the first line's images")
{
  const std::string text = "\xEF\xBB\xBF{kind: Pod, spec: {containers: [{image: r.example/a:1}]}}\n";
  const auto found = images(text);
  REQUIRE(found.size() == 1);
  CHECK(text.substr(found[0].offset, 13) == "r.example/a:1");
}
