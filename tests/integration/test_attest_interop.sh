#!/usr/bin/env bash
# Attestation interop: sigil against real cosign 2.5 (Debian trixie build, fetched by
# scripts/lib/peers.sh) on a real registry (Debian docker-registry 2.8, anonymous HTTP).
# Usage: test_attest_interop.sh PATH_TO_SIGIL [PATH_TO_SIGIL_REGISTRY_PROBE]
#
#  1. cosign attest --key --tlog-upload=false (slsaprovenance1, custom, spdxjson; .att and
#     --new-bundle-format referrers) -> sigil verify-attestation (types, provenance and --match
#     conditions, other key 12, other type 14)
#  2. sigil attest (legacy, bundle, both; statement v1 and v0.1) -> cosign verify-attestation
#     --key --insecure-ignore-tlog --type (and --policy CUE); other key / other type rejected
#  3. cosign attest-blob (--new-bundle-format --bundle, legacy --bundle, the envelope it prints,
#     --output-attestation) -> sigil verify-blob-attestation
#  4. sigil attest-blob -> cosign verify-blob-attestation (--new-bundle-format, --trusted-root,
#     --signature with the bare envelope)
#
# Measured cosign 2.5 facts the cases rely on (and document):
#  - `attest-blob --output-attestation F` writes the UNSIGNED statement, not an envelope; the
#    signed envelope goes to stdout. sigil must refuse the statement file as an attestation.
#  - `verify-blob-attestation` reads v0.3 bundles with --new-bundle-format, or on its legacy path
#    when --trusted-root is given; without either it refreshes the public-good TUF root (network),
#    which this test never does.
#  - `verify-blob-attestation --new-bundle-format` does not enforce --type (CVE-2026-39395 /
#    GHSA-w6c6-c85g-mmv6, fixed in cosign 2.6.3): reported as a skip, never a pass.
#  - Key-based verification of bundles needs no trust material: an empty trusted root suffices.
# Peer cases are skipped, loudly, when cosign cannot be fetched (SIGIL_REQUIRE_PEERS=1 turns that
# into a failure).
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"
REPO_DIR=$(cd "$HERE/../.." && pwd)
find_probe "${2:-}"

unset SIGIL_PASSWORD COSIGN_PASSWORD SIGIL_REPOSITORY COSIGN_REPOSITORY SSL_CERT_FILE \
  CI_REGISTRY CI_REGISTRY_USER CI_REGISTRY_PASSWORD CI_JOB_TOKEN

# --- peers and registry ----------------------------------------------------------------------
COSIGN=""
PEERS_SKIP_REASON=""
# shellcheck source=../../scripts/lib/peers.sh
if source "$REPO_DIR/scripts/lib/peers.sh" && ensure_peers; then
  COSIGN=$PEERS_COSIGN
  [[ -x $REGISTRY_SKOPEO ]] || REGISTRY_SKOPEO=$PEERS_SKOPEO
else
  PEERS_SKIP_REASON="cosign 2.5 could not be fetched (see 'peers:' messages above)"
  echo "NOTE: $PEERS_SKIP_REASON; every peer case will be SKIPPED" >&2
fi
require_tools "$REGISTRY_BIN" "$REGISTRY_SKOPEO" "$PY" openssl curl
require_probe
skip_suite_if_missing "attestation interop" --peers
if [[ -z $COSIGN ]]; then
  if [[ ${SIGIL_REQUIRE_PEERS:-} == 1 ]]; then
    RC=1 OUT="" ERR=""
    failed "SIGIL_REQUIRE_PEERS=1: $PEERS_SKIP_REASON"
  else
    skip "attestation interop with cosign 2.5 ($PEERS_SKIP_REASON)"
  fi
  finish
  exit
fi
start_registry REG anon || abort_suite "start the registry"
H=$REG_HOST

# Nothing of the user's: no docker config, no sigstore TUF cache; never the public-good root.
export HOME=$TEST_TMP/home
mkdir -p "$HOME"
export DOCKER_CONFIG=$REG_DOCKER_CONFIG TUF_ROOT=$TEST_TMP/tuf
W=$TEST_TMP/w
mkdir -p "$W"
EMPTY_TRUSTED_ROOT=$W/trusted-root.json
echo '{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}' >"$EMPTY_TRUSTED_ROOT"

# --- helpers ---------------------------------------------------------------------------------
T_START=$EPOCHREALTIME
PW='interop attest pw'
sig() { run timeout 60 "$SIGIL" "$@" </dev/null; }
sig_pw() { run env SIGIL_PASSWORD="$PW" timeout 60 "$SIGIL" "$@" </dev/null; }
cos() { run env -C "$W" timeout 60 "$COSIGN" "$@" </dev/null; }
cos_pw() { run env -C "$W" COSIGN_PASSWORD="$PW" timeout 60 "$COSIGN" "$@" </dev/null; }
# payloads: the decoded DSSE payloads of cosign verify-attestation's stdout (one envelope a line),
# as "predicateType _type" lines.
payloads() {
  "$PY" -c '
import base64, json, sys
for line in sys.argv[1].splitlines():
    if line.strip():
        s = json.loads(base64.b64decode(json.loads(line)["payload"]))
        print(s["predicateType"], s["_type"])' "$1"
}
last_err() { printf '%s' "$ERR" | grep -v '^WARNING' | tail -n1; }

# --- keys and predicates ---------------------------------------------------------------------
section "keys"
cos_pw generate-key-pair --output-key-prefix cosign
expect "setup: cosign generate-key-pair" 0
sig_pw generate-key-pair --output-key-prefix "$W/sigil"
expect "setup: sigil generate-key-pair" 0
CPUB=$W/cosign.pub CKEY=$W/cosign.key SKEY=$W/sigil.key SPUB=$W/sigil.pub
cat >"$W/prov.json" <<'EOF'
{"buildDefinition":{"buildType":"https://example.com/build/v1","externalParameters":{"source":{"uri":"git+https://gitlab.example.com/team/app","ref":"refs/heads/main"},"jobName":"build-image"},"resolvedDependencies":[{"uri":"git+https://gitlab.example.com/team/app@refs/heads/main","digest":{"gitCommit":"9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"}}]},"runDetails":{"builder":{"id":"https://gitlab.example.com/team/app/-/runners/77"},"metadata":{"invocationId":"https://gitlab.example.com/team/app/-/jobs/1"}}}
EOF
cat >"$W/sbom.json" <<'EOF'
{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"app","documentNamespace":"https://example.com/spdx/app-1","creationInfo":{"created":"2025-01-01T00:00:00Z","creators":["Tool: test"]},"packages":[]}
EOF
printf 'hello custom predicate\n' >"$W/custom.txt"
SLSA1=https://slsa.dev/provenance/v1 CUSTOM=https://cosign.sigstore.dev/attestation/v1 SPDX=https://spdx.dev/Document
PROV_FLAGS=(--source-uri gitlab.example.com/team/app --source-ref refs/heads/main
  --builder-id https://gitlab.example.com/team/app/-/runners/77)

# =============================================================================================
section "1. cosign attest -> sigil verify-attestation"
if new_image D1 interop/cosign-att v1; then
  IMG=$H/interop/cosign-att
  cos_pw attest --key "$CKEY" --tlog-upload=false -y --type slsaprovenance1 --predicate "$W/prov.json" "$IMG@$D1"
  expect "1 cosign attest --type slsaprovenance1" 0
  cos_pw attest --key "$CKEY" --tlog-upload=false -y --type custom --predicate "$W/custom.txt" "$IMG@$D1"
  expect "1 cosign attest --type custom" 0
  cos_pw attest --key "$CKEY" --tlog-upload=false -y --type spdxjson --predicate "$W/sbom.json" "$IMG@$D1"
  expect "1 cosign attest --type spdxjson" 0
  sig verify-attestation "$IMG@$D1" --key "$CPUB" --type slsaprovenance1 --explain "${PROV_FLAGS[@]}"
  expect "1 sigil verify-attestation --type slsaprovenance1 with provenance conditions" 0 \
    "source ref refs/heads/main matches refs/heads/main" &&
    expect_out "1 cosign writes an in-toto v0.1 statement" '"_type":"https://in-toto.io/Statement/v0.1"' &&
    check "1 --explain: cosign's 3 layers considered, 1 accepted, 2 rejected by their signed types" eq \
      "$(count_in "$ERR" "accepted $(att_tag "$D1")")/$(count_in "$ERR" "(signed), not $SLSA1")" 1/2
  sig verify-attestation "$IMG@$D1" --key "$CPUB" --type custom
  expect "1 sigil verify-attestation --type custom" 0 &&
    expect_out "1 cosign's custom predicate wraps the file" '"Data":"hello custom predicate\n"'
  sig verify-attestation "$IMG@$D1" --key "$CPUB" --type spdxjson --match /predicate/spdxVersion=SPDX-2.3 \
    --match-regexp '/predicate/documentNamespace=https://example\.com/spdx/.*'
  expect "1 sigil verify-attestation --type spdxjson --match --match-regexp" 0 '/predicate/spdxVersion equals "SPDX-2.3"'
  sig verify-attestation "$IMG@$D1" --key "$CPUB" --type slsaprovenance1 --source-uri gitlab.example.com/team/other
  expect "1 N: cosign's provenance, another source: 15" 15 "want gitlab.example.com/team/other, found git+https://gitlab.example.com/team/app"
  sig verify-attestation "$IMG@$D1" --key "$SPUB" --type slsaprovenance1
  expect "1 N: cosign's attestations, another key: 12" 12 "none of type $SLSA1 verified"
  sig verify-attestation "$IMG@$D1" --key "$CPUB" --type openvex
  expect "1 N: cosign's attestations, a type it did not attest: 14" 14 "found only: $CUSTOM, $SLSA1, $SPDX"
  # Same layer shape as sigil's: mediaType and annotation keys.
  run timeout 60 "$PROBE" get-manifest "$IMG:$(att_tag "$D1")" --out "$W/cosign.att.json"
  expect "1 cosign's .att manifest readable by the probe" 0 &&
    check "1 cosign's .att layers: DSSE media type, annotations {signature, predicateType}" eq \
      "$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sorted({(l["mediaType"], tuple(sorted(l["annotations"]))) for l in d["layers"]}))' "$W/cosign.att.json")" \
      "[('application/vnd.dsse.envelope.v1+json', ('dev.cosignproject.cosign/signature', 'predicateType'))]"
  # sigil adds its own attestation next to cosign's; both keys accepted (rotation).
  sig_pw attest "$IMG@$D1" --key "$SKEY" --type slsaprovenance1 --predicate "$W/prov.json"
  expect "1 sigil attest next to cosign's attestations" 0
  sig verify-attestation "$IMG@$D1" --key "$CPUB" --key "$SPUB" --type slsaprovenance1 --explain
  expect "1 sigil verify: cosign's and sigil's SLSA attestations, two keys" 0 "verified with key $SPUB" &&
    expect "1 ... cosign's is accepted with cosign's key" 0 "verified with key $CPUB"
  cos verify-attestation --key "$CPUB" --insecure-ignore-tlog --type slsaprovenance1 "$IMG@$D1"
  expect "1 cosign verify-attestation still reads the .att tag sigil appended to" 0
fi
if new_image D1B interop/cosign-att-bundle v1; then
  IMG=$H/interop/cosign-att-bundle
  cos_pw attest --key "$CKEY" --tlog-upload=false -y --new-bundle-format --type slsaprovenance1 \
    --predicate "$W/prov.json" "$IMG@$D1B"
  expect "1 cosign attest --new-bundle-format (bundle referrer, fallback tag)" 0
  sig verify-attestation "$IMG@$D1B" --key "$CPUB" --type slsaprovenance1 --explain "${PROV_FLAGS[@]}"
  expect "1 sigil verify-attestation: cosign's bundle referrer" 0 "accepted referrer sha256:"
  sig verify-attestation "$IMG@$D1B" --key "$SPUB" --type slsaprovenance1
  expect "1 N: cosign's bundle referrer, another key: 12" 12 "no DSSE signature (1) verifies with the trusted key"
  sig verify-attestation "$IMG@$D1B" --key "$CPUB" --type custom
  expect "1 N: cosign's bundle referrer, another type: 14" 14 "$CUSTOM"
fi

# =============================================================================================
section "2. sigil attest -> cosign verify-attestation"
if new_image D2 interop/sigil-att v1; then
  IMG=$H/interop/sigil-att
  sig_pw attest "$IMG@$D2" --key "$SKEY" --type slsaprovenance1 --predicate "$W/prov.json"
  expect "2 sigil attest --type slsaprovenance1 (statement v1)" 0
  sig_pw attest "$IMG@$D2" --key "$SKEY" --type custom --predicate "$W/custom.txt" --statement-version v0.1
  expect "2 sigil attest --type custom --statement-version v0.1" 0
  sig_pw attest "$IMG@$D2" --key "$SKEY" --type spdxjson --predicate "$W/sbom.json"
  expect "2 sigil attest --type spdxjson" 0
  for t in slsaprovenance1 custom spdxjson; do
    case $t in
      slsaprovenance1) want="$SLSA1 https://in-toto.io/Statement/v1" ;;
      custom) want="$CUSTOM https://in-toto.io/Statement/v0.1" ;;
      spdxjson) want="$SPDX https://in-toto.io/Statement/v1" ;;
    esac
    cos verify-attestation --key "$SPUB" --insecure-ignore-tlog --type "$t" "$IMG@$D2"
    expect "2 cosign verify-attestation --type $t: sigil's .att layer" 0 &&
      check "2 cosign prints sigil's envelope of type $t" eq "$(payloads "$OUT")" "$want"
  done
  cos verify-attestation --key "$SPUB" --insecure-ignore-tlog --type openvex "$IMG@$D2"
  expect_fail "2 N: cosign verify-attestation --type openvex (not attested) rejects" \
    "none of the attestations matched the predicate type"
  cos verify-attestation --key "$CPUB" --insecure-ignore-tlog --type slsaprovenance1 "$IMG@$D2"
  expect_fail "2 N: cosign verify-attestation with another key rejects" "accepted signatures do not match threshold"
  printf 'predicateType: "%s"\npredicate: runDetails: builder: id: "https://gitlab.example.com/team/app/-/runners/77"\n' \
    "$SLSA1" >"$W/good.cue"
  printf 'predicate: runDetails: builder: id: "https://evil.example.com/runner"\n' >"$W/bad.cue"
  cos verify-attestation --key "$SPUB" --insecure-ignore-tlog --type slsaprovenance1 --policy "$W/good.cue" "$IMG@$D2"
  expect "2 cosign --policy CUE over sigil's statement (builder id)" 0
  cos verify-attestation --key "$SPUB" --insecure-ignore-tlog --type slsaprovenance1 --policy "$W/bad.cue" "$IMG@$D2"
  expect_fail "2 N: cosign --policy CUE with another builder id rejects" "1 validation errors occurred"
fi
if new_image D2B interop/sigil-att-bundle v1; then
  IMG=$H/interop/sigil-att-bundle
  sig_pw attest "$IMG@$D2B" --key "$SKEY" --type slsaprovenance1 --predicate "$W/prov.json" --format bundle
  expect "2 sigil attest --format bundle" 0
  cos verify-attestation --key "$SPUB" --insecure-ignore-tlog --new-bundle-format --trusted-root "$EMPTY_TRUSTED_ROOT" \
    --type slsaprovenance1 "$IMG@$D2B"
  expect "2 cosign verify-attestation --new-bundle-format: sigil's bundle referrer" 0 &&
    check "2 ... the statement cosign verified" eq "$(payloads "$OUT")" "$SLSA1 https://in-toto.io/Statement/v1"
  cos verify-attestation --key "$CPUB" --insecure-ignore-tlog --new-bundle-format --trusted-root "$EMPTY_TRUSTED_ROOT" \
    --type slsaprovenance1 "$IMG@$D2B"
  expect_fail "2 N: cosign --new-bundle-format, another key, rejects" "accepted signatures do not match threshold"
  cos verify-attestation --key "$SPUB" --insecure-ignore-tlog --new-bundle-format --trusted-root "$EMPTY_TRUSTED_ROOT" \
    --type spdxjson "$IMG@$D2B"
  expect_fail "2 N: cosign --new-bundle-format, another type, rejects" \
    "none of the attestations matched the predicate type: spdxjson, found: $SLSA1"
  cos verify-attestation --key "$SPUB" --insecure-ignore-tlog --type slsaprovenance1 "$IMG@$D2B"
  expect_fail "2 --format bundle only: cosign 2.5 without --new-bundle-format finds no .att (as designed)" \
    "no matching attestations"
fi
if new_image D2C interop/sigil-att-both v1; then
  IMG=$H/interop/sigil-att-both
  sig_pw attest "$IMG@$D2C" --key "$SKEY" --type slsaprovenance1 --predicate "$W/prov.json" --format both --statement-version v0.1
  expect "2 sigil attest --format both --statement-version v0.1" 0
  cos verify-attestation --key "$SPUB" --insecure-ignore-tlog --type slsaprovenance1 "$IMG@$D2C"
  expect "2 --format both: cosign verify-attestation (legacy .att)" 0
  cos verify-attestation --key "$SPUB" --insecure-ignore-tlog --new-bundle-format --trusted-root "$EMPTY_TRUSTED_ROOT" \
    --type slsaprovenance1 "$IMG@$D2C"
  expect "2 --format both: cosign verify-attestation --new-bundle-format (referrer)" 0
fi

# =============================================================================================
section "3. cosign attest-blob -> sigil verify-blob-attestation"
printf 'release artifact\n' >"$W/art.bin"
printf 'another artifact\n' >"$W/other.bin"
cos_pw attest-blob --key "$CKEY" --tlog-upload=false -y --new-bundle-format --type slsaprovenance1 \
  --predicate "$W/prov.json" --bundle "$W/c-new.json" "$W/art.bin"
expect "3 cosign attest-blob --new-bundle-format --bundle" 0
cos_pw attest-blob --key "$CKEY" --tlog-upload=false -y --type slsaprovenance1 --predicate "$W/prov.json" \
  --bundle "$W/c-old.json" --output-attestation "$W/c-statement.json" "$W/art.bin"
expect "3 cosign attest-blob --bundle (legacy) --output-attestation" 0 && printf '%s\n' "$OUT" >"$W/c-stdout.json"
check "3 cosign's legacy bundle holds the envelope as base64Signature" eq \
  "$("$PY" -c 'import base64,json,sys; print(json.loads(base64.b64decode(json.load(open(sys.argv[1]))["base64Signature"]))["payloadType"])' "$W/c-old.json" 2>&1)" \
  "application/vnd.in-toto+json"
for b in c-new c-old c-stdout; do
  case $b in
    c-new) what="v0.3 bundle" ;;
    c-old) what="legacy cosign bundle" ;;
    c-stdout) what="bare envelope from stdout" ;;
  esac
  sig verify-blob-attestation "$W/art.bin" --key "$CPUB" --bundle "$W/$b.json" --type slsaprovenance1 "${PROV_FLAGS[@]}"
  expect "3 sigil verify-blob-attestation: cosign's $what, with provenance conditions" 0 "Verified OK"
done
sig verify-blob-attestation "$W/other.bin" --key "$CPUB" --bundle "$W/c-new.json" --type slsaprovenance1
expect "3 N: cosign's blob attestation, another file: 12" 12 "it is about another artifact" &&
  expect_no "3 N: ... no Verified OK" "Verified OK"
sig verify-blob-attestation "$W/art.bin" --key "$CPUB" --bundle "$W/c-new.json" --type spdxjson
expect "3 N: cosign's blob attestation, another type: 14" 14 "found only: $SLSA1" &&
  expect_no "3 N: ... no Verified OK (type)" "Verified OK"
sig verify-blob-attestation "$W/art.bin" --key "$SPUB" --bundle "$W/c-old.json" --type slsaprovenance1
expect "3 N: cosign's legacy bundle, another key: 12" 12 "no DSSE signature (1) verifies with the trusted key"
# --output-attestation is the unsigned statement: never an attestation.
check "3 cosign 2.5 --output-attestation writes the unsigned statement" eq \
  "$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("predicateType"), "payload" in d)' "$W/c-statement.json" 2>&1)" \
  "$SLSA1 False"
sig verify-blob-attestation "$W/art.bin" --key "$CPUB" --bundle "$W/c-statement.json" --type slsaprovenance1
expect "3 N: cosign's unsigned --output-attestation statement is refused: 30" 30 'missing field "payloadType"' &&
  expect_no "3 N: ... no Verified OK (unsigned)" "Verified OK"

# =============================================================================================
section "4. sigil attest-blob -> cosign verify-blob-attestation"
sig_pw attest-blob "$W/art.bin" --key "$SKEY" --type slsaprovenance1 --predicate "$W/prov.json" --bundle "$W/s.json"
expect "4 sigil attest-blob (statement v1)" 0
sig_pw attest-blob "$W/art.bin" --key "$SKEY" --type custom --predicate "$W/custom.txt" --statement-version v0.1 --bundle "$W/s-custom.json"
expect "4 sigil attest-blob --type custom --statement-version v0.1" 0
NB=(--insecure-ignore-tlog --new-bundle-format --trusted-root "$EMPTY_TRUSTED_ROOT")
cos verify-blob-attestation --key "$SPUB" "${NB[@]}" --bundle "$W/s.json" --type slsaprovenance1 "$W/art.bin"
expect "4 cosign verify-blob-attestation --new-bundle-format: sigil's bundle" 0 "Verified OK"
cos verify-blob-attestation --key "$SPUB" "${NB[@]}" --bundle "$W/s-custom.json" --type custom "$W/art.bin"
expect "4 cosign verify-blob-attestation --new-bundle-format: sigil's custom v0.1 bundle" 0 "Verified OK"
cos verify-blob-attestation --key "$SPUB" --insecure-ignore-tlog --trusted-root "$EMPTY_TRUSTED_ROOT" \
  --bundle "$W/s.json" --type slsaprovenance1 "$W/art.bin"
expect "4 cosign verify-blob-attestation --trusted-root (legacy path detects the v0.3 bundle)" 0 "Verified OK"
cos verify-blob-attestation --key "$SPUB" "${NB[@]}" --bundle "$W/s.json" --type slsaprovenance1 "$W/other.bin"
expect_fail "4 N: cosign: sigil's bundle, another file, rejected" "provided artifact digest does not match any digest in statement"
cos verify-blob-attestation --key "$CPUB" "${NB[@]}" --bundle "$W/s.json" --type slsaprovenance1 "$W/art.bin"
expect_fail "4 N: cosign: sigil's bundle, another key, rejected" "accepted signatures do not match threshold"
cos verify-blob-attestation --key "$SPUB" "${NB[@]}" --bundle "$W/s.json" --type spdxjson "$W/art.bin"
if [[ $RC != 0 ]]; then
  pass "4 N: cosign --new-bundle-format: sigil's bundle, another type, rejected"
else
  skip "4 cosign 2.5 --new-bundle-format ignores --type (CVE-2026-39395, fixed in 2.6.3): it said '$(last_err)' for type spdxjson"
fi
sig verify-blob-attestation "$W/art.bin" --key "$SPUB" --bundle "$W/s.json" --type spdxjson
expect "4 N: ... where sigil refuses the same bundle and type: 14" 14 "found only: $SLSA1" &&
  expect_no "4 N: ... sigil prints no Verified OK" "Verified OK"
# cosign's legacy path takes the bare envelope as --signature, and enforces --type there.
"$PY" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["dsseEnvelope"]))' "$W/s.json" >"$W/s-envelope.json"
cos verify-blob-attestation --key "$SPUB" --insecure-ignore-tlog --signature "$W/s-envelope.json" --type slsaprovenance1 "$W/art.bin"
expect "4 cosign verify-blob-attestation --signature: the envelope of sigil's bundle" 0 "Verified OK"
cos verify-blob-attestation --key "$SPUB" --insecure-ignore-tlog --signature "$W/s-envelope.json" --type spdxjson "$W/art.bin"
expect_fail "4 N: cosign --signature (legacy path), another type, rejected" "invalid predicate type"

section "done"
finish
