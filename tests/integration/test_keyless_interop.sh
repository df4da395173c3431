#!/usr/bin/env bash
# sigstore-js (@sigstore/verify 3.1, tests/tools/sigstore-js/verify-keyless.mjs) verifies sigil's
# keyless v0.3 bundles with the stand-in's trusted_root.json and the expected identity and
# issuer, and rejects them for a tampered artifact or another identity.
# Usage: test_keyless_interop.sh PATH_TO_SIGIL
#
#  1. sign-blob keyless, without and with a TSA (with: 2 verified timestamps required, so the
#     RFC 3161 one must verify too); a GitLab token (URI identity, issuer https://gitlab.com)
#  2. attest-blob keyless (DSSE), without and with a TSA
#  3. rejected: a tampered artifact (sign-blob: the signature; attest-blob: the statement's
#     subject, checked by the script as cosign does), a tampered DSSE payload, another
#     identity, another issuer, a required TSA timestamp that is absent
# Skipped with the reason when node/npm are missing or sigstore-js cannot be installed.
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/sigstore_lib.sh"
REPO_DIR=$(cd "$HERE/../.." && pwd)
PY=$REGISTRY_PYTHON

keyless_suite_init

SJS=""
# shellcheck source=../../scripts/lib/node-tools.sh
if source "$REPO_DIR/scripts/lib/node-tools.sh" && ensure_sigstore_js; then
  SJS=$SIGSTORE_JS_DIR/verify-keyless.mjs
else
  skip "every case: sigstore-js could not be installed (see 'node-tools:' messages above: node >= 20.17 and npm needed)"
  finish
  exit
fi

W=$TEST_TMP/w
mkdir -p "$W"
if ! start_sigstore_standin "$TEST_TMP/sigstore-interop" --prefill 300; then
  abort_suite "start the sigstore stand-in"
fi
U=$SIGSTORE_STANDIN_URL
TR=$SIGSTORE_STANDIN_TRUSTED_ROOT
TSA=$SIGSTORE_STANDIN_TSA_URL
EMAIL=signer@example.com
BLOB=$W/blob.txt
echo "an artifact that sigstore-js checks" >"$BLOB"
TAMPERED=$W/tampered.txt
echo "an artifact that sigstore-js checks!" >"$TAMPERED"
TOK=$(sigstore_mint_token --email "$EMAIL")
GL_TOK=$(sigstore_mint_token --gitlab --gitlab-project grp/proj --gitlab-ref refs/heads/main)
secret "$TOK"
secret "$GL_TOK"
GL_ID="https://gitlab.com/grp/proj//.gitlab-ci.yml@refs/heads/main"
echo '{"buildType":"https://example.com/build","builder":{"id":"https://example.com/ci"}}' >"$W/pred.json"

keyless() { # COMMAND BUNDLE TOKEN [options]
  local command=$1 b=$2 tok=$3
  shift 3
  rm -f "$b"
  run timeout 120 "$SIGIL" "$command" "$BLOB" --identity-token "$tok" --fulcio-url "$U" --rekor-url "$U" \
    --trusted-root "$TR" --bundle "$b" -y "$@" </dev/null
}
sjs() { run timeout 60 node "$SJS" "$@"; }
# accepted NAME: sigstore-js said OK for the identity.
accepted() { expect "$1" 0 && expect_out "$1: OK for the identity" "OK $2"; }

# =============================================================================================
section "1. sign-blob keyless"
keyless sign-blob "$W/s.json" "$TOK"
expect "1 sigil sign-blob keyless (no TSA)" 0
sjs "$BLOB" "$W/s.json" "$TR" "$EMAIL" "$U"
accepted "1 sigstore-js verifies sigil's keyless bundle (certificate, SCT, tlog entry, identity, issuer)" "$EMAIL"
keyless sign-blob "$W/st.json" "$TOK" --timestamp-server-url "$TSA"
expect "1 sigil sign-blob keyless with a TSA" 0
sjs "$BLOB" "$W/st.json" "$TR" "$EMAIL" "$U" --timestamps 2
accepted "1 sigstore-js verifies it with 2 timestamps required (Rekor's and the TSA's)" "$EMAIL"
keyless sign-blob "$W/sg.json" "$GL_TOK"
expect "1 sigil sign-blob keyless with a GitLab token" 0
sjs "$BLOB" "$W/sg.json" "$TR" "$GL_ID" https://gitlab.com
accepted "1 sigstore-js verifies it for the GitLab identity and issuer" "$GL_ID"

# =============================================================================================
section "2. attest-blob keyless"
keyless attest-blob "$W/a.json" "$TOK" --type slsaprovenance --predicate "$W/pred.json"
expect "2 sigil attest-blob keyless (no TSA)" 0
sjs "$BLOB" "$W/a.json" "$TR" "$EMAIL" "$U"
accepted "2 sigstore-js verifies sigil's keyless DSSE bundle" "$EMAIL"
keyless attest-blob "$W/at.json" "$TOK" --type slsaprovenance --predicate "$W/pred.json" --timestamp-server-url "$TSA"
expect "2 sigil attest-blob keyless with a TSA" 0
sjs "$BLOB" "$W/at.json" "$TR" "$EMAIL" "$U" --timestamps 2
accepted "2 sigstore-js verifies it with 2 timestamps required" "$EMAIL"

# =============================================================================================
section "3. rejected"
sjs "$TAMPERED" "$W/s.json" "$TR" "$EMAIL" "$U"
expect "3 sign-blob bundle, tampered artifact: sigstore-js rejects the signature" 1 \
  "FAIL: SIGNATURE_ERROR: signature verification failed"
sjs "$TAMPERED" "$W/st.json" "$TR" "$EMAIL" "$U" --timestamps 2
expect "3 sign-blob bundle with TSA, tampered artifact: rejected" 1 "FAIL: "
sjs "$BLOB" "$W/s.json" "$TR" other@example.com "$U"
expect "3 another identity: sigstore-js rejects it" 1 \
  "FAIL: UNTRUSTED_SIGNER_ERROR: certificate identity error - expected ^other@example\\.com\$, got $EMAIL"
sjs "$BLOB" "$W/s.json" "$TR" "${EMAIL}x" "$U"
expect "3 an identity the real one is a prefix of: rejected (exact match)" 1 "UNTRUSTED_SIGNER_ERROR"
sjs "$BLOB" "$W/s.json" "$TR" "$EMAIL" https://gitlab.com
expect "3 another issuer: rejected" 1 \
  "FAIL: UNTRUSTED_SIGNER_ERROR: invalid certificate extension - expected issuer=https://gitlab.com, got issuer=$U"
sjs "$BLOB" "$W/sg.json" "$TR" "https://gitlab.com/grp/other//.gitlab-ci.yml@refs/heads/main" https://gitlab.com
expect "3 GitLab bundle, another project: rejected" 1 "UNTRUSTED_SIGNER_ERROR"
sjs "$BLOB" "$W/s.json" "$TR" "$EMAIL" "$U" --timestamps 2
expect "3 a TSA timestamp required but the bundle has none: rejected" 1 "FAIL: TIMESTAMP_ERROR: expected 2 timestamps, got 1"
sjs "$TAMPERED" "$W/a.json" "$TR" "$EMAIL" "$U"
expect "3 attest-blob bundle, tampered artifact: no subject has its digest" 1 \
  "FAIL: SUBJECT_ERROR: no subject of the statement has the artifact's sha256"
"$PY" -c '
import base64, json, sys
b = json.load(open(sys.argv[1]))
e = b["dsseEnvelope"]
p = json.loads(base64.b64decode(e["payload"]))
p["predicate"]["buildType"] = "https://evil.example/build"
e["payload"] = base64.b64encode(json.dumps(p).encode()).decode()
json.dump(b, open(sys.argv[2], "w"))' "$W/a.json" "$W/a-tampered.json"
sjs "$BLOB" "$W/a-tampered.json" "$TR" "$EMAIL" "$U"
expect "3 attest-blob bundle, tampered DSSE payload: sigstore-js rejects it" 1 "FAIL: TLOG_BODY_ERROR: DSSE payload hash mismatch"
sjs "$BLOB" "$W/a.json" "$TR" other@example.com "$U"
expect "3 attest-blob bundle, another identity: rejected" 1 "UNTRUSTED_SIGNER_ERROR"

finish
