#!/usr/bin/env bash
# sigil keyless signing with Rekor v2 (the stand-in's v2 log under URL/rekor2, chosen by the
# signing config's rekorTlogUrls majorApiVersion 2): hashedrekord 0.0.2 for message signatures,
# DSSE logged as hashedrekord 0.0.2 over its PAE, a mandatory RFC 3161 timestamp, v0.3 bundles
# without SET; every answer verified before anything is written.
# Usage: test_keyless_sign_rekor2.sh PATH_TO_SIGIL
#
#  1. sign-blob: the bundle's entry is exactly the v2 form (no integratedTime, no
#     inclusionPromise), its body the hashedrekord 0.0.2 of the blob's digest, signature and
#     certificate (checked here independently); sigil verify-blob accepts it; cosign 2.5 cannot
#     read Rekor v2 entries at all (it fails the same way on upstream's rekor2-happy-path)
#  2. attest-blob: the entry's digest is SHA-256 of the envelope's PAE; sigil verifies it
#  3. images: sign and attest write bundle referrers by default with Rekor v2 and sigil verifies
#     them; --format legacy|both refused before anything is published
#  4. refusals, nothing written: no TSA configured; the v2 log's checkpoint signed by another
#     key or naming another origin, a bad inclusion proof, another entry in the answer
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/sigstore_lib.sh"
REPO_DIR=$(cd "$HERE/../.." && pwd)
PY=$REGISTRY_PYTHON

keyless_suite_init

keyless_suite_cosign "the cosign case"

W=$TEST_TMP/w
mkdir -p "$W"
SD=$TEST_TMP/sigstore-standin
if ! start_sigstore_standin "$SD" --prefill 300; then
  abort_suite "start the sigstore stand-in"
fi
U=$SIGSTORE_STANDIN_URL
ROOT=$SIGSTORE_STANDIN_TRUSTED_ROOT
SC2=$SIGSTORE_STANDIN_SIGNING_CONFIG_REKOR2
EMAIL=signer@example.com
NET=(HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 'NO_PROXY=127.0.0.1,localhost')
mode() { sigstore_mode "$@" >/dev/null || echo "# could not set mode $*" >&2; }
BLOB=$W/blob.txt
echo "an artifact sigil signs keyless into Rekor v2" >"$BLOB"
PRED=$W/predicate.json
echo '{"buildType":"https://example.com/build","builder":{"id":"https://example.com/builder"}}' >"$PRED"
TOK=$(sigstore_mint_token --email "$EMAIL")
secret "$TOK"
KEYLESS=(--identity-token "$TOK" --signing-config "$SC2" --trusted-root "$ROOT" -y)
IDENT=(--certificate-identity "$EMAIL" --certificate-oidc-issuer "$U" --trusted-root "$ROOT")
v2_posts() { grep -c '"method": "POST", "path": "/rekor2/api/v2/log/entries"' "$SIGSTORE_STANDIN_LOG" || true; }
v1_posts() { grep -c '"method": "POST", "path": "/api/v1/log/entries"' "$SIGSTORE_STANDIN_LOG" || true; }

# The entry of a bundle: exactly Rekor v2's fields, and a body that is the RFC 8785 JSON of
# hashedrekord 0.0.2 over DIGEST_HEX with the bundle's certificate and SIGNATURE (computed here,
# not read from sigil).
check_v2_entry() { # NAME BUNDLE DIGEST_HEX SIGNATURE_B64
  check "$1" "$PY" - "$2" "$3" "$4" <<'PY'
import base64, json, sys
b = json.load(open(sys.argv[1]))
digest, sig = bytes.fromhex(sys.argv[2]), sys.argv[3]
assert b["mediaType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
vm = b["verificationMaterial"]
assert list(vm) == ["certificate", "tlogEntries", "timestampVerificationData"], list(vm)
(e,) = vm["tlogEntries"]
assert list(e) == ["logIndex", "logId", "kindVersion", "inclusionProof", "canonicalizedBody"], list(e)
assert e["kindVersion"] == {"kind": "hashedrekord", "version": "0.0.2"}
p = e["inclusionProof"]
assert int(p["treeSize"]) > 300 and p["checkpoint"]["envelope"].startswith("127.0.0.1\n"), p
want = {"apiVersion": "0.0.2", "kind": "hashedrekord", "spec": {"hashedRekordV002": {
    "data": {"algorithm": "SHA2_256", "digest": base64.b64encode(digest).decode()},
    "signature": {"content": sig, "verifier": {"keyDetails": "PKIX_ECDSA_P256_SHA_256",
                                               "x509Certificate": {"rawBytes": vm["certificate"]["rawBytes"]}}}}}}
canon = json.dumps(want, sort_keys=True, separators=(",", ":")).encode()
assert base64.b64decode(e["canonicalizedBody"]) == canon, base64.b64decode(e["canonicalizedBody"])
assert vm["timestampVerificationData"]["rfc3161Timestamps"][0]["signedTimestamp"]
PY
}

# =============================================================================================
section "1. sign-blob into Rekor v2"
before_v1=$(v1_posts)
run "$SIGIL" sign-blob "$BLOB" --bundle "$W/b.json" "${KEYLESS[@]}" </dev/null
expect "1 sigil sign-blob keyless with the Rekor v2 signing config" 0 "Logged in the transparency log at index"
check "1 the notice names Rekor v2" grep -q "(Rekor v2)" <<<"$ERR"
expect_no "1 the identity token is never printed" "$TOK"
check "1 posted to the v2 log only (one POST /rekor2/api/v2/log/entries, no v1 entry)" \
  eq "$(v2_posts)/$(v1_posts)" "1/$before_v1"
sig_b64=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["messageSignature"]["signature"])' "$W/b.json")
check_v2_entry "1 the entry is Rekor v2's (no SET, no integratedTime), its body hashedrekord 0.0.2 of this blob" \
  "$W/b.json" "$(sha256sum "$BLOB" | cut -d' ' -f1)" "$sig_b64"
run "$SIGIL" verify-blob "$BLOB" --bundle "$W/b.json" "${IDENT[@]}"
expect "1 sigil verify-blob accepts the Rekor v2 bundle (time from the TSA)" 0 "timestamp authority"
run "$SIGIL" verify-blob "$BLOB" --bundle "$W/b.json" --certificate-identity other@example.com \
  --certificate-oidc-issuer "$U" --trusted-root "$ROOT"
expect_fail "1 sigil verify-blob rejects it for another identity" "identity"
run "$SIGIL" sign-blob "$BLOB" --bundle "$W/v1.json" --rekor-url "$U" "${KEYLESS[@]}" </dev/null
expect "1 --rekor-url (a Rekor v1 URL, as cosign's) wins over the config's v2 log" 0
check "1 ... and logs hashedrekord 0.0.1 there" grep -q '"version": *"0.0.1"' "$W/v1.json"
if [[ -n $COSIGN ]]; then
  # cosign 2.5's sigstore-go predates Rekor v2 entries (no integratedTime): it refuses upstream's
  # own rekor2-happy-path bundle the same way. This documents it; cosign 3 reads them.
  UPSTREAM=$SHARED_DIR/conformance/sigstore-conformance/bundle-verify/rekor2-happy-path
  run env "${NET[@]}" timeout 120 "$COSIGN" verify-blob --new-bundle-format --trusted-root "$ROOT" \
    --bundle "$W/b.json" --certificate-identity "$EMAIL" --certificate-oidc-issuer "$U" "$BLOB" </dev/null
  expect_fail "1 cosign 2.5 cannot read a Rekor v2 entry (sigil's)" "nil value in transaction log entry"
  if [[ -d $UPSTREAM ]]; then
    run env "${NET[@]}" timeout 120 "$COSIGN" verify-blob --new-bundle-format --trusted-root "$UPSTREAM/trusted_root.json" \
      --bundle "$UPSTREAM/bundle.sigstore.json" --certificate-identity-regexp . --certificate-oidc-issuer-regexp . \
      "$UPSTREAM/../../a.txt" </dev/null
    expect_fail "1 ... nor upstream's rekor2-happy-path: the same limitation" "nil value in transaction log entry"
  fi
else
  skip "1 cosign 2.5 and Rekor v2 bundles (cosign could not be fetched)"
fi

# =============================================================================================
section "2. attest-blob into Rekor v2: DSSE as hashedrekord over the PAE"
run "$SIGIL" attest-blob "$BLOB" --type custom --predicate "$PRED" --bundle "$W/att.json" "${KEYLESS[@]}" </dev/null
expect "2 sigil attest-blob keyless with the Rekor v2 signing config" 0 "Logged in the transparency log at index"
pae=$("$PY" -c '
import base64, hashlib, json, sys
env = json.load(open(sys.argv[1]))["dsseEnvelope"]
t, p = env["payloadType"].encode(), base64.b64decode(env["payload"])
print(hashlib.sha256(b"DSSEv1 %d %s %d %s" % (len(t), t, len(p), p)).hexdigest(), env["signatures"][0]["sig"])' "$W/att.json")
check_v2_entry "2 the entry is hashedrekord 0.0.2 over SHA-256 of the envelope's PAE" "$W/att.json" "${pae% *}" "${pae#* }"
run "$SIGIL" verify-blob-attestation "$BLOB" --bundle "$W/att.json" --type custom "${IDENT[@]}"
expect "2 sigil verify-blob-attestation accepts it" 0

# =============================================================================================
section "3. images with Rekor v2: bundles only"
if [[ ! -x $REGISTRY_BIN || ! -x $REGISTRY_SKOPEO ]]; then
  skip "3 images (missing $REGISTRY_BIN or $REGISTRY_SKOPEO)"
elif ! start_registry REG anon; then
  RC=1 OUT="" ERR="" failed "3 start the registry"
else
  H=$REG_HOST
  export DOCKER_CONFIG=$REG_DOCKER_CONFIG
  tag_absent() { # tag_absent REPO TAG
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
      "http://$H/v2/$1/manifests/$2") == 404 ]]
  }
  if new_image IMG rekor2/app v1; then
    REF=$H/rekor2/app@$IMG
    for f in legacy both; do
      before=$(v2_posts)
      run "$SIGIL" sign "$REF" --format "$f" "${KEYLESS[@]}" </dev/null
      expect "3 sign --format $f with Rekor v2: usage error" 2 "which Rekor v2 does not give: use --format bundle"
      check "3 sign --format $f: nothing logged, no .sig tag" eq "$(v2_posts)/$(tag_absent rekor2/app "$(sig_tag "$IMG")" && echo absent)" "$before/absent"
      run "$SIGIL" attest "$REF" --format "$f" --type slsaprovenance --predicate "$PRED" "${KEYLESS[@]}" </dev/null
      expect "3 attest --format $f with Rekor v2: usage error" 2 "use --format bundle"
    done
    check "3 no .att tag either" tag_absent rekor2/app "$(att_tag "$IMG")"
    run "$SIGIL" sign "$REF" "${KEYLESS[@]}" </dev/null
    expect "3 sigil sign keyless with Rekor v2 (a bundle referrer by default)" 0 "Logged in the transparency log at index"
    check "3 no legacy .sig tag was written" tag_absent rekor2/app "$(sig_tag "$IMG")"
    run "$SIGIL" verify "$REF" "${IDENT[@]}"
    expect "3 sigil verify accepts the Rekor v2 bundle referrer" 0
    run "$SIGIL" attest "$REF" --type slsaprovenance --predicate "$PRED" "${KEYLESS[@]}" </dev/null
    expect "3 sigil attest keyless with Rekor v2 (a bundle referrer by default)" 0 "Logged in the transparency log at index"
    run "$SIGIL" verify-attestation "$REF" --type slsaprovenance "${IDENT[@]}"
    expect "3 sigil verify-attestation accepts it" 0
  fi
fi

# =============================================================================================
section "4. refusals, before anything is written"
edit_json() { "$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); exec(sys.argv[3]); json.dump(d, open(sys.argv[2], "w"))' "$@"; }
edit_json "$SC2" "$W/sc-no-tsa.json" 'd.pop("tsaUrls")'
before=$(v2_posts)
run "$SIGIL" sign-blob "$BLOB" --bundle "$W/nt.json" --identity-token "$TOK" --signing-config "$W/sc-no-tsa.json" \
  --trusted-root "$ROOT" -y </dev/null
expect "4 Rekor v2 without a TSA: usage error naming the timestamp flag and the config entry" 2 \
  "needs an RFC 3161 timestamp; pass --timestamp-server-url URL or list tsaUrls in the signing config"
check "4 ... nothing logged, no bundle" eq "$(v2_posts)/$(test -e "$W/nt.json" && echo written)" "$before/"
run "$SIGIL" sign-blob "$BLOB" --bundle "$W/nt.json" --identity-token "$TOK" --signing-config "$W/sc-no-tsa.json" \
  --timestamp-server-url "$SIGSTORE_STANDIN_TSA_URL" --trusted-root "$ROOT" -y </dev/null
expect "4 ... --timestamp-server-url supplies it" 0
# v2_refused NAME MODE EXIT REASON: the v2 log logs the entry, its answer must not pass.
v2_refused() {
  local name=$1 m=$2 rc=$3 reason=$4 before
  before=$(v2_posts)
  mode "$m"
  run "$SIGIL" sign-blob "$BLOB" --bundle "$W/refused.json" "${KEYLESS[@]}" </dev/null
  mode normal
  expect "4 $name ($m)" "$rc" "$reason"
  check "4 $name: the v2 log was asked, no bundle written" eq "$(v2_posts)/$(test -e "$W/refused.json" && echo written)" \
    "$((before + 1))/"
}
v2_refused "the checkpoint is signed by another key" checkpoint-wrong-key 30 "no checkpoint signature from 127.0.0.1"
v2_refused "the checkpoint names another origin" checkpoint-wrong-origin 30 \
  "no checkpoint signature from 127.0.0.1: the checkpoint's origin is rekor.evil.example"
v2_refused "a hash of the inclusion proof is wrong" inclusion-bad-hash 30 "root hash"
v2_refused "the answer is another entry of the log" rekor-other-entry 12 \
  "the entry is not the hashedrekord 0.0.2 of this signature, digest and certificate"
check "4 the stand-in's v2 log refuses dsse requests (DSSE goes in as hashedrekord)" "$PY" - "$SIGSTORE_STANDIN_REKOR2_URL" <<'PY'
import json, sys, urllib.error, urllib.request
req = urllib.request.Request(sys.argv[1] + "/api/v2/log/entries", data=json.dumps({"dsseRequestV002": {}}).encode(),
                             headers={"Content-Type": "application/json"})
try:
    urllib.request.urlopen(req, timeout=10)
    sys.exit("accepted")
except urllib.error.HTTPError as e:
    assert e.code == 400 and "must be hashedrekord" in e.read().decode(), e.code
PY

check "5 the stand-in never answered 500" eq "$(grep -c '"status": 500' "$SIGSTORE_STANDIN_LOG" || true)" 0
finish
