#!/usr/bin/env bash
# The Sigstore stand-in (tests/integration/sigstore/) proven against itself and real cosign 2.5.
# Usage: test_sigstore_standin.sh [PATH_TO_SIGIL]   (sigil is not used yet; the path is optional)
#
#  1. the stand-in alone: OIDC discovery and JWKS, trust files, Fulcio v1/v2/CSR with an SCT that
#     verifies with the CT log key (independent code in sigstore/client.py), a chain openssl
#     verifies, Fulcio's refusals (expired, foreign key, audience, issuer, unverified email,
#     proof of possession, no token), Rekor's Merkle proofs / checkpoints / SETs in a tree of
#     1001+ entries and its refusals, the TSA against `openssl ts -verify`
#  2. cosign 2.5 keyless blobs: sign-blob (legacy bundle, --new-bundle-format, with a TSA),
#     GitLab-style tokens, attest-blob (dsse and intoto entries), verify-blob(-attestation) with
#     SIGSTORE_ROOT_FILE/SIGSTORE_REKOR_PUBLIC_KEY/SIGSTORE_CT_LOG_PUBLIC_KEY_FILE or
#     --trusted-root; wrong identity, wrong issuer, tampered blob, wrong audience, expired token
#  3. hostile modes (POST /admin/mode): each one is caught by cosign (at signing or verifying),
#     or, where cosign 2.5 does not look, by openssl / client.py
#  4. cosign sign / attest keyless on an image in a local registry, cosign verify(-attestation)
# cosign never reaches the internet here: its HTTP(S) proxy is a closed port on 127.0.0.1 (Go
# never proxies loopback) and TUF_ROOT is an empty directory. Peer cases are skipped, loudly, when
# cosign cannot be fetched (SIGIL_REQUIRE_PEERS=1 makes that a failure).
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -z ${SIGIL:-} && (-z ${1:-} || ! -x ${1:-}) ]]; then
  export SIGIL=/bin/true # lib.sh wants an executable; this suite does not run sigil
fi
source "$HERE/lib.sh"
source "$HERE/sigstore_lib.sh"
REPO_DIR=$(cd "$HERE/../.." && pwd)
PY=$REGISTRY_PYTHON
CLIENT=$HERE/sigstore/client.py

keyless_suite_init

COSIGN=""
PEERS_SKIP_REASON=""
# shellcheck source=../../scripts/lib/peers.sh
if source "$REPO_DIR/scripts/lib/peers.sh" && ensure_peers; then
  COSIGN=$PEERS_COSIGN
else
  PEERS_SKIP_REASON="cosign 2.5 could not be fetched (see 'peers:' messages above)"
  echo "NOTE: $PEERS_SKIP_REASON; every cosign case will be SKIPPED" >&2
fi
have_cosign() {
  [[ -n $COSIGN ]] && return 0
  if [[ ${SIGIL_REQUIRE_PEERS:-} == 1 ]]; then
    RC=1 OUT="" ERR=""
    failed "$1 (SIGIL_REQUIRE_PEERS=1: $PEERS_SKIP_REASON)"
  else
    skip "$1 ($PEERS_SKIP_REASON)"
  fi
  return 1
}

W=$TEST_TMP/w
mkdir -p "$W"
SD=$TEST_TMP/sigstore-standin # sigstore-*: server state, not searched by the secret scan
if ! start_sigstore_standin "$SD" --prefill 1001; then
  abort_suite "start the sigstore stand-in"
fi
U=$SIGSTORE_STANDIN_URL
TSA=$SIGSTORE_STANDIN_TSA_URL

# cosign, bounded, offline, never reading a terminal. cos_env runs it with cosign's
# private-deployment variables; cos_root with none of them (for --trusted-root).
NET=(HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 'NO_PROXY=127.0.0.1,localhost')
mapfile -t COSIGN_ENV < <(sigstore_cosign_env)
cos_env() { run env "${NET[@]}" "${COSIGN_ENV[@]}" timeout 120 "$COSIGN" "$@" </dev/null; }
cos_root() { run env "${NET[@]}" timeout 120 "$COSIGN" "$@" </dev/null; }
# sign_blob TOKEN BUNDLE [sign-blob options]: keyless, legacy bundle unless options say otherwise.
sign_blob() {
  local tok=$1 bundle=$2
  shift 2
  cos_env sign-blob -y --fulcio-url "$U" --rekor-url "$U" --identity-token "$tok" --bundle "$bundle" "$@" "$BLOB"
}
# verify_env BUNDLE IDENTITY ISSUER [options] / verify_root BUNDLE IDENTITY ISSUER [options]
verify_env() {
  local b=$1 id=$2 iss=$3
  shift 3
  cos_env verify-blob --bundle "$b" --certificate-identity "$id" --certificate-oidc-issuer "$iss" "$@" "$BLOB"
}
verify_root() {
  local b=$1 id=$2 iss=$3
  shift 3
  cos_root verify-blob --new-bundle-format --trusted-root "$SIGSTORE_STANDIN_TRUSTED_ROOT" --bundle "$b" \
    --certificate-identity "$id" --certificate-oidc-issuer "$iss" "$@" "$BLOB"
}
mode() { sigstore_mode "$@" >/dev/null || echo "# could not set mode $*" >&2; }
# nth_cert FILE N: the Nth PEM certificate of FILE (1-based).
nth_cert() { awk -v n="$2" '/-----BEGIN/{i++} i==n' "$1"; }
# bundle_leaf BUNDLE OUT: the leaf certificate of a legacy or v0.3 bundle, as PEM.
bundle_leaf() {
  "$PY" - "$1" >"$2" <<'PY'
import base64, json, ssl, sys
b = json.load(open(sys.argv[1]))
if "cert" in b:
    sys.stdout.write(base64.b64decode(b["cert"]).decode())
else:
    vm = b["verificationMaterial"]
    raw = vm["certificate"]["rawBytes"] if "certificate" in vm else vm["x509CertificateChain"]["certificates"][0]["rawBytes"]
    sys.stdout.write(ssl.DER_cert_to_PEM_cert(base64.b64decode(raw)))
PY
}

BLOB=$W/blob.txt
echo "an artifact signed keyless against the stand-in" >"$BLOB"
EMAIL=signer@example.com
TOK=$(sigstore_mint_token --email "$EMAIL")
printf '%s\n' "$TOK" >"$W/tok"

# =============================================================================================
section "1. the stand-in alone"
run curl -fsS --max-time 5 "$U/.well-known/openid-configuration"
check "1 OIDC discovery names the stand-in as issuer and its JWKS" \
  "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["issuer"]==sys.argv[2] and d["jwks_uri"]==sys.argv[2]+"/jwks"' "$OUT" "$U"
run curl -fsS --max-time 5 "$U/jwks"
check "1 JWKS has one ES256 P-256 key" \
  "$PY" -c 'import json,sys; k=json.loads(sys.argv[1])["keys"]; assert len(k)==1 and k[0]["crv"]=="P-256" and k[0]["alg"]=="ES256"' "$OUT"

run "$PY" - "$SD" <<'PY'
import base64, hashlib, json, os, sys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
d = sys.argv[1]
tr = json.load(open(os.path.join(d, "trusted_root.json")))
assert tr["mediaType"] == "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
assert [t["baseUrl"] for t in tr["tlogs"]] == [tr["ctlogs"][0]["baseUrl"][:-3], tr["ctlogs"][0]["baseUrl"][:-3] + "/rekor2"]
for kind, pub in (("tlogs", "rekor.pub"), ("ctlogs", "ctlog.pub")):
    log = tr[kind][0]
    raw = base64.b64decode(log["publicKey"]["rawBytes"])
    assert base64.b64decode(log["logId"]["keyId"]) == hashlib.sha256(raw).digest(), kind
    k = serialization.load_pem_public_key(open(os.path.join(d, pub), "rb").read())
    assert k.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == raw, pub
    assert log["publicKey"]["keyDetails"] == "PKIX_ECDSA_P256_SHA_256" and log["hashAlgorithm"] == "SHA2_256"
v2 = tr["tlogs"][1]  # Rekor v2: Ed25519, log id = SHA-256(host "\n" 0x01 raw key) (rekor-tiles pkg/note)
raw = base64.b64decode(v2["publicKey"]["rawBytes"])
assert v2["publicKey"]["keyDetails"] == "PKIX_ED25519" and len(raw) == 44
assert base64.b64decode(v2["logId"]["keyId"]) == hashlib.sha256(b"127.0.0.1\n\x01" + raw[12:]).digest()
(ca,) = tr["certificateAuthorities"]
chain = [x509.load_der_x509_certificate(base64.b64decode(c["rawBytes"])) for c in ca["certChain"]["certificates"]]
assert chain[1].subject == chain[1].issuer and chain[0].issuer == chain[1].subject
assert all(c.public_key().curve.name == "secp384r1" for c in chain)
(tsa,) = tr["timestampAuthorities"]
sc = json.load(open(os.path.join(d, "signing_config.json")))
assert sc["mediaType"] == "application/vnd.dev.sigstore.signingconfig.v0.2+json"
assert sc["rekorTlogUrls"][0]["majorApiVersion"] == 1 and sc["tsaUrls"][0]["url"].endswith("/api/v1/timestamp")
sc2 = json.load(open(os.path.join(d, "signing_config_rekor2.json")))
assert [(r["url"], r["majorApiVersion"]) for r in sc2["rekorTlogUrls"]] == [(v2["baseUrl"], 2), (tr["tlogs"][0]["baseUrl"], 1)]
env = open(os.path.join(d, "env.sh")).read()
for v in ("SIGSTORE_ROOT_FILE", "SIGSTORE_REKOR_PUBLIC_KEY", "SIGSTORE_CT_LOG_PUBLIC_KEY_FILE", "SIGSTORE_STANDIN_URL"):
    assert "export " + v + "=" in env, v
print("trust files consistent")
PY
expect "1 trusted_root.json, signing_config.json, rekor.pub, ctlog.pub, env.sh agree" 0

for api in v2 v1; do
  run "$PY" "$CLIENT" fulcio --url "$U" --token-file "$W/tok" --api $api --out "$W/chain-$api.pem"
  expect "1 Fulcio $api issues a chain for a proof over the email" 0
  run "$PY" "$CLIENT" check-cert --chain "$W/chain-$api.pem" --ctlog-pub "$SIGSTORE_STANDIN_CTLOG_PUB"
  expect "1 Fulcio $api: the embedded SCT verifies over the precert entry; SAN is the email" 0 &&
    expect_out "1 Fulcio $api: SAN" "SAN $EMAIL"
done
run "$PY" "$CLIENT" fulcio --url "$U" --token-file "$W/tok" --api v2 --csr
expect "1 Fulcio v2 accepts a certificate signing request" 0
nth_cert "$W/chain-v2.pem" 1 >"$W/leaf.pem"
nth_cert "$W/chain-v2.pem" 2 >"$W/inter.pem"
nth_cert "$SIGSTORE_STANDIN_ROOT_FILE" 1 >"$W/root.pem"
run openssl verify -CAfile "$W/root.pem" -untrusted "$W/inter.pem" -purpose any "$W/leaf.pem"
expect "1 openssl verifies leaf -> P-384 intermediate -> P-384 root" 0
run openssl x509 -in "$W/leaf.pem" -noout -text
check "1 openssl shows the SCT, codeSigning, a critical SAN and the issuer extensions" eq \
  "$(grep -c -e 'CT Precertificate SCTs' -e 'Code Signing' -e 'Subject Alternative Name: critical' \
    -e '1.3.6.1.4.1.57264.1.1:' -e '1.3.6.1.4.1.57264.1.8:' <<<"$OUT")" 5

# Fulcio refusals: status and Fulcio's message
fulcio_refuses() { # NAME WANT_STATUS MESSAGE [client options] (token in $W/bad)
  local name=$1 want=$2 msg=$3
  shift 3
  run "$PY" "$CLIENT" fulcio --url "$U" --token-file "$W/bad" "$@"
  if [[ $RC != 0 && $OUT == "$want "*"$msg"* ]]; then pass "1 Fulcio refuses $name ($want)"; else failed "1 Fulcio refuses $name (want $want ... $msg)"; fi
}
sigstore_mint_token --exp-in -5 >"$W/bad"
fulcio_refuses "an expired token" 401 "expired"
fulcio_refuses "an expired token (v1)" 401 "expired" --api v1
sigstore_mint_token --other-key >"$W/bad"
fulcio_refuses "a token signed by a key not in the JWKS" 401 "does not verify with the issuer's JWKS"
sigstore_mint_token --aud other >"$W/bad"
fulcio_refuses "a token for another audience" 401 "audience"
sigstore_mint_token --iss https://issuer.invalid >"$W/bad"
fulcio_refuses "a token of an unknown issuer" 401 "unknown token issuer"
sigstore_mint_token --email someone@example.com --email-unverified >"$W/bad"
fulcio_refuses "an unverified email" 401 "email_verified"
cp "$W/tok" "$W/bad"
fulcio_refuses "a proof of possession over other bytes" 400 "proof of possession" --bad-pop
fulcio_refuses "a proof of possession over other bytes (v1)" 400 "proof of possession" --api v1 --bad-pop
printf 'not.a.jwt\n' >"$W/bad"
fulcio_refuses "a token that is no JWT" 401 "does not decode"
run curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  -d '{"publicKey":{"content":""},"signedEmailAddress":""}' "$U/api/v1/signingCert"
check "1 Fulcio v1 refuses a request without a bearer token (401)" eq "$OUT" 401

run "$PY" "$CLIENT" rekor-audit --url "$U" --rekor-pub "$SIGSTORE_STANDIN_REKOR_PUB"
expect "1 Rekor: inclusion proofs (leaf 0, 1, middle, odd, last), checkpoints, SETs, consistency proofs verify" 0
[[ $RC == 0 ]] || while IFS= read -r line; do printf '       %s\n' "$line"; done <<<"$OUT"
run "$PY" "$CLIENT" rekor-post --url "$U" --what garbage
check "1 Rekor refuses a malformed hashedrekord (400)" eq "${OUT%% *}" 400
run "$PY" "$CLIENT" rekor-post --url "$U" --what bad-signature
check "1 Rekor refuses a signature that does not verify over the digest (400)" eq "${OUT%% *}" 400
run curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d 'nonsense' "$U/api/v1/log/entries"
check "1 Rekor refuses a body that is no JSON (400)" eq "$OUT" 400
run curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  -d '{"kind":"rekord","apiVersion":"0.0.1","spec":{}}' "$U/api/v1/log/entries"
check "1 Rekor refuses an unsupported kind (400)" eq "$OUT" 400

run openssl ts -query -data "$BLOB" -sha256 -cert -out "$W/q.tsq"
run curl -sS --max-time 10 -H 'Content-Type: application/timestamp-query' --data-binary "@$W/q.tsq" \
  -o "$W/r.tsr" -w '%{http_code}' "$TSA"
check "1 TSA answers an RFC 3161 request (201)" eq "$OUT" 201
nth_cert "$SIGSTORE_STANDIN_TSA_CHAIN" 1 >"$W/tsa-leaf.pem"
nth_cert "$SIGSTORE_STANDIN_TSA_CHAIN" 2 >"$W/tsa-root.pem"
run openssl ts -verify -in "$W/r.tsr" -queryfile "$W/q.tsq" -CAfile "$W/tsa-root.pem" -untrusted "$W/tsa-leaf.pem"
expect_out "1 openssl ts -verify: imprint, nonce, TSA chain" "Verification: OK"
run curl -sS --max-time 5 -o "$W/certchain.pem" -w '%{http_code}' "$TSA/certchain"
check "1 TSA serves its chain" cmp -s "$W/certchain.pem" "$SIGSTORE_STANDIN_TSA_CHAIN"
digest_b64=$(openssl dgst -sha256 -binary "$BLOB" | base64 -w0)
run curl -sS --max-time 10 -H 'Content-Type: application/json' -o "$W/r2.tsr" -w '%{http_code}' \
  -d "{\"artifactHash\":\"$digest_b64\",\"hashAlgorithm\":\"sha256\",\"certificates\":true,\"nonce\":4242}" "$TSA"
run openssl ts -verify -in "$W/r2.tsr" -data "$BLOB" -CAfile "$W/tsa-root.pem" -untrusted "$W/tsa-leaf.pem"
expect_out "1 TSA answers sigstore-js's JSON request too" "Verification: OK"

# =============================================================================================
section "2. cosign 2.5 keyless blobs"
if have_cosign "2 cosign keyless blobs"; then
  sign_blob "$TOK" "$W/legacy.json"
  expect "2 cosign sign-blob (legacy bundle)" 0 "Successfully verified SCT"
  verify_env "$W/legacy.json" "$EMAIL" "$U"
  expect "2 cosign verify-blob legacy bundle with SIGSTORE_ROOT_FILE/REKOR_PUBLIC_KEY/CT_LOG_PUBLIC_KEY_FILE" 0 "Verified OK"
  verify_env "$W/legacy.json" other@example.com "$U"
  expect_fail "2 cosign verify-blob rejects another identity" "none of the expected identities matched"
  verify_env "$W/legacy.json" "$EMAIL" https://gitlab.com
  expect_fail "2 cosign verify-blob rejects another issuer" "none of the expected identities matched"
  cp "$BLOB" "$W/blob.orig"
  echo tampered >>"$BLOB"
  verify_env "$W/legacy.json" "$EMAIL" "$U"
  expect_fail "2 cosign verify-blob rejects a tampered blob"
  cp "$W/blob.orig" "$BLOB"

  sign_blob "$TOK" "$W/new.json" --new-bundle-format
  expect "2 cosign sign-blob --new-bundle-format" 0
  verify_root "$W/new.json" "$EMAIL" "$U"
  expect "2 cosign verify-blob --new-bundle-format --trusted-root trusted_root.json" 0 "Verified OK"
  verify_root "$W/new.json" other@example.com "$U"
  expect_fail "2 cosign verify-blob --trusted-root rejects another identity" "expected SAN value"
  check "2 the v0.3 bundle's inclusion proof is in a tree of more than 1001 leaves" "$PY" -c '
import json, sys
p = json.load(open(sys.argv[1]))["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]
assert int(p["treeSize"]) > 1001 and int(p["logIndex"]) >= 1001 and len(p["hashes"]) > 1 and "checkpoint" in p' "$W/new.json"

  sign_blob "$TOK" "$W/tsa.json" --new-bundle-format --timestamp-server-url "$TSA"
  expect "2 cosign sign-blob --new-bundle-format --timestamp-server-url" 0 "Timestamp fetched"
  verify_root "$W/tsa.json" "$EMAIL" "$U"
  expect "2 cosign verify-blob --trusted-root: v0.3 bundle with an RFC 3161 timestamp" 0 "Verified OK"
  sign_blob "$TOK" "$W/tsa-legacy.json" --timestamp-server-url "$TSA" --rfc3161-timestamp "$W/tsa-legacy.tsr"
  expect "2 cosign sign-blob (legacy) --timestamp-server-url --rfc3161-timestamp" 0
  verify_env "$W/tsa-legacy.json" "$EMAIL" "$U" --rfc3161-timestamp "$W/tsa-legacy.tsr" \
    --timestamp-certificate-chain "$SIGSTORE_STANDIN_TSA_CHAIN"
  expect "2 cosign verify-blob --rfc3161-timestamp --timestamp-certificate-chain" 0 "Verified OK"

  GL_TOK=$(sigstore_mint_token --gitlab --gitlab-project grp/proj --gitlab-ref refs/tags/v1.2.0 --claim environment=production)
  GL_ID='https://gitlab.com/grp/proj//.gitlab-ci.yml@refs/tags/v1.2.0'
  sign_blob "$GL_TOK" "$W/gitlab.json" --new-bundle-format
  expect "2 cosign sign-blob with a GitLab CI token (iss https://gitlab.com)" 0
  verify_root "$W/gitlab.json" "$GL_ID" https://gitlab.com
  expect "2 cosign verify-blob: GitLab identity and issuer" 0 "Verified OK"
  verify_root "$W/gitlab.json" 'https://gitlab.com/grp/other//.gitlab-ci.yml@refs/tags/v1.2.0' https://gitlab.com
  expect_fail "2 cosign verify-blob rejects another GitLab project"
  bundle_leaf "$W/gitlab.json" "$W/gitlab-leaf.pem"
  run openssl x509 -in "$W/gitlab-leaf.pem" -noout -text
  check "2 GitLab leaf: SAN URI, source repository (.12), ref (.14), trigger (.20), environment (.23)" eq \
    "$(grep -c -e "URI:$GL_ID" -e '\.\.https://gitlab.com/grp/proj$' -e '\.\.refs/tags/v1.2.0$' \
      -e '\.\.push$' -e 'production$' <<<"$OUT")" 5

  BAD_TOK=$(sigstore_mint_token --aud not-sigstore)
  sign_blob "$BAD_TOK" "$W/bad-aud.json"
  expect_fail "2 cosign sign-blob with a token for another audience fails at Fulcio" "401 Unauthorized"
  BAD_TOK=$(sigstore_mint_token --exp-in -30)
  sign_blob "$BAD_TOK" "$W/expired.json"
  expect_fail "2 cosign sign-blob with an expired token fails"

  PRED=$W/predicate.json
  echo '{"standin": true}' >"$PRED"
  PTYPE=https://example.com/sigil/standin/v1
  for entry in dsse intoto; do
    cos_env attest-blob -y --fulcio-url "$U" --rekor-url "$U" --identity-token "$TOK" --rekor-entry-type $entry \
      --predicate "$PRED" --type "$PTYPE" --bundle "$W/att-$entry.json" "$BLOB"
    expect "2 cosign attest-blob keyless, Rekor entry type $entry" 0
    cos_env verify-blob-attestation --bundle "$W/att-$entry.json" --type "$PTYPE" \
      --certificate-identity "$EMAIL" --certificate-oidc-issuer "$U" "$BLOB"
    expect "2 cosign verify-blob-attestation ($entry entry)" 0 "Verified OK"
  done
  cos_env attest-blob -y --new-bundle-format --fulcio-url "$U" --rekor-url "$U" --identity-token "$TOK" \
    --predicate "$PRED" --type "$PTYPE" --bundle "$W/att-new.json" "$BLOB"
  expect "2 cosign attest-blob --new-bundle-format" 0
  cos_root verify-blob-attestation --new-bundle-format --trusted-root "$SIGSTORE_STANDIN_TRUSTED_ROOT" \
    --bundle "$W/att-new.json" --type "$PTYPE" --certificate-identity "$EMAIL" --certificate-oidc-issuer "$U" "$BLOB"
  expect "2 cosign verify-blob-attestation --trusted-root" 0 "Verified OK"
fi

# =============================================================================================
section "3. hostile modes"
# hostile_sign NAME MODE: signs (legacy, with a TSA; and v0.3) while MODE is on, then resets.
hostile_sign() {
  local m=$1
  mode "$m"
  rm -f "$W/h-$m".*
  sign_blob "$TOK" "$W/h-$m.legacy.json" --timestamp-server-url "$TSA" --rfc3161-timestamp "$W/h-$m.tsr"
  H_RC_LEGACY=$RC H_ERR_LEGACY=$ERR
  sign_blob "$TOK" "$W/h-$m.new.json" --new-bundle-format --timestamp-server-url "$TSA"
  H_RC_NEW=$RC H_ERR_NEW=$ERR
  mode normal
}
if have_cosign "3 hostile modes against cosign"; then
  for m in sct-unknown-log cert-no-sct cert-untrusted-chain; do
    hostile_sign "$m"
    want="verifying SCT"
    if [[ $H_RC_LEGACY != 0 && $H_RC_NEW != 0 && $H_ERR_LEGACY == *"$want"* && $H_ERR_NEW == *"$want"* ]]; then
      pass "3 $m: cosign sign-blob refuses Fulcio's certificate ($want)"
    else
      RC=$H_RC_NEW ERR=$H_ERR_NEW OUT="" failed "3 $m: cosign sign-blob refuses Fulcio's certificate"
    fi
  done

  hostile_sign cert-other-identity
  check "3 cert-other-identity: signing succeeds (cosign 2.5 does not compare the SAN with the token)" eq "$H_RC_LEGACY$H_RC_NEW" 00
  verify_env "$W/h-cert-other-identity.legacy.json" "$EMAIL" "$U"
  expect_fail "3 cert-other-identity: legacy verify-blob rejects it" "mallory@evil.example"
  verify_root "$W/h-cert-other-identity.new.json" "$EMAIL" "$U"
  expect_fail "3 cert-other-identity: --trusted-root verify-blob rejects it" "mallory@evil.example"

  hostile_sign set-wrong-key
  verify_env "$W/h-set-wrong-key.legacy.json" "$EMAIL" "$U"
  expect_fail "3 set-wrong-key: legacy verify-blob rejects the SET" "unable to verify SET"
  verify_root "$W/h-set-wrong-key.new.json" "$EMAIL" "$U"
  expect_fail "3 set-wrong-key: --trusted-root verify-blob rejects the entry" "not enough verified log entries"

  hostile_sign inclusion-bad-hash
  verify_root "$W/h-inclusion-bad-hash.new.json" "$EMAIL" "$U"
  expect_fail "3 inclusion-bad-hash: --trusted-root verify-blob rejects the proof" "calculated root"
  verify_env "$W/h-inclusion-bad-hash.legacy.json" "$EMAIL" "$U" --rfc3161-timestamp "$W/h-inclusion-bad-hash.tsr" \
    --timestamp-certificate-chain "$SIGSTORE_STANDIN_TSA_CHAIN"
  check "3 inclusion-bad-hash: a legacy bundle carries no proof, so cosign accepts it (SET only)" eq "$RC" 0

  hostile_sign checkpoint-wrong-key
  verify_root "$W/h-checkpoint-wrong-key.new.json" "$EMAIL" "$U"
  expect_fail "3 checkpoint-wrong-key: --trusted-root verify-blob rejects the checkpoint" "signature on checkpoint did not verify"

  hostile_sign rekor-other-entry
  verify_env "$W/h-rekor-other-entry.legacy.json" "$EMAIL" "$U"
  expect_fail "3 rekor-other-entry: legacy verify-blob rejects the entry" "does not match"
  verify_root "$W/h-rekor-other-entry.new.json" "$EMAIL" "$U"
  expect_fail "3 rekor-other-entry: --trusted-root verify-blob rejects the entry" "does not match"

  hostile_sign tsa-other-imprint
  verify_env "$W/h-tsa-other-imprint.legacy.json" "$EMAIL" "$U" --rfc3161-timestamp "$W/h-tsa-other-imprint.tsr" \
    --timestamp-certificate-chain "$SIGSTORE_STANDIN_TSA_CHAIN"
  expect_fail "3 tsa-other-imprint: verify-blob --rfc3161-timestamp rejects the timestamp" "hashed messages don't match"
  verify_root "$W/h-tsa-other-imprint.new.json" "$EMAIL" "$U"
  # Measured: cosign 2.5 (sigstore-go) accepts a v0.3 bundle whose timestamp does not verify when
  # the tlog entry alone gives a verified time. Recorded, not asserted: it is the peer's behaviour.
  echo "# note: tsa-other-imprint, v0.3 bundle + --trusted-root: cosign exit $RC (2.5 measured 0: the bad timestamp is ignored, the tlog time suffices)"
fi
# What cosign does not check, checked here: the TSA's nonce, and the modes' effect on the log.
mode tsa-wrong-nonce
run curl -sS --max-time 10 -H 'Content-Type: application/timestamp-query' --data-binary "@$W/q.tsq" -o "$W/r-nonce.tsr" "$TSA"
mode normal
run openssl ts -verify -in "$W/r-nonce.tsr" -queryfile "$W/q.tsq" -CAfile "$W/tsa-root.pem" -untrusted "$W/tsa-leaf.pem"
expect_fail "3 tsa-wrong-nonce: openssl ts -verify -queryfile rejects the answer (cosign 2.5 never compares nonces)" "nonce mismatch"
for m in inclusion-bad-hash checkpoint-wrong-key set-wrong-key; do
  mode "$m"
  run "$PY" "$CLIENT" rekor-audit --url "$U" --rekor-pub "$SIGSTORE_STANDIN_REKOR_PUB" --indexes 0,7
  mode normal
  expect_fail "3 $m: client.py's audit of the log fails too"
done
run curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"mode":"no-such-mode"}' "$U/admin/mode"
check "3 an unknown admin mode is refused (400)" eq "$OUT" 400

# =============================================================================================
section "4. cosign keyless on an image in a local registry"
if have_cosign "4 cosign keyless images"; then
  if [[ ! -x $REGISTRY_BIN || ! -x $REGISTRY_SKOPEO ]]; then
    skip "4 cosign keyless images (missing $REGISTRY_BIN or $REGISTRY_SKOPEO)"
  elif ! start_registry REG anon; then
    RC=1 OUT="" ERR=""
    failed "4 start the registry"
  else
    H=$REG_HOST
    export DOCKER_CONFIG=$REG_DOCKER_CONFIG
    if new_image IMG standin/app v1; then
      REF=$H/standin/app@$IMG
      cos_env sign -y --allow-http-registry --fulcio-url "$U" --rekor-url "$U" --identity-token "$TOK" "$REF"
      expect "4 cosign sign keyless (image)" 0
      cos_env verify --allow-http-registry --certificate-identity "$EMAIL" --certificate-oidc-issuer "$U" "$REF"
      expect "4 cosign verify keyless (image) with the SIGSTORE_* files" 0
      cos_env verify --allow-http-registry --certificate-identity other@example.com --certificate-oidc-issuer "$U" "$REF"
      expect_fail "4 cosign verify rejects another identity (image)"
      cos_env attest -y --allow-http-registry --fulcio-url "$U" --rekor-url "$U" --identity-token "$TOK" \
        --predicate "$PRED" --type "$PTYPE" "$REF"
      expect "4 cosign attest keyless (image)" 0
      cos_env verify-attestation --allow-http-registry --type "$PTYPE" --certificate-identity "$EMAIL" \
        --certificate-oidc-issuer "$U" "$REF"
      expect "4 cosign verify-attestation keyless (image)" 0
      cos_env sign -y --allow-http-registry --fulcio-url "$U" --rekor-url "$U" --identity-token "$GL_TOK" "$REF"
      expect "4 cosign sign keyless with a GitLab token (image)" 0
      cos_env verify --allow-http-registry --certificate-identity "$GL_ID" --certificate-oidc-issuer https://gitlab.com "$REF"
      expect "4 cosign verify: the GitLab identity (image)" 0
    fi
  fi
fi

run "$PY" "$CLIENT" rekor-audit --url "$U" --rekor-pub "$SIGSTORE_STANDIN_REKOR_PUB"
expect "5 Rekor after all of the above: proofs, checkpoints, SETs, consistency still verify" 0
run grep -c '"status": 500' "$SIGSTORE_STANDIN_LOG"
check "5 the stand-in never answered 500" eq "$OUT" 0
finish
