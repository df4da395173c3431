#!/usr/bin/env bash
# sigil keyless attestations and keyless bundle signatures against the Sigstore stand-in
# (tests/integration/sigstore/), checked by cosign 2.5 and by sigil's own verifiers.
# Usage: test_keyless_sign_attest.sh PATH_TO_SIGIL
#
#  1. attest-blob keyless: a v0.3 bundle with the DSSE envelope, the certificate, a dsse 0.0.1
#     entry (SET, proof, checkpoint) and an RFC 3161 timestamp; cosign verify-blob-attestation
#     --new-bundle-format --trusted-root and sigil verify-blob-attestation accept it
# 1b. the SIGSTORE_* variables (SIGSTORE_TSA_CERTIFICATE_FILE too) in place of --trusted-root
#  2. attest (image, legacy .att) keyless: the layer carries cosign's keyless annotations; cosign
#     verify-attestation (SIGSTORE_* files) and sigil verify-attestation --trusted-root accept it;
#     sigil verify-attestation accepts cosign 2.5's keyless .att (with a TSA)
#  3. attest --format bundle and sign --format bundle|both keyless: sigil verify-attestation and
#     sigil verify --certificate-identity accept the referrer bundles
#  4. nothing attached unless Rekor's entry verified: set-wrong-key, rekor-other-entry, an expired
#     token — attest fails with the reason and the .att tag stays absent
# cosign never reaches the internet: its proxy is a closed port and TUF_ROOT an empty directory.
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/sigstore_lib.sh"
REPO_DIR=$(cd "$HERE/../.." && pwd)
PY=$REGISTRY_PYTHON

keyless_suite_init

keyless_suite_cosign "every cosign case"
have_cosign() {
  [[ -n $COSIGN ]] && return 0
  if [[ ${SIGIL_REQUIRE_PEERS:-} == 1 ]]; then
    RC=1 OUT="" ERR="" failed "$1 (SIGIL_REQUIRE_PEERS=1: cosign missing)"
  else
    skip "$1 (cosign 2.5 could not be fetched)"
  fi
  return 1
}

W=$TEST_TMP/w
mkdir -p "$W"
SD=$TEST_TMP/sigstore-standin
if ! start_sigstore_standin "$SD" --prefill 300; then
  abort_suite "start the sigstore stand-in"
fi
U=$SIGSTORE_STANDIN_URL
TSA=$SIGSTORE_STANDIN_TSA_URL
ROOT=$SIGSTORE_STANDIN_TRUSTED_ROOT
EMAIL=signer@example.com
NET=(HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 'NO_PROXY=127.0.0.1,localhost')
mapfile -t COSIGN_ENV < <(sigstore_cosign_env)
cos_env() { run env "${NET[@]}" "${COSIGN_ENV[@]}" timeout 120 "$COSIGN" "$@" </dev/null; }
cos_root() { run env "${NET[@]}" timeout 120 "$COSIGN" "$@" </dev/null; }
mode() { sigstore_mode "$@" >/dev/null || echo "# could not set mode $*" >&2; }
BLOB=$W/blob.txt
echo "an artifact sigil attests keyless" >"$BLOB"
PRED=$W/predicate.json
echo '{"buildType":"https://example.com/build","builder":{"id":"https://example.com/builder"}}' >"$PRED"
TOK=$(sigstore_mint_token --email "$EMAIL")
secret "$TOK"
KEYLESS=(--identity-token "$TOK" --fulcio-url "$U" --rekor-url "$U" --trusted-root "$ROOT" -y)
IDENT=(--certificate-identity "$EMAIL" --certificate-oidc-issuer "$U" --trusted-root "$ROOT")

# =============================================================================================
section "1. attest-blob keyless"
run "$SIGIL" attest-blob "$BLOB" --type custom --predicate "$PRED" --bundle "$W/att.json" \
  --timestamp-server-url "$TSA" "${KEYLESS[@]}" </dev/null
expect "1 sigil attest-blob keyless (Fulcio, Rekor dsse, TSA)" 0 "Logged in the transparency log at index"
expect_no "1 the identity token is never printed" "$TOK"
check "1 the bundle has the envelope, certificate, a dsse 0.0.1 entry with proof, and a timestamp" "$PY" -c '
import json, sys
b = json.load(open(sys.argv[1]))
assert b["mediaType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
vm = b["verificationMaterial"]
assert list(vm) == ["certificate", "tlogEntries", "timestampVerificationData"], list(vm)
e = vm["tlogEntries"][0]
assert e["kindVersion"] == {"kind": "dsse", "version": "0.0.1"}, e["kindVersion"]
assert int(e["inclusionProof"]["treeSize"]) > 300 and "envelope" in e["inclusionProof"]["checkpoint"]
assert vm["timestampVerificationData"]["rfc3161Timestamps"][0]["signedTimestamp"]
assert b["dsseEnvelope"]["payloadType"] == "application/vnd.in-toto+json"' "$W/att.json"
run "$SIGIL" verify-blob-attestation "$BLOB" --bundle "$W/att.json" --type custom "${IDENT[@]}"
expect "1 sigil verify-blob-attestation --certificate-identity --trusted-root accepts it" 0
run "$SIGIL" verify-blob-attestation "$BLOB" --bundle "$W/att.json" --type custom --trusted-root "$ROOT" \
  --certificate-identity other@example.com --certificate-oidc-issuer "$U"
expect_fail "1 sigil verify-blob-attestation rejects it for another identity"
if have_cosign "1 cosign verify-blob-attestation of sigil's keyless bundle"; then
  cos_root verify-blob-attestation --new-bundle-format --trusted-root "$ROOT" --bundle "$W/att.json" --type custom \
    --certificate-identity "$EMAIL" --certificate-oidc-issuer "$U" "$BLOB"
  expect "1 cosign verify-blob-attestation --new-bundle-format --trusted-root accepts it" 0 "Verified OK"
  cos_root verify-blob-attestation --new-bundle-format --trusted-root "$ROOT" --bundle "$W/att.json" --type custom \
    --certificate-identity other@example.com --certificate-oidc-issuer "$U" "$BLOB"
  expect_fail "1 cosign verify-blob-attestation rejects it for another identity"
fi

GL_TOK=$(sigstore_mint_token --gitlab --gitlab-project grp/proj --gitlab-ref refs/heads/main)
secret "$GL_TOK"
run "$SIGIL" attest-blob "$BLOB" --type custom --predicate "$PRED" --bundle "$W/gl.json" --identity-token "$GL_TOK" \
  --fulcio-url "$U" --rekor-url "$U" --trusted-root "$ROOT" -y </dev/null
expect "1 attest-blob keyless with a GitLab CI token (README: Sign in GitLab CI without keys)" 0
run "$SIGIL" verify-blob-attestation "$BLOB" --bundle "$W/gl.json" --type custom --trusted-root "$ROOT" \
  --gitlab-project grp/proj --gitlab-ref main
expect "1 sigil verify-blob-attestation --gitlab-project grp/proj --gitlab-ref main accepts it" 0
run "$SIGIL" verify-blob-attestation "$BLOB" --bundle "$W/gl.json" --type custom --trusted-root "$ROOT" \
  --gitlab-project grp/proj --gitlab-ref 'refs/tags/v*'
expect_fail "1 ... and rejects it for another ref"

# =============================================================================================
section "1b. cosign's SIGSTORE_* variables instead of --trusted-root, with SIGSTORE_TSA_CERTIFICATE_FILE"
ENV_NO_TSA=()
for v in "${COSIGN_ENV[@]}"; do [[ $v == SIGSTORE_TSA_CERTIFICATE_FILE=* ]] || ENV_NO_TSA+=("$v"); done
run env "${COSIGN_ENV[@]}" "$SIGIL" attest-blob "$BLOB" --type custom --predicate "$PRED" --bundle "$W/env.json" \
  --identity-token "$TOK" --fulcio-url "$U" --rekor-url "$U" --timestamp-server-url "$TSA" -y </dev/null
expect "1b attest-blob keyless checks the TSA's answer against SIGSTORE_TSA_CERTIFICATE_FILE" 0
run env "${COSIGN_ENV[@]}" "$SIGIL" verify-blob-attestation "$BLOB" --bundle "$W/env.json" --type custom \
  --certificate-identity "$EMAIL" --certificate-oidc-issuer "$U"
expect "1b sigil verify-blob-attestation with the SIGSTORE_* variables accepts it" 0
run env "${ENV_NO_TSA[@]}" "$SIGIL" attest-blob "$BLOB" --type custom --predicate "$PRED" --bundle "$W/env2.json" \
  --identity-token "$TOK" --fulcio-url "$U" --rekor-url "$U" --timestamp-server-url "$TSA" -y </dev/null
expect_fail "1b without SIGSTORE_TSA_CERTIFICATE_FILE the timestamp cannot be checked: refused" "timestamp does not verify"
check "1b ... and no bundle written" test ! -e "$W/env2.json"
run env "${ENV_NO_TSA[@]}" SIGSTORE_TSA_CERTIFICATE_FILE="$W/no-such-file.pem" "$SIGIL" verify-blob-attestation \
  "$BLOB" --bundle "$W/env.json" --type custom --certificate-identity "$EMAIL" --certificate-oidc-issuer "$U" \
  --timestamp-certificate-chain "$SIGSTORE_STANDIN_TSA_CHAIN"
expect "1b --timestamp-certificate-chain wins over SIGSTORE_TSA_CERTIFICATE_FILE (a missing file, never read)" 0
run env "${ENV_NO_TSA[@]}" SIGSTORE_TSA_CERTIFICATE_FILE="$W/no-such-file.pem" "$SIGIL" verify-blob-attestation \
  "$BLOB" --bundle "$W/env.json" --type custom --certificate-identity "$EMAIL" --certificate-oidc-issuer "$U"
expect_fail "1b SIGSTORE_TSA_CERTIFICATE_FILE is read (a missing file is an error naming it)" "SIGSTORE_TSA_CERTIFICATE_FILE"

# =============================================================================================
section "2-4. images"
if [[ ! -x $REGISTRY_BIN || ! -x $REGISTRY_SKOPEO ]]; then
  skip "2-4 keyless images (missing $REGISTRY_BIN or $REGISTRY_SKOPEO)"
  finish
fi
if ! start_registry REG anon; then
  RC=1 OUT="" ERR="" failed "2 start the registry"
  finish
fi
H=$REG_HOST
export DOCKER_CONFIG=$REG_DOCKER_CONFIG
manifest() { # manifest REPO TAG: the manifest JSON in $OUT
  run curl -sS --max-time 10 -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$H/v2/$1/manifests/$2"
}
att_absent() { # att_absent REPO DIGEST: the .att tag does not exist
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$H/v2/$1/manifests/$(att_tag "$2")") == 404 ]]
}

section "2. attest (image, legacy .att) keyless"
if new_image IMG keyless/att v1; then
  REF=$H/keyless/att@$IMG
  run "$SIGIL" attest "$REF" --type slsaprovenance --predicate "$PRED" --timestamp-server-url "$TSA" \
    "${KEYLESS[@]}" </dev/null
  expect "2 sigil attest keyless (legacy .att)" 0 "Logged in the transparency log at index"
  manifest keyless/att "$(att_tag "$IMG")"
  check "2 the .att layer carries the predicate type and cosign's keyless annotations" "$PY" -c '
import json, sys
a = json.loads(sys.stdin.read())["layers"][0]["annotations"]
assert a["predicateType"] == "https://slsa.dev/provenance/v0.2", a
assert a["dev.cosignproject.cosign/signature"] == ""
assert a["dev.sigstore.cosign/certificate"].startswith("-----BEGIN CERTIFICATE-----")
assert a["dev.sigstore.cosign/chain"].count("BEGIN CERTIFICATE") == 2
b = json.loads(a["dev.sigstore.cosign/bundle"])
body = json.loads(__import__("base64").b64decode(b["Payload"]["body"]))
assert body["kind"] == "dsse" and body["apiVersion"] == "0.0.1", body
assert list(json.loads(a["dev.sigstore.cosign/rfc3161timestamp"])) == ["SignedRFC3161Timestamp"]' <<<"$OUT"
  run "$SIGIL" verify-attestation "$REF" --type slsaprovenance "${IDENT[@]}"
  expect "2 sigil verify-attestation --certificate-identity --trusted-root accepts it" 0
  run "$SIGIL" tree "$REF" -o text
  expect_out "2 sigil tree lists the .att tag" "$(att_tag "$IMG")"
  run "$SIGIL" verify-attestation "$REF" --type slsaprovenance --trusted-root "$ROOT" \
    --certificate-identity other@example.com --certificate-oidc-issuer "$U"
  expect_fail "2 sigil verify-attestation rejects it for another identity"
  if have_cosign "2 cosign verify-attestation of sigil's keyless .att"; then
    cos_env verify-attestation --allow-http-registry --type slsaprovenance \
      --certificate-identity "$EMAIL" --certificate-oidc-issuer "$U" "$REF"
    expect "2 cosign verify-attestation (SIGSTORE_* files) accepts it" 0
    cos_env verify-attestation --allow-http-registry --type slsaprovenance --use-signed-timestamps \
      --certificate-identity "$EMAIL" --certificate-oidc-issuer "$U" "$REF"
    expect "2 cosign verify-attestation --use-signed-timestamps accepts its RFC 3161 timestamp" 0
    cos_env verify-attestation --allow-http-registry --type slsaprovenance \
      --certificate-identity other@example.com --certificate-oidc-issuer "$U" "$REF"
    expect_fail "2 cosign verify-attestation rejects it for another identity"
  fi
fi

if have_cosign "2 sigil verify-attestation of cosign 2.5's keyless .att" && new_image IMGC keyless/cosatt v1; then
  cos_env attest -y --allow-http-registry --fulcio-url "$U" --rekor-url "$U" --identity-token "$TOK" \
    --timestamp-server-url "$TSA" --type slsaprovenance --predicate "$PRED" "$H/keyless/cosatt@$IMGC"
  expect "2 cosign 2.5 attest keyless (with a TSA) against the stand-in" 0
  run env "${COSIGN_ENV[@]}" "$SIGIL" verify-attestation "$H/keyless/cosatt@$IMGC" --type slsaprovenance \
    --certificate-identity "$EMAIL" --certificate-oidc-issuer "$U"
  expect "2 sigil verify-attestation (SIGSTORE_* variables) accepts cosign 2.5's keyless .att" 0
fi

section "3. bundle referrers keyless (attest --format bundle, sign --format bundle|both)"
if new_image IMG3 keyless/ref v1; then
  REF3=$H/keyless/ref@$IMG3
  run "$SIGIL" attest "$REF3" --format bundle --type slsaprovenance --predicate "$PRED" "${KEYLESS[@]}" </dev/null
  expect "3 sigil attest --format bundle keyless" 0 "Logged in the transparency log at index"
  run "$SIGIL" verify-attestation "$REF3" --type slsaprovenance "${IDENT[@]}"
  expect "3 sigil verify-attestation accepts the keyless attestation referrer" 0
  run "$SIGIL" sign "$REF3" --format bundle --timestamp-server-url "$TSA" "${KEYLESS[@]}" </dev/null
  expect "3 sigil sign --format bundle keyless" 0 "Logged in the transparency log at index"
  run "$SIGIL" verify "$REF3" "${IDENT[@]}"
  expect "3 sigil verify --certificate-identity accepts the keyless signature referrer" 0
  run "$SIGIL" verify "$REF3" --trusted-root "$ROOT" --certificate-identity other@example.com \
    --certificate-oidc-issuer "$U"
  expect_fail "3 sigil verify rejects it for another identity"
fi
if new_image IMG4 keyless/both v1; then
  REF4=$H/keyless/both@$IMG4
  run "$SIGIL" sign "$REF4" --format both "${KEYLESS[@]}" </dev/null
  expect "3 sigil sign --format both keyless" 0 "Logged in the transparency log at index"
  run "$SIGIL" verify "$REF4" "${IDENT[@]}" -o json
  expect "3 sigil verify accepts both the .sig layer and the referrer" 0
  if have_cosign "3 cosign verify of the legacy half"; then
    cos_env verify --allow-http-registry --certificate-identity "$EMAIL" --certificate-oidc-issuer "$U" "$REF4"
    expect "3 cosign verify accepts the legacy half of --format both" 0
  fi
fi

section "4. nothing attached unless Rekor's entry verified"
# refused_attest NAME MODE REASON [token]: attest fails with REASON and no .att tag appears.
refused_attest() {
  local name=$1 m=$2 reason=$3 tok=${4:-$TOK} d
  new_image NEG keyless/neg "$m" || return 0
  d=$NEG
  mode "$m"
  run "$SIGIL" attest "$H/keyless/neg@$d" --type slsaprovenance --predicate "$PRED" --identity-token "$tok" \
    --fulcio-url "$U" --rekor-url "$U" --trusted-root "$ROOT" -y </dev/null
  mode normal
  expect_fail "4 $name" "$reason"
  check "4 $name: nothing attached (no .att tag)" att_absent keyless/neg "$d"
  run "$SIGIL" tree "$H/keyless/neg@$d" -o text
  expect_out "4 $name: sigil tree shows nothing attached" "(nothing attached)"
}
refused_attest "Rekor's SET is signed by another key" set-wrong-key "signed entry timestamp does not verify"
refused_attest "Rekor answers with another entry" rekor-other-entry "not about this signature"
refused_attest "Rekor's inclusion proof has a wrong hash" inclusion-bad-hash "does not verify"
refused_attest "an expired token" normal "identity token refused: it expired" "$(sigstore_mint_token --exp-in -60)"

check "5 the stand-in never answered 500" eq "$(grep -c '"status": 500' "$SIGSTORE_STANDIN_LOG" || true)" 0
finish
