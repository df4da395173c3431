#!/usr/bin/env bash
# sigil keyless signing against the Sigstore stand-in (tests/integration/sigstore/), checked by
# cosign 2.5: sign-blob (a v0.3 bundle with certificate, Rekor entry, RFC 3161 timestamp) and sign
# (cosign's keyless .sig layer annotations), and every refusal before anything is published.
# Usage: test_keyless_sign.sh PATH_TO_SIGIL
#
#  1. sign-blob keyless: cosign verify-blob --trusted-root --new-bundle-format accepts the bundle
#     (and rejects another identity); --output-certificate / --output-signature; with a signing
#     config instead of URLs; the token never printed
#  2. refused before anything is written, with the reason: no token, expired token, another
#     audience, not a JWT, a token signed by a key Fulcio does not know (Fulcio's 401), plain
#     http to a host that is not loopback, TSA answering for another nonce
#  3. sign (image) keyless: cosign verify --certificate-identity --certificate-oidc-issuer with the
#     SIGSTORE_* files accepts; the layer has cosign's certificate, chain and bundle annotations
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
EMAIL=signer@example.com
NET=(HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 'NO_PROXY=127.0.0.1,localhost')
mapfile -t COSIGN_ENV < <(sigstore_cosign_env)
cos_env() { run env "${NET[@]}" "${COSIGN_ENV[@]}" timeout 120 "$COSIGN" "$@" </dev/null; }
cos_root() { run env "${NET[@]}" timeout 120 "$COSIGN" "$@" </dev/null; }
mode() { sigstore_mode "$@" >/dev/null || echo "# could not set mode $*" >&2; }
BLOB=$W/blob.txt
echo "an artifact sigil signs keyless" >"$BLOB"
TOK=$(sigstore_mint_token --email "$EMAIL")
secret "$TOK"

# keyless_blob BUNDLE [options]: sigil sign-blob keyless against the stand-in.
keyless_blob() {
  local b=$1
  shift
  rm -f "$b"
  run "$SIGIL" sign-blob "$BLOB" --fulcio-url "$U" --rekor-url "$U" --trusted-root "$SIGSTORE_STANDIN_TRUSTED_ROOT" \
    --bundle "$b" -y "$@" </dev/null
}
verify_root() {
  cos_root verify-blob --new-bundle-format --trusted-root "$SIGSTORE_STANDIN_TRUSTED_ROOT" --bundle "$1" \
    --certificate-identity "$2" --certificate-oidc-issuer "$3" "$BLOB"
}
log_count() { grep -c '"path": "/api/v1/log/entries"' "$SIGSTORE_STANDIN_LOG" || true; }

# =============================================================================================
section "1. sign-blob keyless"
keyless_blob "$W/b.json" --identity-token "$TOK" --timestamp-server-url "$TSA" \
  --output-certificate "$W/cert.pem" --output-signature "$W/sig.b64"
expect "1 sigil sign-blob keyless (Fulcio, Rekor, TSA)" 0 "Logged in the transparency log at index"
expect_no "1 the identity token is never printed" "$TOK"
check "1 the bundle has certificate, tlog entry with SET, proof and checkpoint, and an RFC 3161 timestamp" "$PY" -c '
import json, sys
b = json.load(open(sys.argv[1]))
assert b["mediaType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
vm = b["verificationMaterial"]
assert list(vm) == ["certificate", "tlogEntries", "timestampVerificationData"], list(vm)
e = vm["tlogEntries"][0]
assert list(e) == ["logIndex", "logId", "kindVersion", "integratedTime", "inclusionPromise", "inclusionProof", "canonicalizedBody"], list(e)
assert e["kindVersion"] == {"kind": "hashedrekord", "version": "0.0.1"}
assert int(e["inclusionProof"]["treeSize"]) > 300 and "envelope" in e["inclusionProof"]["checkpoint"]
assert vm["timestampVerificationData"]["rfc3161Timestamps"][0]["signedTimestamp"]' "$W/b.json"
run openssl x509 -in "$W/cert.pem" -noout -ext subjectAltName
expect_out "1 --output-certificate writes the Fulcio leaf for the token's email" "email:$EMAIL"
if have_cosign "1 cosign verify-blob of sigil's keyless bundle"; then
  verify_root "$W/b.json" "$EMAIL" "$U"
  expect "1 cosign verify-blob --new-bundle-format --trusted-root accepts sigil's keyless bundle" 0 "Verified OK"
  verify_root "$W/b.json" other@example.com "$U"
  expect_fail "1 cosign verify-blob rejects it for another identity" "expected SAN value"
  cos_env verify-blob --certificate "$W/cert.pem" --signature "$W/sig.b64" --rekor-url "$U" \
    --certificate-identity "$EMAIL" --certificate-oidc-issuer "$U" "$BLOB"
  expect "1 cosign verify-blob --certificate --signature (SIGSTORE_* files, Rekor lookup) accepts sigil's outputs" 0 "Verified OK"
fi
run env SIGSTORE_ID_TOKEN="$TOK" "$SIGIL" sign-blob "$BLOB" --signing-config "$SIGSTORE_STANDIN_SIGNING_CONFIG" \
  --trusted-root "$SIGSTORE_STANDIN_TRUSTED_ROOT" \
  --bundle "$W/sc.json" -y </dev/null
expect "1 SIGSTORE_ID_TOKEN and --signing-config (Fulcio, Rekor and TSA from the config)" 0
check "1 with the signing config, the bundle carries the config's TSA timestamp" grep -q rfc3161Timestamps "$W/sc.json"
if have_cosign "1 cosign verify-blob of the signing-config bundle"; then
  verify_root "$W/sc.json" "$EMAIL" "$U"
  expect "1 cosign verify-blob accepts the bundle signed through the signing config" 0 "Verified OK"
fi

# =============================================================================================
section "2. refusals, before anything is published"
# refused NAME REASON [sign-blob options]: fails with REASON, writes no bundle, logs nothing.
refused() {
  local name=$1 reason=$2 before
  shift 2
  before=$(log_count)
  keyless_blob "$W/refused.json" "$@"
  expect_fail "2 $name" "$reason"
  if [[ ${LOGGED_ALREADY:-} == 1 ]]; then # Rekor's answer was the bad part: the entry exists
    check "2 $name: no bundle written" test ! -e "$W/refused.json"
  else
    check "2 $name: no bundle written, nothing logged in Rekor" test ! -e "$W/refused.json" -a "$(log_count)" = "$before"
  fi
}
refused "no key and no token" "nothing to sign with: pass --key KEY, or an OIDC identity token"
refused "expired token" "identity token refused: it expired" --identity-token "$(sigstore_mint_token --exp-in -60)"
refused "token for another audience" 'its audience is "not-sigstore", not "sigstore"' \
  --identity-token "$(sigstore_mint_token --aud not-sigstore)"
refused "not a JWT" "identity token refused: not a JWT" --identity-token "not-a-jwt"
refused "token signed by a key not in the issuer's JWKS (Fulcio refuses)" "fulcio: refused with HTTP 401" \
  --identity-token "$(sigstore_mint_token --other-key)"
refused "plain http to a host that is not loopback" "use https" --identity-token "$TOK" \
  --timestamp-server-url http://tsa.example/api/v1/timestamp
# hostile_refused NAME MODE REASON: the stand-in's admin MODE makes an answer that must not pass.
hostile_refused() {
  local name=$1 m=$2 reason=$3
  mode "$m"
  refused "$name ($m)" "$reason" --identity-token "$TOK"
  mode normal
}
hostile_refused "Fulcio's chain does not verify to the trusted root" cert-untrusted-chain "fulcio's certificate does not verify"
hostile_refused "Fulcio's leaf has no SCT" cert-no-sct "no embedded SCT"
hostile_refused "the SCT is from a CT log not in the trusted root" sct-unknown-log "SCT from an unknown CT log"
LOGGED_ALREADY=1
hostile_refused "Rekor's SET is signed by another key" set-wrong-key "signed entry timestamp does not verify"
hostile_refused "Rekor's inclusion proof has a wrong hash" inclusion-bad-hash "does not verify"
hostile_refused "Rekor's checkpoint is signed by another key" checkpoint-wrong-key "does not verify"
hostile_refused "Rekor answers with another entry" rekor-other-entry "not about this signature"
LOGGED_ALREADY=0
run env SIGSTORE_ID_TOKEN="$TOK" "$SIGIL" sign-blob "$BLOB" --fulcio-url "$U" --rekor-url "$U" --bundle "$W/nt.json" -y </dev/null
expect_fail "2 keyless signing without a trusted root is refused" "pass --trusted-root FILE"
mode tsa-wrong-nonce
keyless_blob "$W/nonce.json" --identity-token "$TOK" --timestamp-server-url "$TSA"
mode normal
expect_fail "2 TSA answering for another nonce" "nonce mismatch"
check "2 TSA answering for another nonce: no bundle written" test ! -e "$W/nonce.json"

# =============================================================================================
section "3. sign (image) keyless"
if [[ ! -x $REGISTRY_BIN || ! -x $REGISTRY_SKOPEO ]]; then
  skip "3 keyless images (missing $REGISTRY_BIN or $REGISTRY_SKOPEO)"
elif ! start_registry REG anon; then
  RC=1 OUT="" ERR="" failed "3 start the registry"
else
  H=$REG_HOST
  export DOCKER_CONFIG=$REG_DOCKER_CONFIG
  if new_image IMG keyless/app v1; then
    REF=$H/keyless/app@$IMG
    run "$SIGIL" sign "$REF" --identity-token "$TOK" --fulcio-url "$U" --rekor-url "$U" --timestamp-server-url "$TSA" \
      --trusted-root "$SIGSTORE_STANDIN_TRUSTED_ROOT" -y </dev/null
    expect "3 sigil sign keyless (image)" 0 "Logged in the transparency log at index"
    run curl -sS --max-time 10 -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
      "http://$H/v2/keyless/app/manifests/$(sig_tag "$IMG")"
    check "3 the .sig layer carries cosign's certificate, chain, bundle and rfc3161timestamp annotations" "$PY" -c '
import json, sys
a = json.loads(sys.stdin.read())["layers"][0]["annotations"]
assert a["dev.sigstore.cosign/certificate"].startswith("-----BEGIN CERTIFICATE-----"), a
assert a["dev.sigstore.cosign/chain"].count("BEGIN CERTIFICATE") == 2
b = json.loads(a["dev.sigstore.cosign/bundle"])
assert list(b) == ["SignedEntryTimestamp", "Payload"] and list(b["Payload"]) == ["body", "integratedTime", "logIndex", "logID"]
assert list(json.loads(a["dev.sigstore.cosign/rfc3161timestamp"])) == ["SignedRFC3161Timestamp"]' <<<"$OUT"
    if have_cosign "3 cosign verify of sigil's keyless image signature"; then
      cos_env verify --allow-http-registry --certificate-identity "$EMAIL" --certificate-oidc-issuer "$U" "$REF"
      expect "3 cosign verify --certificate-identity --certificate-oidc-issuer (SIGSTORE_* files) accepts sigil's keyless signature" 0
      cos_env verify --allow-http-registry --certificate-identity other@example.com --certificate-oidc-issuer "$U" "$REF"
      expect_fail "3 cosign verify rejects it for another identity"
    fi
    new_image IMG2 keyless/app v2 || true
    run "$SIGIL" sign "$H/keyless/app@$IMG2" --identity-token "$(sigstore_mint_token --exp-in -60)" --fulcio-url "$U" \
      --rekor-url "$U" --trusted-root "$SIGSTORE_STANDIN_TRUSTED_ROOT" -y </dev/null
    expect_fail "3 an expired token signs no image" "identity token refused: it expired"
    run "$SIGIL" download signature "$H/keyless/app@$IMG2"
    expect_fail "3 nothing was attached to the image"
  fi
fi

check "4 the stand-in never answered 500" eq "$(grep -c '"status": 500' "$SIGSTORE_STANDIN_LOG" || true)" 0
finish
