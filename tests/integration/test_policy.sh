#!/usr/bin/env bash
# The trust policy file (sigil-policy(5)) end to end against a real registry (Debian
# docker-registry, anonymous HTTP) and the Sigstore stand-in: sigil verify --policy,
# verify-attestation --policy, policy check | test | init | export --kyverno.
# Usage: test_policy.sh PATH_TO_SIGIL
#
#  1. key-signed images: the most specific rule wins (exact over team/**), N of M (count 2 with
#     one signer fails, with two passes), a wrong key fails, audit reports but passes, skip
#     verifies nothing, no rule and no default fails, exit 15 and the reason of each authority
#  2. usage: --policy with --key is refused (2); a malformed policy is 30 with FILE:LINE: PATH
#  3. attestations: verify-attestation --policy with provenance conditions held and broken
#  4. policy test --expect pass|fail (0 when it holds, 15 when not); policy check in words;
#     policy init round-trips through policy check
#  5. policy export --kyverno: the ClusterPolicy's shape (python yaml), what it could not say
#  6. keyless (the stand-in): a keyless authority by identity passes, another identity fails
#     with the identity named; key + keyless count 2 on one image; one identity that signed
#     twice is one signer for overlapping keyless authorities; key and keyless never cross
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"
source "$HERE/sigstore_lib.sh"
PY=$REGISTRY_PYTHON

keyless_suite_init
require_tools "$REGISTRY_BIN" "$REGISTRY_SKOPEO" openssl curl "$PY"
require_python_module yaml python3-yaml
skip_suite_if_missing "trust policy tests"
for v in $(compgen -e); do
  [[ $v == CI_* || $v == GITLAB_* ]] && unset "$v"
done

start_registry REG anon || abort_suite "start the registry"
H=$REG_HOST
export DOCKER_CONFIG=$REG_DOCKER_CONFIG
W=$TEST_TMP/w
mkdir -p "$W"
PW='policy test pw'
sig() { run timeout 60 "$SIGIL" "$@" </dev/null; }
sig_pw() { run env SIGIL_PASSWORD="$PW" timeout 60 "$SIGIL" "$@" </dev/null; }
# verdict FIELD: FIELD of the first JSON verdict on stdout.
verdict() { printf '%s\n' "$OUT" | head -1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

for k in k1 k2 k3; do
  sig_pw generate-key-pair --output-key-prefix "$W/$k"
  expect "setup: generate-key-pair $k" 0 || { finish; exit; }
done
new_image D_APP team/app v1 && sig_pw sign "$H/team/app@$D_APP" --key "$W/k1.key" -y
new_image D_ONE team/one v1 && sig_pw sign "$H/team/one@$D_ONE" --key "$W/k1.key" -y
new_image D_BOTH team/both v1 && sig_pw sign "$H/team/both@$D_BOTH" --key "$W/k1.key" -y &&
  sig_pw sign "$H/team/both@$D_BOTH" --key "$W/k2.key" -y
new_image D_WRONG team/wrong v1 && sig_pw sign "$H/team/wrong@$D_WRONG" --key "$W/k3.key" -y
new_image D_AUDIT audit/x v1
new_image D_OTHER other/x v1
new_image D_PROV prov/app v1 && sig_pw sign "$H/prov/app@$D_PROV" --key "$W/k1.key" -y
cat >"$W/prov.json" <<'JSON'
{"buildDefinition":{"buildType":"https://example.com/bt/v1","externalParameters":{"source":{"uri":"git+https://gitlab.com/team/app","ref":"refs/tags/v1.0"}}},"runDetails":{"builder":{"id":"https://gitlab.com/team/app/-/runners/7"}}}
JSON
sig_pw attest "$H/prov/app@$D_PROV" --key "$W/k1.key" --type slsaprovenance1 --predicate "$W/prov.json" -y
expect "setup: attest provenance" 0

cat >"$W/policy.yaml" <<YAML
apiVersion: sigil.dev/v1
kind: TrustPolicy
metadata: {name: test-policy}
spec:
  rules:
    - name: team
      images: ["$H/team/**"]
      count: 2
      signatures:
        - {name: release-1, key: k1.pub}
        - {name: release-2, key: {file: k2.pub}}
    - name: app
      images: ["$H/team/app"]
      signatures: [{name: release-1, key: k1.pub}, {name: release-2, key: k2.pub}]
    - name: audited
      images: ["$H/audit/*"]
      mode: audit
      signatures: [{key: k1.pub}]
    - name: skipped
      images: ["$H/skip/*"]
      mode: skip
    - name: provenance
      images: ["$H/prov/*"]
      signatures: [{key: k1.pub}]
      attestations:
        - name: slsa
          predicateType: slsaprovenance1
          sourceUri: gitlab.com/team/app
          sourceRef: 'refs/tags/v*'
          builderId: https://gitlab.com/team/app/-/runners/
          conditions:
            - {path: /predicate/buildDefinition/buildType, equals: https://example.com/bt/v1}
YAML
P=$W/policy.yaml

# =============================================================================================
section "1. verify --policy, key-signed"
sig verify --policy "$P" "$H/team/app:v1"
expect "1 the exact rule beats team/** (one of two keys is enough there)" 0 "pass (rule \"app\", mode enforce)" &&
  check "1 the JSON verdict names the rule, the pattern and the digest" eq "$(verdict rule) $(verdict pattern) $(verdict digest)" "app $H/team/app $D_APP"
sig verify --policy "$P" "$H/team/one@$D_ONE"
expect "1 count 2 with one signer: 15" 15 "signatures: 1 of 2 authorities verified, 2 required" &&
  check "1 the unsatisfied authority says why" grep -qF 'signature authority "release-2": not satisfied: 1 considered, none by this authority: verified with another key or identity' <<<"$ERR"
sig verify --policy "$P" "$H/team/both@$D_BOTH"
expect "1 count 2 with both signers passes" 0 "pass (rule \"team\", mode enforce): rule \"team\": 2 of 2 signature authorities"
sig verify --policy "$P" "$H/team/wrong@$D_WRONG"
expect "1 a signature by an unknown key fails" 15 "signatures: 0 of 2 authorities verified, 2 required"
sig verify --policy "$P" "$H/audit/x@$D_AUDIT"
expect "1 audit: an unsigned image is reported but passes" 0 "audit-fail (rule \"audited\", mode audit)" &&
  check "1 audit: the verdict says audit-fail" eq "$(verdict outcome)" "audit-fail"
sig verify --policy "$P" "$H/skip/never-pushed:v1"
expect "1 skip: nothing is read from the registry (the image does not exist)" 0 "skipped (rule \"skipped\", mode skip)"
# ... nor from any registry: a skip rule for a registry that does not listen (a read would be 20).
printf 'apiVersion: sigil.dev/v1\nkind: TrustPolicy\nspec:\n  rules:\n    - name: off\n      images: ["127.0.0.1:1/**"]\n      mode: skip\n' >"$W/skip-only.yaml"
sig verify --policy "$W/skip-only.yaml" "127.0.0.1:1/team/app:v1" --max-attempts 1 --timeout 5
expect "1 skip: no registry is contacted (a closed port passes)" 0 "skipped (rule \"off\", mode skip)" &&
  check "1 skip: the verdict has no digest" eq "$(verdict digest)" ""
sig verify --policy "$P" "$H/other/x@$D_OTHER"
expect "1 no rule and no default: 15" 15 "no rule of the policy matches $H/other/x and it has no spec.default"
sig verify --policy "$P" "$H/team/app:v1" "$H/team/one@$D_ONE" "$H/audit/x@$D_AUDIT" -o text
expect "1 several images: the worst status" 15 &&
  check "1 -o text: one line per image" eq "$(printf '%s\n' "$OUT" | cut -d' ' -f1 | tr '\n' ' ')" "pass fail audit-fail "
sig verify --policy "$P" "$H/team/missing:v1"
expect "1 a missing image is 11, not a policy failure" 11

# =============================================================================================
section "2. usage and malformed policies"
sig verify --policy "$P" --key "$W/k1.pub" "$H/team/app:v1"
expect "2 --policy with --key is refused" 2 "--policy replaces the trust flags: drop --key"
sig verify-attestation --policy "$P" --type spdxjson "$H/prov/app@$D_PROV"
expect "2 verify-attestation --policy with --type is refused" 2 "--policy replaces the trust flags: drop --type"
sig verify --policy "$P" --max-payload-size 10 "$H/team/app:v1"
expect "2 verify --policy with --max-payload-size is refused, not ignored" 2 "--policy verifies with the policy's checks and limits: drop --max-payload-size"
sig verify-attestation --policy "$P" --check-claims=false "$H/prov/app@$D_PROV"
expect "2 verify-attestation --policy with --check-claims is refused" 2 "--policy verifies with the policy's checks and limits: drop --check-claims"
printf 'apiVersion: sigil.dev/v1\nkind: TrustPolicy\nspec:\n  rules:\n    - name: a\n      images: [x]\n      signatures:\n        - keyless: {issuer: i}\n' >"$W/bad.yaml"
sig verify --policy "$W/bad.yaml" "$H/team/app:v1"
expect "2 a malformed policy: 30 with file, line and path" 30 "$W/bad.yaml:8: spec.rules[0].signatures[0].keyless: a keyless authority needs issuer"
sed 's/k2.pub}/missing.pub}/' "$P" >"$W/missing-key.yaml"
sig policy check "$W/missing-key.yaml"
expect "2 a key file that does not exist names its line" 30 "$W/missing-key.yaml:11: spec.rules[0].signatures[1].key:"

# =============================================================================================
section "3. verify-attestation --policy"
sig verify-attestation --policy "$P" "$H/prov/app@$D_PROV"
expect "3 provenance conditions hold" 0 "attestation \"slsa\" (https://slsa.dev/provenance/v1): 1 of 1 authorities, 1 required"
sig verify --policy "$P" "$H/prov/app@$D_PROV"
expect "3 verify --policy checks the signatures and the attestations" 0 "signature authority \"key k1.pub\": verified"
sed 's|refs/tags/v\*|refs/heads/main|' "$P" >"$W/wrong-ref.yaml"
sig verify-attestation --policy "$W/wrong-ref.yaml" "$H/prov/app@$D_PROV"
expect "3 a ref the provenance does not have: 15 with the pointer" 15 "attestation \"slsa\": 0 of 1 authorities, 1 required"
sed 's|bt/v1}|bt/v2}|' "$P" >"$W/wrong-bt.yaml"
sig verify-attestation --policy "$W/wrong-bt.yaml" "$H/prov/app@$D_PROV"
expect "3 a JSON pointer condition that fails: 15" 15 "/predicate/buildDefinition/buildType"
sig verify-attestation --policy "$P" "$H/team/app@$D_APP"
expect "3 no attestation required by the rule: passes" 0

# =============================================================================================
section "4. policy test, check, init"
sig policy test "$P" --image "$H/team/both@$D_BOTH" --expect pass
expect "4 policy test: pass as expected" 0 "ok: $H/team/both@$D_BOTH pass as expected"
sig policy test "$P" --image "$H/team/one@$D_ONE" --expect fail
expect "4 policy test: fail as expected" 0 "as expected (fail)"
sig policy test "$P" --image "$H/audit/x@$D_AUDIT" --expect fail
expect "4 policy test: audit-fail counts as fail" 0 "as expected (audit-fail)"
sig policy test "$P" --image "$H/team/one@$D_ONE" --expect pass
expect "4 policy test: an expectation that does not hold is 15" 15 "expected pass, got fail"
sig policy test "$P" --image "$H/team/missing:v1" --expect fail
expect "4 policy test: an unreadable image is not an expected failure" 11 "could not be verified, so the expectation was not tested"
sig policy check "$P"
expect "4 policy check: valid" 0 "$P: valid, 5 rule(s)" &&
  expect_out "4 policy check says N of M in words" "signed by at least 2 of these 2:" &&
  expect_out "4 policy check says what the attestation needs" "    at ref refs/tags/v*"
sig policy init --key "$W/k1.pub" --key env://SIGIL_TEST_KEY --certificate-identity me@example.com \
  --certificate-oidc-issuer https://issuer.example --image "$H/team/**"
expect "4 policy init" 0 && printf '%s\n' "$OUT" >"$W/init.yaml"
run env SIGIL_TEST_KEY="$(cat "$W/k2.pub")" timeout 60 "$SIGIL" policy check "$W/init.yaml" </dev/null
expect "4 the starter policy passes policy check" 0 "valid, 1 rule(s)" &&
  expect_out "4 the starter policy: keys and the keyless identity, in words" "signed by any one of these 3:"
sig policy init
expect "4 policy init without a signer is a usage error" 2 "say who signs"

# =============================================================================================
section "5. policy export --kyverno"
sig policy export --kyverno "$P"
expect "5 export" 0 "not expressed in Kyverno: rule \"skipped\" (mode skip) is not exported" &&
  printf '%s\n' "$OUT" >"$W/kyverno.yaml"
check "5 the ClusterPolicy's shape" "$PY" - "$W/kyverno.yaml" "$H" <<'PYEOF'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
h = sys.argv[2]
assert d["apiVersion"] == "kyverno.io/v1" and d["kind"] == "ClusterPolicy", d
assert d["metadata"]["name"] == "test-policy"
rules = {r["name"]: r for r in d["spec"]["rules"]}
assert sorted(rules) == ["app", "audited", "provenance", "team"], sorted(rules)
for r in rules.values():
    assert r["match"]["any"][0]["resources"]["kinds"] == ["Pod"]
    assert len(r["verifyImages"]) == 1
team = rules["team"]["verifyImages"][0]
assert team["imageReferences"] == [h + "/team/*:*", h + "/team/*@*"], team["imageReferences"]
assert team["failureAction"] == "Enforce"
a = team["attestors"]
assert len(a) == 1 and a[0]["count"] == 2 and len(a[0]["entries"]) == 2
assert a[0]["entries"][0]["keys"]["publicKeys"].startswith("-----BEGIN PUBLIC KEY-----")
assert rules["audited"]["verifyImages"][0]["failureAction"] == "Audit"
att = rules["provenance"]["verifyImages"][0]["attestations"][0]
assert att["type"] == "https://slsa.dev/provenance/v1"
conds = att["conditions"][0]["all"]
assert {"key": "{{ runDetails.builder.id }}", "operator": "Equals", "value": "https://gitlab.com/team/app/-/runners/*"} in conds, conds
assert {"key": "{{ buildDefinition.buildType }}", "operator": "Equals", "value": "https://example.com/bt/v1"} in conds, conds
PYEOF
check "5 what Kyverno cannot say is on stderr" grep -qF 'sourceUri/sourceRef are read by sigil from several provenance fields' <<<"$ERR"

# =============================================================================================
section "6. keyless authorities (the Sigstore stand-in)"
SD=$TEST_TMP/sigstore-standin
if ! start_sigstore_standin "$SD"; then
  RC=1 OUT="" ERR="" failed "6 start the sigstore stand-in"
  finish
fi
U=$SIGSTORE_STANDIN_URL
ROOT=$SIGSTORE_STANDIN_TRUSTED_ROOT
TOK=$(sigstore_mint_token --email ci@example.com)
secret "$TOK"
new_image D_KL keyless/app v1
run timeout 60 "$SIGIL" sign "$H/keyless/app@$D_KL" --identity-token "$TOK" --fulcio-url "$U" --rekor-url "$U" \
  --trusted-root "$ROOT" -y </dev/null
expect "6 setup: sign keyless" 0
sig_pw sign "$H/keyless/app@$D_KL" --key "$W/k2.key" -y
expect "6 setup: sign with k2 too" 0
keyless_policy() { # keyless_policy FILE SUBJECT COUNT
  cat >"$1" <<YAML
apiVersion: sigil.dev/v1
kind: TrustPolicy
spec:
  rules:
    - name: keyless
      images: ["$H/keyless/*"]
      count: $3
      signatures:
        - name: ci
          keyless: {issuer: "$U", subjectRegExp: '$2'}
        - {name: release-2, key: k2.pub}
      trust: {trustedRoot: "$ROOT"}
YAML
  cp "$W/k2.pub" "$(dirname "$1")/k2.pub" 2>/dev/null || true
}
keyless_policy "$W/kl.yaml" 'ci@example\.com' 2
sig verify --policy "$W/kl.yaml" "$H/keyless/app@$D_KL"
expect "6 keyless identity + key, count 2: passes" 0 "signature authority \"ci\": verified"
keyless_policy "$W/kl-other.yaml" 'other@example\.com' 2
sig verify --policy "$W/kl-other.yaml" "$H/keyless/app@$D_KL"
expect "6 another identity: 15, the identity named" 15 "certificate identity ci@example.com does not match the expected identity"
keyless_policy "$W/kl-one.yaml" 'other@example\.com' 1
sig verify --policy "$W/kl-one.yaml" "$H/keyless/app@$D_KL"
expect "6 count 1: the key alone is enough" 0 "1 of 2 signature authorities"
keyless_policy "$W/kl-prefix.yaml" 'ci@example' 1
sig policy test "$W/kl-prefix.yaml" --image "$H/keyless/app@$D_KL" --expect pass
expect "6 subjectRegExp is anchored: a prefix does not match (the key still does)" 0 "pass as expected"

# One identity that signed twice (two signatures, two Fulcio certificates) is ONE signer: two
# overlapping keyless authorities (exact ci@, and any @example.com) with count 2 must not pass.
new_image D_TW twice/app v1
for n in 1 2; do
  run timeout 60 "$SIGIL" sign "$H/twice/app@$D_TW" --identity-token "$TOK" --fulcio-url "$U" --rekor-url "$U" \
    --trusted-root "$ROOT" -y </dev/null
  expect "6 setup: sign keyless as ci@, time $n" 0
done
sig verify "$H/twice/app@$D_TW" --certificate-identity ci@example.com --certificate-oidc-issuer "$U" \
  --trusted-root "$ROOT" -o json
check "6 setup: two keyless signatures are on the image" eq "$(printf '%s' "$OUT" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2
twice_policy() { # twice_policy FILE AUTHORITY-YAML...
  local f=$1
  shift
  {
    printf 'apiVersion: sigil.dev/v1\nkind: TrustPolicy\nspec:\n  rules:\n    - name: twice\n'
    printf '      images: ["%s/twice/*"]\n      count: %s\n      trust: {trustedRoot: "%s"}\n      signatures:\n' "$H" $# "$ROOT"
    printf '        - %s\n' "$@"
  } >"$f"
}
twice_policy "$W/tw.yaml" "{name: ci, keyless: {issuer: \"$U\", subject: ci@example.com}}" \
  "{name: anyone, keyless: {issuer: \"$U\", subjectRegExp: '.*@example\\.com'}}"
sig verify --policy "$W/tw.yaml" "$H/twice/app@$D_TW"
expect "6 one identity signing twice is one signer: count 2 of overlapping keyless authorities fails" 15 \
  "signatures: 1 of 2 authorities verified, 2 required" &&
  check "6 the other authority says its signer counted already" grep -qF \
    'not satisfied: its signers counted for other authorities (each signer counts for one authority only)' <<<"$ERR"
sig policy export --kyverno "$W/tw.yaml"
expect "6 export --kyverno: Kyverno counts entries, not signers, and says so" 0 \
  'rule "twice": count 2: Kyverno counts the entries that verify, each on its own, so one keyless identity that several entries accept counts for each of them (sigil counts distinct signers)'
TOK2=$(sigstore_mint_token --email other@example.com)
secret "$TOK2"
run timeout 60 "$SIGIL" sign "$H/twice/app@$D_TW" --identity-token "$TOK2" --fulcio-url "$U" --rekor-url "$U" \
  --trusted-root "$ROOT" -y </dev/null
expect "6 setup: sign keyless as other@" 0
sig verify --policy "$W/tw.yaml" "$H/twice/app@$D_TW"
expect "6 a second identity is a second signer: passes" 0 "2 of 2 signature authorities"
# A key authority never counts a keyless signature (and a keyless one never a key signature).
twice_policy "$W/tw-key.yaml" "{name: release-2, key: k2.pub}" \
  "{name: nobody, keyless: {issuer: \"$U\", subject: nobody@example.com}}"
sig verify --policy "$W/tw-key.yaml" "$H/twice/app@$D_TW"
expect "6 a key authority: keyless signatures do not count" 15 \
  'signature authority "release-2": not satisfied: 3 considered, none by this authority: verified with another key or identity'
twice_policy "$W/kl-only.yaml" "{name: release-1, key: k1.pub}" "{name: ci, keyless: {issuer: \"$U\", subjectRegExp: '.*'}}"
sed -i "s|$H/twice/\\*|$H/team/*|" "$W/kl-only.yaml"
sig verify --policy "$W/kl-only.yaml" "$H/team/one@$D_ONE"
expect "6 a keyless authority: a key signature does not count" 15 \
  'signature authority "ci": not satisfied: 1 considered, none by this authority: key-signed, not keyless'
expect_no "6 the identity token is never printed" "$TOK"
expect_no "6 the second identity token is never printed" "$TOK2"

finish
