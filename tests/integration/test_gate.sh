#!/usr/bin/env bash
# sigil gate against a real registry (Debian docker-registry 2.8): the fixtures of
# tests/integration/gate/ (a 40-document Helm chart, a kustomize overlay, every workload kind)
# with signed, unsigned, wrongly-signed and missing images; exact reasons and exit statuses,
# the text, JSON and JUnit reports, one decision per digest, and --pin diffed byte for byte
# against gate/expected/; keyless identities against the Sigstore stand-in.
# Usage: test_gate.sh PATH_TO_SIGIL
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"
source "$HERE/sigstore_lib.sh"

require_tools "$REGISTRY_BIN" "$REGISTRY_SKOPEO" openssl curl "$PY"
require_python_module cryptography python3-cryptography
skip_suite_if_missing "gate tests"

isolate_home COSIGN_PASSWORD NO_COLOR
export SIGIL_PASSWORD=gate-test-password
FIX=$HERE/gate
W=$TEST_TMP/w
mkdir -p "$W"
sig() { run timeout 120 "$SIGIL" "$@"; }
jout() { "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$OUT" "$1"; }

section "setup"
start_registry REG anon || abort_suite "registry did not start"
H=$REG_HOST
for k in k1 k2; do
  sig generate-key-pair --output-key-prefix "$W/$k"
  expect "setup: generate-key-pair $k" 0 || { finish; exit; }
done
declare -A D
for it in api:1.4.2 web:2.0 worker:3.1 migrate:1.0 cron:5 debug:1.0 debug:latest unsigned:1.0 wrong:1.0; do
  new_image IMGD "gate/${it%%:*}" "${it#*:}" || { finish; exit; }
  D[$it]=$IMGD
done
for it in api:1.4.2 web:2.0 worker:3.1 migrate:1.0 cron:5 debug:1.0 debug:latest; do
  sig sign "$H/gate/${it%%:*}@${D[$it]}" --key "$W/k1.key" -y
  [[ $RC == 0 ]] || { failed "setup: sign $it"; finish; exit; }
done
sig sign "$H/gate/wrong@${D[wrong:1.0]}" --key "$W/k2.key" -y
expect "setup: wrong:1.0 signed by the other key" 0
# render FILE DEST: the fixture with the registry, the digests and the pins filled in.
render() {
  local args=(-e "s#@REGISTRY@#$H#g" -e "s#@DIGEST_API@#${D[api:1.4.2]}#g" -e "s#@DIGEST_WEB@#${D[web:2.0]}#g")
  for it in "${!D[@]}"; do args+=(-e "s#@PIN_${it%%:*}_${it#*:}@#${D[$it]}#g"); done
  mkdir -p "$(dirname "$2")"
  sed "${args[@]}" "$1" >"$2"
}
for f in helm/shop-rendered.yaml kustomize/prod-overlay.yaml workloads/workloads.yaml bad/refused.yaml \
  bad/missing.yaml expected/shop-rendered.yaml expected/prod-overlay.yaml expected/workloads.yaml; do
  render "$FIX/$f" "$W/$f"
done
GOOD=("$W/helm" "$W/kustomize/prod-overlay.yaml" "$W/workloads/workloads.yaml")

section "A. reading manifests (--list, no registry)"
sig gate --list -o json "$W/helm/shop-rendered.yaml"
expect "A1 helm chart: 40 documents read" 0
check "A1 helm chart: 14 images found" eq "$(jout 'len(d["occurrences"])')" 14
check "A1 the last is the test Pod's" eq "$(jout 'd["occurrences"][-1]["document"], d["occurrences"][-1]["kind"], d["occurrences"][-1]["name"]')" "(39, 'Pod', 'shop-test-connection')"
sig gate --list -o json "$W/workloads/workloads.yaml"
check "A2 every container list and kind" eq "$(jout 'sorted(set((o["kind"], o["field"]) for o in d["occurrences"]))')" \
  "[('CronJob', 'containers'), ('CronJob', 'initContainers'), ('Deployment', 'containers'), ('Pod', 'containers'), ('Pod', 'ephemeralContainers'), ('PodTemplate', 'containers'), ('ReplicaSet', 'containers'), ('ReplicationController', 'containers')]"
sig gate --list "$FIX/dockerhub.yaml"
expect "A3 Docker Hub short names" 0
expect_out "A3 nginx is Docker Hub's library/nginx" "index.docker.io/library/nginx:latest nginx"
expect_out "A3 tag+digest: the digest wins" "index.docker.io/bitnami/redis@sha256:0000000000000000000000000000000000000000000000000000000000000001 bitnami/redis:7.2@"
printf 'kind: Pod\nspec:\n  containers:\n  - name: a\n    image: Not/Valid\n' >"$W/invalid.yaml"
sig gate "$W/invalid.yaml" --key "$W/k1.pub"
expect "A4 an invalid image is exit 30 with file:line:column" 30 "$W/invalid.yaml:5:12: Pod/: image \"Not/Valid\" is not a valid reference: "
printf 'replicas: 2\n' >"$W/values.yaml"
sig gate "$W/values.yaml" --key "$W/k1.pub"
expect "A5 a values file is not a manifest" 30 "$W/values.yaml:1:1: document 1 is not a Kubernetes object (a mapping with a kind); pass rendered manifests (helm template, kustomize build)"
sig gate "$W/helm"
expect "A6 no trust flags: usage" 2 "say who you trust: --key PUBLIC_KEY"
sig gate "$W/nope.yaml" --key "$W/k1.pub"
expect "A7 a missing path" 2 "$W/nope.yaml: no such file or directory"
mkdir -p "$W/jsondir"
printf '{"kind": "Pod", "metadata": {"name": "j"}, "spec": {"containers": [{"name": "a", "image": "r.example/json:1"}]}}\n' >"$W/jsondir/pod.json"
sig gate --list "$W/jsondir"
expect "A8 a directory's *.json files are read (as kubectl apply -f DIR)" 0
expect_out "A8 the JSON Pod's image" "r.example/json:1 r.example/json:1"
printf 'kind: Pod\nspec:\n  containers:\n  - name: a\n    image: %s/gate/api:1.4.2\n    image: %s/gate/unsigned:1.0\n' "$H" "$H" >"$W/dup.yaml"
sig gate "$W/dup.yaml" --key "$W/k1.pub"
expect "A9 a duplicate key is refused, nothing verified" 30 "$W/dup.yaml:6:5: key \"image\" appears twice in one mapping (kubectl uses the last); remove the duplicate"
printf 'kind: Rollout\nmetadata: {name: r}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: %s/gate/unsigned:1.0}]\n' "$H" >"$W/rollout.yaml"
sig gate "$W/rollout.yaml" --key "$W/k1.pub"
expect "A10 an unknown kind with containers is refused" 30 "$W/rollout.yaml:1:1: document 1: Rollout/r: kind Rollout is not one the gate reads, and it has containers keys; render it to a Pod-spec kind, or pass --allow-unknown-kinds to list it as not checked"
sig gate --list --allow-unknown-kinds "$W/rollout.yaml"
expect "A10 --allow-unknown-kinds lists it as not checked" 0
expect_out "A10 the report says not checked" "not checked $W/rollout.yaml: document 1: Rollout/r (line 1): kind unknown to the gate (--allow-unknown-kinds)"

section "B. every image signed: pass"
sig gate "${GOOD[@]}" --key "$W/k1.pub" --junit "$W/good.xml"
expect "B1 the good set passes" 0
expect_out "B1 summary" "gate: 9 images (25 references), 9 passed, 0 failed, 0 audited, 0 undecided: exit 0"
expect_out "B1 a pass line names the digest" "pass  $H/gate/api:1.4.2 ${D[api:1.4.2]}"
expect_out "B1 with the rule" "      rule: verify: signed by key $W/k1.pub"
expect_out "B1 and where it came from" "      from $W/workloads/workloads.yaml: document 2: Pod/debug-target: ephemeral container debugger (line 29)"
sig gate "${GOOD[@]}" --key "$W/k1.pub" -o json
check "B2 one decision per digest (api by tag and by digest, web by tag and tag+digest)" eq "$(jout 'd["decisions"], len(d["images"]), d["status"], d["allowed"]')" "(7, 9, 0, True)"
check "B3 JUnit: valid XML, one test case per image, no failure" eq "$("$PY" -c '
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot(); s = r.find("testsuite")
print(r.tag, s.get("tests"), s.get("failures"), s.get("errors"), len(s.findall("testcase")))' "$W/good.xml")" "testsuites 9 0 0 9"
sig gate "${GOOD[@]}" "$W/rollout.yaml" --allow-unknown-kinds --key "$W/k1.pub" -o json --junit "$W/unchecked.xml"
check "B3b -o json lists what was not checked (notChecked), status unchanged" eq "$(jout 'd["notChecked"], d["status"]')" \
  "(['$W/rollout.yaml: document 1: Rollout/r (line 1)'], 0)"
check "B3b JUnit: the object not checked is a skipped test case" eq "$("$PY" -c '
import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).getroot().find("testsuite")
sk = [c.get("name") for c in s.findall("testcase") if c.find("skipped") is not None]
print(s.get("tests"), s.get("skipped"), sk)' "$W/unchecked.xml")" "10 1 ['$W/rollout.yaml: document 1: Rollout/r (line 1)']"
sig gate - --key "$W/k1.pub" <"$W/kustomize/prod-overlay.yaml"
expect "B4 standard input" 0
expect_out "B4 named -" "from -: document 3: Deployment/prod-web: container web (line 49)"

section "C. refused and missing images"
sig gate "$W/bad/refused.yaml" --key "$W/k1.pub" --junit "$W/bad.xml"
expect "C1 unsigned and wrongly signed: exit 15" 15
expect_out "C1 unsigned" "fail  $H/gate/unsigned:1.0 ${D[unsigned:1.0]}
      rule: verify: signed by key $W/k1.pub
      no signatures found
      from $W/bad/refused.yaml: document 1: Deployment/mixed: init container unsigned (line 10)"
expect_out "C1 wrongly signed" "fail  $H/gate/wrong:1.0 ${D[wrong:1.0]}
      rule: verify: signed by key $W/k1.pub
      no matching signatures: 1 considered, none verified
      rejected $(sig_tag "${D[wrong:1.0]}") layer 1: "
expect_out "C1 the signed one still passes" "pass  $H/gate/api:1.4.2"
expect_out "C1 summary" "gate: 3 images (3 references), 1 passed, 2 failed, 0 audited, 0 undecided: exit 15"
check "C2 JUnit failures carry the reason" eq "$("$PY" -c '
import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).getroot().find("testsuite")
print(s.get("failures"), [c.find("failure").get("message") for c in s.findall("testcase") if c.find("failure") is not None])' "$W/bad.xml")" \
  "2 ['no signatures found', 'no matching signatures: 1 considered, none verified']"
sig gate "$W/bad/missing.yaml" --key "$W/k1.pub" -o json
expect "C3 a missing image: exit 11" 11
check "C3 the error names the image" eq "$(jout 'd["images"][0]["verdict"], d["images"][0]["error"]["code"], d["images"][0]["error"]["message"].startswith("resolving '"$H"'/gate/missing:1.0: ")')" "('error', 'not_found', True)"
sig gate "$W/bad/missing.yaml" "$W/bad/refused.yaml" --key "$W/k1.pub"
expect "C4 refused and missing together: the refusal's 15" 15
printf 'kind: Pod\nmetadata: {name: down}\nspec:\n  containers:\n  - name: a\n    image: 127.0.0.1:1/gate/down:1\n' >"$W/down.yaml"
sig gate "$W/down.yaml" "$W/bad/refused.yaml" --key "$W/k1.pub" --max-attempts 1 -o json
expect "C4b a registry that cannot be reached keeps its status 20, over a refusal" 20
check "C4b the unreachable image is an error, the others decided" eq \
  "$(jout '[(i["verdict"], i.get("error", {}).get("code")) for i in d["images"]]')" \
  "[('error', 'registry'), ('fail', None), ('fail', None), ('pass', None)]"
sig gate "${GOOD[@]}" --key "$W/k2.pub"
expect "C5 the good set against the other key: every image refused" 15
expect_out "C5 summary" "gate: 9 images (25 references), 0 passed, 9 failed, 0 audited, 0 undecided: exit 15"
sig gate "${GOOD[@]}" --key "$W/k2.pub" --key "$W/k1.pub"
expect "C6 key rotation: either key" 0

section "D. --pin"
sig gate "${GOOD[@]}" --key "$W/k1.pub" --pin --pin-dir "$W/pinned"
expect "D1 --pin-dir" 0 "pinned 22 image references in 3 files under $W/pinned"
for f in shop-rendered.yaml prod-overlay.yaml workloads.yaml; do
  check_quiet "D1 $f pinned byte for byte" diff -u "$W/expected/$f" "$W/pinned/$f"
done
sig gate "$W/pinned" --key "$W/k1.pub" -o json
check "D2 the pinned manifests verify, all by digest" eq "$(jout 'd["status"], all("@sha256:" in o["text"] for i in d["images"] for o in i["occurrences"])')" "(0, True)"
cp -r "$W/workloads" "$W/inplace"
sig gate "$W/inplace/workloads.yaml" --key "$W/k1.pub" --pin --pin-in-place
expect "D3 --pin-in-place" 0
check_quiet "D3 rewritten in place" diff -u "$W/expected/workloads.yaml" "$W/inplace/workloads.yaml"
sig gate "$W/bad/refused.yaml" --key "$W/k1.pub" --pin --pin-dir "$W/pinned-bad"
expect "D4 a refusal pins nothing" 15 "not pinning: the gate refused or could not decide an image (exit 15); nothing was written"
check_quiet "D4 no directory made" test ! -e "$W/pinned-bad"
sig gate - --key "$W/k1.pub" --pin --pin-in-place </dev/null
expect "D5 standard input cannot be pinned in place" 2 "--pin-in-place cannot rewrite standard input; use --pin-dir DIR"
sig gate "$W/helm" --key "$W/k1.pub" --pin
expect "D6 --pin needs a destination" 2 "--pin needs one destination: --pin-dir DIR"
sig gate "$W/helm" --key "$W/k1.pub" --pin-dir "$W/x"
expect "D7 --pin-dir without --pin" 2 "--pin-dir and --pin-in-place say where --pin writes: add --pin"
sig gate "$W/helm/shop-rendered.yaml" "$W/expected/shop-rendered.yaml" --key "$W/k1.pub" --pin --pin-dir "$W/x"
expect "D8 two inputs with one --pin-dir name" 2 "two inputs would be pinned to the same name shop-rendered.yaml under --pin-dir"

section "E. keyless (the Sigstore stand-in)"
if start_sigstore_standin "$TEST_TMP/sigstore-gate" --prefill 10; then
  U=$SIGSTORE_STANDIN_URL
  TOK=$(sigstore_mint_token --email signer@example.com)
  new_image KL gate/keyless 1 && new_image KK gate/keyonly 1 || { finish; exit; }
  run timeout 60 "$SIGIL" sign "$H/gate/keyless@$KL" --identity-token "$TOK" --fulcio-url "$U" --rekor-url "$U" \
    --trusted-root "$SIGSTORE_STANDIN_TRUSTED_ROOT" -y </dev/null
  expect "E setup: gate/keyless signed keyless" 0
  sig sign "$H/gate/keyonly@$KK" --key "$W/k1.key" -y
  printf 'kind: Pod\nmetadata: {name: kl}\nspec:\n  containers:\n  - name: a\n    image: %s\n  - name: b\n    image: %s\n' \
    "$H/gate/keyless:1" "$H/gate/keyonly:1" >"$W/keyless.yaml"
  ID=(--certificate-identity signer@example.com --certificate-oidc-issuer "$U" --trusted-root "$SIGSTORE_STANDIN_TRUSTED_ROOT")
  sig gate "$W/keyless.yaml" "${ID[@]}"
  expect "E1 keyless identity: the key-only image is refused" 15
  expect_out "E1 the keyless image passes" "pass  $H/gate/keyless:1 $KL"
  expect_out "E1 the rule names the identity" "rule: verify: signed by identity signer@example.com from $U"
  expect_out "E1 the key-only image: no matching signature" "fail  $H/gate/keyonly:1 $KK
      rule: verify: signed by identity signer@example.com from $U
      no matching signatures: 1 considered, none verified"
  sig gate "$W/keyless.yaml" "${ID[@]}" --key "$W/k1.pub"
  expect "E2 a key or the identity: both pass" 0
  sig gate "$W/keyless.yaml" --certificate-identity other@example.com --certificate-oidc-issuer "$U" \
    --trusted-root "$SIGSTORE_STANDIN_TRUSTED_ROOT" --key "$W/k1.pub"
  expect "E3 another identity: the keyless image is refused" 15
  expect_out "E3 with the identity as the reason" "fail  $H/gate/keyless:1 $KL
      rule: verify: signed by key $W/k1.pub or identity other@example.com from $U
      no matching signatures: 1 considered, none verified
      rejected $(sig_tag "$KL") layer 1: identity: certificate identity signer@example.com does not match the expected identity other@example.com"
else
  RC=1 OUT="" ERR="" failed "E: the Sigstore stand-in did not start"
fi

section "F. --policy (a trust policy's rule per image)"
cat >"$W/policy.yaml" <<POL
apiVersion: sigil.dev/v1
kind: TrustPolicy
metadata: {name: gate-policy}
spec:
  rules:
    - name: release
      images: ["$H/gate/api", "$H/gate/wrong"]
      signatures: [{name: release-key, key: k1.pub}]
    - name: unsigned-audit
      images: ["$H/gate/unsigned"]
      mode: audit
      signatures: [{name: release-key, key: k1.pub}]
POL
printf 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: "%s"}\n  - {name: b, image: "%s"}\n  - {name: c, image: "%s"}\n  - {name: d, image: "%s"}\n' \
  "$H/gate/api:1.4.2" "$H/gate/wrong:1.0" "$H/gate/unsigned:1.0" "$H/gate/web:2.0" >"$W/policy-pod.yaml"
sig gate "$W/policy-pod.yaml" --policy "$W/policy.yaml" --junit "$W/policy.xml"
expect "F1 wrongly signed and unmatched refused: exit 15" 15
expect_out "F1 the signed image passes its rule" "pass  $H/gate/api:1.4.2 ${D[api:1.4.2]}
      rule: policy rule \"release\" (pattern $H/gate/api)
      rule \"release\": 1 of 1 signature authorities
      signature authority \"release-key\": verified: "
expect_out "F1 the wrongly signed one: the authority's reason" "fail  $H/gate/wrong:1.0 ${D[wrong:1.0]}
      rule: policy rule \"release\" (pattern $H/gate/wrong)
      signatures: 0 of 1 authorities verified, 1 required
      signature authority \"release-key\": not satisfied: 1 considered, none verified: signature does not verify with the trusted key
      from $W/policy-pod.yaml: document 1: Pod/p: container b (line 6)"
expect_out "F1 the unsigned one under audit: allowed with a note" "audit $H/gate/unsigned:1.0 ${D[unsigned:1.0]}
      rule: policy rule \"unsigned-audit\" (pattern $H/gate/unsigned)
      note: rule \"unsigned-audit\" is mode audit: allowed, though not met
      signatures: 0 of 1 authorities verified, 1 required
      signature authority \"release-key\": not satisfied: no signatures found
      from $W/policy-pod.yaml: document 1: Pod/p: container c (line 7)"
expect_out "F1 an image no rule matches: rejected" "fail  $H/gate/web:2.0 ${D[web:2.0]}
      rule: policy: no rule matches
      no rule of the policy matches $H/gate/web and it has no spec.default"
expect_out "F1 summary" "gate: 4 images (4 references), 1 passed, 2 failed, 1 audited, 0 undecided: exit 15"
check "F2 JUnit: each test case names its rule (a failure's type is the rule)" eq "$("$PY" -c '
import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).getroot().find("testsuite")
print(s.get("failures"), [(c.find("failure").get("type") if c.find("failure") is not None else None, c.find("system-out").text.splitlines()[0]) for c in s.findall("testcase")])' "$W/policy.xml")" \
  "2 [(None, 'pass: policy rule \"release\" (pattern $H/gate/api)'), ('policy rule \"release\" (pattern $H/gate/wrong)', 'fail: policy rule \"release\" (pattern $H/gate/wrong)'), (None, 'audit: policy rule \"unsigned-audit\" (pattern $H/gate/unsigned)'), ('policy: no rule matches', 'fail: policy: no rule matches')]"
sig gate "$W/policy-pod.yaml" --policy "$W/policy.yaml" --key "$W/k1.pub" -a env=prod
expect "F3 --policy with trust flags: usage naming them" 2 "--policy replaces the trust flags: drop --key, -a (the policy file names the keys, identities and trusted roots)"
sig gate "$W/policy-pod.yaml" --policy "$W/policy.yaml" --max-signatures 5 --check-claims=false
expect "F3 --policy with a limit or claims flag: usage naming them, not ignored" 2 "--policy verifies with the policy's checks and limits: drop --check-claims, --max-signatures (a policy always checks the signed claims; see sigil-policy(5))"
sig gate "$W/bad/missing.yaml" --policy "$W/policy.yaml"
expect "F4 a missing image keeps exit 11 (unmatched, yet resolved first)" 11
sed "s#gate/api\"#gate/missing\"#" "$W/policy.yaml" >"$W/policy-missing.yaml"
printf 'kind: Pod\nmetadata: {name: m}\nspec:\n  containers:\n  - {name: a, image: "%s@%s"}\n' "$H/gate/missing" "${D[api:1.4.2]}" >"$W/policy-missing-pod.yaml"
sig gate "$W/policy-missing-pod.yaml" --policy "$W/policy-missing.yaml" -o json
expect "F5 a digest that is not in the registry, under a rule: exit 11" 11
check "F5 an error, not a refusal" eq "$(jout 'd["images"][0]["verdict"], d["images"][0]["error"]["code"]')" "('error', 'not_found')"
printf 'kind: Pod\nmetadata: {name: q}\nspec:\n  containers:\n  - {name: a, image: "%s"}\n  - {name: b, image: "%s"}\n' \
  "$H/gate/api:1.4.2" "$H/gate/unsigned:1.0" >"$W/policy-ok.yaml"
sig gate "$W/policy-pod.yaml" --policy "$W/policy.yaml" --pin --pin-dir "$W/policy-pinned-bad"
expect "F6 --pin under a policy that refuses: nothing written" 15 "not pinning: the gate refused or could not decide an image (exit 15); nothing was written"
check_quiet "F6 no directory made" test ! -e "$W/policy-pinned-bad"
sig gate "$W/policy-ok.yaml" --policy "$W/policy.yaml" --pin --pin-dir "$W/policy-pinned"
expect "F7 --pin under a policy: only the verified image pinned" 0 "pinned 1 image references in 1 files under $W/policy-pinned"
check "F7 the audited one is said to be left as written" eq "$(grep -c '1 audited images were not verified: their references are left as written' <<<"$ERR")" 1
check "F7 the pinned file" eq "$(cat "$W/policy-pinned/policy-ok.yaml")" "$(sed "s#gate/api:1.4.2#gate/api@${D[api:1.4.2]}#" "$W/policy-ok.yaml")"

finish
