#!/usr/bin/env bash
# sigil keyless verification against what real signers made against the Sigstore stand-in
# (tests/integration/sigstore/): cosign 2.5 signs keyless (blob legacy bundle, v0.3 bundle, with a
# TSA, --output-certificate/--output-signature, a GitLab CI token, image .sig, image .att,
# attest-blob), and sigil signs keyless too; sigil verifies each one, and rejects each tampered,
# foreign or hostile variant with the check that failed.
# Usage: test_keyless_verify.sh PATH_TO_SIGIL
#
#  1. cosign-signed blobs: --trusted-root and the SIGSTORE_* variables, --certificate/--signature,
#     GitLab (--gitlab-project, every Fulcio-extension flag), regexps, attest-blob
#  2. cosign-signed images: verify (.sig), verify-attestation (.att), the JSON report
#  3. negatives, each with its exit status and the reason: identity, issuer, anchoring, each
#     GitLab extension, other trust material, tampered/moved artifacts, the stand-in's hostile
#     modes (SET, inclusion proof, checkpoint, Rekor entry, SCT, TSA imprint), validity windows
#     of the CA / TSA / logs in the trusted root, a bundle mixing a key hint and a certificate, a
#     .sig layer whose certificate annotation was swapped
#  4. many-leaf proofs: entries at different indexes in a tree of 1000+ leaves, proofs fetched
#     later (the leaf is then not the last one, tree sizes odd and even)
#  5. sigil's own keyless output (sign-blob, sign)
# One stand-in and one registry for the whole script; every cosign run is offline (a closed
# proxy port, an empty TUF_ROOT) and bounded by `timeout`.
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/sigstore_lib.sh"
REPO_DIR=$(cd "$HERE/../.." && pwd)
PY=$REGISTRY_PYTHON

keyless_suite_init

keyless_suite_cosign "every case that needs a cosign signature"
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
if ! start_sigstore_standin "$SD" --prefill 1001; then
  abort_suite "start the sigstore stand-in"
fi
U=$SIGSTORE_STANDIN_URL
TSA=$SIGSTORE_STANDIN_TSA_URL
TR=$SIGSTORE_STANDIN_TRUSTED_ROOT
EMAIL=signer@example.com
NET=(HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 'NO_PROXY=127.0.0.1,localhost')
mapfile -t COSIGN_ENV < <(sigstore_cosign_env)
# The SIGSTORE_* variables sigil reads (cosign's names), without the TSA file.
SIGIL_ENV=("SIGSTORE_ROOT_FILE=$SIGSTORE_STANDIN_ROOT_FILE" "SIGSTORE_REKOR_PUBLIC_KEY=$SIGSTORE_STANDIN_REKOR_PUB"
  "SIGSTORE_CT_LOG_PUBLIC_KEY_FILE=$SIGSTORE_STANDIN_CTLOG_PUB")
cos_env() { run env "${NET[@]}" "${COSIGN_ENV[@]}" timeout 60 "$COSIGN" "$@" </dev/null; }
mode() { sigstore_mode "$@" >/dev/null || echo "# could not set mode $*" >&2; }
BLOB=$W/blob.txt
echo "an artifact cosign signs keyless, sigil verifies" >"$BLOB"
OTHER=$W/other.txt
echo "another artifact" >"$OTHER"
TOK=$(sigstore_mint_token --email "$EMAIL")
GL_TOK=$(sigstore_mint_token --gitlab --gitlab-project grp/proj --gitlab-ref refs/tags/v1.2.0 --claim environment=production)
GL_ID='https://gitlab.com/grp/proj//.gitlab-ci.yml@refs/tags/v1.2.0'
GL=https://gitlab.com

# cos_blob TOKEN BUNDLE [sign-blob options]: cosign sign-blob keyless of $BLOB (legacy bundle
# unless the options say --new-bundle-format); a failed case when cosign fails.
cos_blob() {
  local tok=$1 b=$2
  shift 2
  cos_env sign-blob -y --fulcio-url "$U" --rekor-url "$U" --identity-token "$tok" --bundle "$b" "$@" "$BLOB"
  [[ $RC == 0 ]] || failed "cosign sign-blob $* (setup)"
}
# vb [sigil verify-blob options]: sigil verify-blob of ${VB_FILE:-$BLOB}, bounded.
vb() { run timeout 30 "$SIGIL" verify-blob "${VB_FILE:-$BLOB}" "$@" </dev/null; }
vb_env() { run env "${SIGIL_ENV[@]}" timeout 30 "$SIGIL" verify-blob "${VB_FILE:-$BLOB}" "$@" </dev/null; }
ID=(--certificate-identity "$EMAIL" --certificate-oidc-issuer "$U")
GID=(--certificate-identity "$GL_ID" --certificate-oidc-issuer "$GL")
NEG=0
# rejected NAME STATUS REASON: the last run failed with exactly STATUS and stderr has REASON.
rejected() {
  NEG=$((NEG + 1))
  expect "N $1 -> $2 '$3'" "$2" "$3"
}
POS=0
accepted() {
  POS=$((POS + 1))
  expect "P $1" 0 "${2-Verified OK}"
}
# edit_json IN OUT PYTHON: OUT = IN's JSON after PYTHON ran on it as `d`.
edit_json() {
  "$PY" - "$1" "$2" "$3" <<'PY'
import base64, copy, datetime, json, sys
d = json.load(open(sys.argv[1]))
now = datetime.datetime.now(datetime.timezone.utc)
def at(days):
    return (now + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"), indent=1)
PY
}

if ! have_cosign "keyless verification of cosign's keyless signatures"; then
  finish
  exit
fi

# =============================================================================================
section "1. cosign-signed blobs, sigil verifies"
cos_blob "$TOK" "$W/legacy.json"
cos_blob "$TOK" "$W/v3.json" --new-bundle-format
cos_blob "$TOK" "$W/v3-tsa.json" --new-bundle-format --timestamp-server-url "$TSA"
cos_blob "$TOK" "$W/legacy-out.json" --output-certificate "$W/out-cert" --output-signature "$W/out-sig"
cos_blob "$GL_TOK" "$W/gitlab.json" --new-bundle-format

vb --bundle "$W/legacy.json" "${ID[@]}" --trusted-root "$TR"
accepted "legacy bundle, --trusted-root"
vb_env --bundle "$W/legacy.json" "${ID[@]}"
accepted "legacy bundle, SIGSTORE_ROOT_FILE / SIGSTORE_REKOR_PUBLIC_KEY / SIGSTORE_CT_LOG_PUBLIC_KEY_FILE"
vb --bundle "$W/v3.json" "${ID[@]}" --trusted-root "$TR"
accepted "v0.3 bundle (--new-bundle-format), --trusted-root"
vb_env --bundle "$W/v3.json" "${ID[@]}"
accepted "v0.3 bundle, SIGSTORE_* variables"
vb --bundle "$W/v3-tsa.json" "${ID[@]}" --trusted-root "$TR"
accepted "v0.3 bundle with an RFC 3161 timestamp, --trusted-root" &&
  check "P v0.3 + TSA: both the SET and the timestamp are signing times" eq "$(grep -c '^Signing time:' <<<"$ERR")" 2
vb_env --bundle "$W/v3-tsa.json" "${ID[@]}" --timestamp-certificate-chain "$SIGSTORE_STANDIN_TSA_CHAIN"
accepted "v0.3 + TSA, SIGSTORE_* variables and --timestamp-certificate-chain" "(timestamp authority"
vb --bundle "$W/legacy-out.json" "${ID[@]}" --trusted-root "$TR"
accepted "legacy bundle of the --output-certificate run"
vb --certificate "$W/out-cert" --signature "$W/out-sig" "${ID[@]}" --trusted-root "$TR" --insecure-ignore-tlog
accepted "--certificate (cosign's base64 --output-certificate) --signature --insecure-ignore-tlog"
expect "  the loud --insecure-ignore-tlog warning" 0 "warning: --insecure-ignore-tlog: transparency log entries are not checked"
expect "  the note on the unchecked log" 0 "transparency log entries were NOT checked"
openssl base64 -d -A -in "$W/out-cert" -out "$W/out-cert.pem" 2>/dev/null
vb --certificate "$W/out-cert.pem" --signature "$W/out-sig" "${ID[@]}" --trusted-root "$TR" --insecure-ignore-tlog
accepted "--certificate as PEM --signature --insecure-ignore-tlog"

vb --bundle "$W/gitlab.json" "${GID[@]}" --trusted-root "$TR"
accepted "GitLab: --certificate-identity URI and issuer https://gitlab.com"
vb --bundle "$W/gitlab.json" --gitlab-project grp/proj --trusted-root "$TR"
accepted "GitLab: --gitlab-project grp/proj"
vb --bundle "$W/gitlab.json" --gitlab-project grp/proj --gitlab-ref 'refs/tags/v*' --trusted-root "$TR"
accepted "GitLab: --gitlab-project grp/proj --gitlab-ref 'refs/tags/v*'"
vb --bundle "$W/gitlab.json" --gitlab-project grp/proj --gitlab-ref refs/tags/v1.2.0 --gitlab-url https://gitlab.com/ --trusted-root "$TR"
accepted "GitLab: --gitlab-ref exact, --gitlab-url with a trailing slash"
vb --bundle "$W/gitlab.json" --certificate-identity-regexp 'https://gitlab.com/grp/.*' --certificate-oidc-issuer-regexp 'https://gitlab\.com' --trusted-root "$TR"
accepted "GitLab: identity regexp https://gitlab.com/grp/.* and issuer regexp"
vb_env --bundle "$W/gitlab.json" --gitlab-project grp/proj
accepted "GitLab: --gitlab-project with the SIGSTORE_* variables"
# Each Fulcio-extension flag with the value the stand-in's Fulcio put in the certificate.
GL_EXT=(
  "source-repository-uri|https://gitlab.com/grp/proj"
  "source-repository-ref|refs/tags/v1.2.0"
  "build-config-uri|$GL_ID"
  "runner-environment|gitlab-hosted"
  "build-trigger|push"
  "run-invocation-uri|https://gitlab.com/grp/proj/-/jobs/5001"
  "deployment-environment|production"
)
# The digest: read from the certificate (the stand-in derives it from the token's sha claim).
"$PY" - "$W/gitlab.json" >"$W/gitlab-digest" <<'PY'
import base64, json, sys
from cryptography import x509
b = json.load(open(sys.argv[1]))
c = x509.load_der_x509_certificate(base64.b64decode(b["verificationMaterial"]["certificate"]["rawBytes"]))
ext = c.extensions.get_extension_for_oid(x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.13")).value.value
print(ext[2:].decode())  # a DER UTF8String of < 128 bytes: tag, length, text
PY
GL_EXT+=("source-repository-digest|$(<"$W/gitlab-digest")")
for e in "${GL_EXT[@]}"; do
  vb --bundle "$W/gitlab.json" --gitlab-project grp/proj "--certificate-${e%%|*}" "${e#*|}" --trusted-root "$TR"
  accepted "GitLab: --certificate-${e%%|*} ${e#*|}"
done
all=()
for e in "${GL_EXT[@]}"; do all+=("--certificate-${e%%|*}" "${e#*|}"); done
vb --bundle "$W/gitlab.json" "${GID[@]}" "${all[@]}" --trusted-root "$TR"
accepted "GitLab: all eight extension flags at once"

PRED=$W/predicate.json
echo '{"buildType": "https://example.com/sigil/keyless-verify/v1", "builder": {"id": "standin"}}' >"$PRED"
PTYPE=https://example.com/sigil/standin/v1
cos_env attest-blob -y --fulcio-url "$U" --rekor-url "$U" --identity-token "$TOK" --predicate "$PRED" --type "$PTYPE" \
  --bundle "$W/att-legacy.json" "$BLOB"
[[ $RC == 0 ]] || failed "cosign attest-blob (setup)"
cos_env attest-blob -y --new-bundle-format --fulcio-url "$U" --rekor-url "$U" --identity-token "$TOK" \
  --predicate "$PRED" --type "$PTYPE" --bundle "$W/att-v3.json" "$BLOB"
[[ $RC == 0 ]] || failed "cosign attest-blob --new-bundle-format (setup)"
vba() { run timeout 30 "$SIGIL" verify-blob-attestation "${VB_FILE:-$BLOB}" "$@" </dev/null; }
vba --bundle "$W/att-legacy.json" --type "$PTYPE" "${ID[@]}" --trusted-root "$TR"
accepted "blob attestation (cosign attest-blob, legacy bundle), --trusted-root"
run env "${SIGIL_ENV[@]}" timeout 30 "$SIGIL" verify-blob-attestation "$BLOB" --bundle "$W/att-legacy.json" --type "$PTYPE" "${ID[@]}"
accepted "blob attestation, SIGSTORE_* variables"
vba --bundle "$W/att-v3.json" --type "$PTYPE" "${ID[@]}" --trusted-root "$TR"
accepted "blob attestation, v0.3 bundle"

# =============================================================================================
section "2. cosign-signed images, sigil verifies"
HAVE_REG=0
if [[ ! -x $REGISTRY_BIN || ! -x $REGISTRY_SKOPEO ]]; then
  skip "2 keyless images (missing $REGISTRY_BIN or $REGISTRY_SKOPEO)"
elif ! start_registry REG anon; then
  RC=1 OUT="" ERR="" failed "2 start the registry"
else
  HAVE_REG=1
  H=$REG_HOST
  export DOCKER_CONFIG=$REG_DOCKER_CONFIG
fi
vi() { run timeout 60 "$SIGIL" verify "$@" </dev/null; }
vatt() { run timeout 60 "$SIGIL" verify-attestation "$@" </dev/null; }
if ((HAVE_REG)) && new_image IMG kv/app v1 && new_image IMG_GL kv/gl v1 && new_image IMG_SWAP kv/swap v1; then
  REF=$H/kv/app@$IMG
  REF_GL=$H/kv/gl@$IMG_GL
  REF_SWAP=$H/kv/swap@$IMG_SWAP
  cos_env sign -y --allow-http-registry --fulcio-url "$U" --rekor-url "$U" --identity-token "$TOK" "$REF"
  [[ $RC == 0 ]] || failed "cosign sign keyless (setup)"
  cos_env attest -y --allow-http-registry --fulcio-url "$U" --rekor-url "$U" --identity-token "$TOK" \
    --type slsaprovenance --predicate "$PRED" "$REF"
  [[ $RC == 0 ]] || failed "cosign attest --type slsaprovenance keyless (setup)"
  cos_env sign -y --allow-http-registry --fulcio-url "$U" --rekor-url "$U" --identity-token "$GL_TOK" "$REF_GL"
  [[ $RC == 0 ]] || failed "cosign sign keyless, GitLab token (setup)"

  vi "$REF" "${ID[@]}" --trusted-root "$TR"
  accepted "image .sig (cosign sign keyless), --trusted-root" "" &&
    check "P   the JSON report names the identity and the issuer (optional.Subject/Issuer, sigil.identity)" "$PY" -c '
import json, sys
out, email, iss = sys.argv[1:]
rep = json.loads(out)
rep = rep if isinstance(rep, list) else [rep]
s = json.dumps(rep)
assert any(r.get("optional", {}).get("Subject") == email and r["optional"].get("Issuer") == iss for r in rep), s[:600]
assert email in json.dumps([r.get("sigil", {}).get("identity") for r in rep]), s[:600]' "$OUT" "$EMAIL" "$U"
  run env "${SIGIL_ENV[@]}" timeout 60 "$SIGIL" verify "$REF" "${ID[@]}" </dev/null
  accepted "image .sig, SIGSTORE_* variables" ""
  vi "$REF" "${ID[@]}" --trusted-root "$TR" --explain
  accepted "image .sig with --explain" ""
  vatt "$REF" --type slsaprovenance "${ID[@]}" --trusted-root "$TR"
  accepted "image .att (cosign attest --type slsaprovenance), --trusted-root" ""
  run env "${SIGIL_ENV[@]}" timeout 60 "$SIGIL" verify-attestation "$REF" --type slsaprovenance "${ID[@]}" </dev/null
  accepted "image .att, SIGSTORE_* variables" ""
  vi "$REF_GL" --gitlab-project grp/proj --gitlab-ref 'refs/tags/*' --trusted-root "$TR"
  accepted "image .sig signed with a GitLab token, --gitlab-project" ""
  vi "$REF_GL" "${GID[@]}" --certificate-deployment-environment production --certificate-build-trigger push --trusted-root "$TR"
  accepted "image .sig (GitLab), identity + extension flags" ""
fi

# =============================================================================================
section "3. negatives: each rejected with its exit status and the check that failed"
vb --bundle "$W/legacy.json" --certificate-identity other@example.com --certificate-oidc-issuer "$U" --trusted-root "$TR"
rejected "another identity (legacy bundle)" 12 "identity: certificate identity $EMAIL does not match the expected identity other@example.com"
vb --bundle "$W/v3.json" --certificate-identity other@example.com --certificate-oidc-issuer "$U" --trusted-root "$TR"
rejected "another identity (v0.3 bundle)" 12 "identity: certificate identity $EMAIL does not match"
vb --bundle "$W/v3.json" --certificate-identity "$EMAIL" --certificate-oidc-issuer https://accounts.example.com --trusted-root "$TR"
rejected "another issuer" 12 "identity: certificate issuer $U does not match the expected issuer https://accounts.example.com"
vb_env --bundle "$W/legacy.json" --certificate-identity "$EMAIL" --certificate-oidc-issuer "$GL"
rejected "another issuer (SIGSTORE_* variables)" 12 "identity: certificate issuer $U does not match"
vb --bundle "$W/gitlab.json" --certificate-identity-regexp 'https://gitlab.com/grp/' --certificate-oidc-issuer "$GL" --trusted-root "$TR"
rejected "identity regexp that is only a prefix (anchored)" 12 "expected identity regexp ^(?:https://gitlab.com/grp/)\$"
vb --bundle "$W/gitlab.json" --certificate-identity-regexp 'gitlab\.com/grp/proj' --certificate-oidc-issuer "$GL" --trusted-root "$TR"
rejected "identity regexp matching only the middle (anchored)" 12 "identity: certificate identity $GL_ID does not match"
vb --bundle "$W/gitlab.json" --certificate-identity "$GL_ID" --certificate-oidc-issuer-regexp 'https://gitlab' --trusted-root "$TR"
rejected "issuer regexp that is only a prefix (anchored)" 12 "identity: certificate issuer $GL does not match the expected issuer regexp"
vb --bundle "$W/v3.json" --certificate-identity-regexp '.*@example\.com' --certificate-oidc-issuer-regexp 'http://127\.0\.0\.1' --trusted-root "$TR"
rejected "issuer regexp without the port (anchored)" 12 "identity: certificate issuer $U does not match"
for e in "${GL_EXT[@]}"; do
  vb --bundle "$W/gitlab.json" --gitlab-project grp/proj "--certificate-${e%%|*}" "${e#*|}-other" --trusted-root "$TR"
  rejected "GitLab: --certificate-${e%%|*} of another value" 12 "identity: certificate "
  [[ $ERR == *"${e#*|} does not match the expected ${e#*|}-other"* ]] || failed "  the reason names the certificate's value and the expected one"
done
vb --bundle "$W/gitlab.json" --gitlab-project grp/other --trusted-root "$TR"
rejected "GitLab: --gitlab-project of another project" 12 "identity: certificate identity $GL_ID does not match the expected identity glob https://gitlab.com/grp/other//"
vb --bundle "$W/gitlab.json" --gitlab-project grp/proj --gitlab-ref main --trusted-root "$TR"
rejected "GitLab: --gitlab-ref of another ref (main = refs/heads/main)" 12 "@refs/heads/main"
vb --bundle "$W/gitlab.json" --gitlab-project grp/proj --gitlab-ref 'refs/tags/v2*' --trusted-root "$TR"
rejected "GitLab: --gitlab-ref glob of other tags" 12 "identity: certificate identity $GL_ID does not match"
vb --bundle "$W/gitlab.json" --gitlab-project grp/proj --gitlab-url https://gitlab.example.com --trusted-root "$TR"
rejected "GitLab: --gitlab-url of another instance" 12 "identity: certificate identity"
vb --bundle "$W/gitlab.json" --gitlab-project grp/pro --trusted-root "$TR"
rejected "GitLab: --gitlab-project that is a prefix of the real one" 12 "identity: certificate identity"
vb --bundle "$W/v3.json" --gitlab-project grp/proj --trusted-root "$TR"
rejected "GitLab: --gitlab-project against an email certificate" 12 "identity: "

# Other trust material: a trusted_root.json without the CA / the tlog / the ctlog, and the
# SIGSTORE_* variables naming keys and roots of nobody the stand-in uses.
edit_json "$TR" "$W/tr-noca.json" 'd["certificateAuthorities"] = []'
edit_json "$TR" "$W/tr-notlog.json" 'd["tlogs"] = []'
edit_json "$TR" "$W/tr-noct.json" 'd["ctlogs"] = []'
vb --bundle "$W/v3.json" "${ID[@]}" --trusted-root "$W/tr-noca.json"
rejected "another trusted root: no certificate authority" 12 "certificate: the trusted root has no certificate authority"
vb --bundle "$W/legacy.json" "${ID[@]}" --trusted-root "$W/tr-notlog.json"
rejected "another trusted root: no transparency log" 12 "transparency log: the entry is from a log that is not in the trusted root"
vb --bundle "$W/v3.json" "${ID[@]}" --trusted-root "$W/tr-noct.json"
rejected "another trusted root: no CT log (so the SCT is from an unknown log)" 12 "certificate transparency: no valid embedded SCT: SCT from an unknown CT log"
# A certificate of the trusted root that does not parse (an empty SEQUENCE): certificates are
# decoded when their authority is used, and a broken one in use is malformed input (exit 30),
# never skipped for another authority; a TSA's only when a bundle has a timestamp.
edit_json "$TR" "$W/tr-badca.json" 'd["certificateAuthorities"][0]["certChain"]["certificates"][0]["rawBytes"] = "MAA="'
edit_json "$TR" "$W/tr-badtsa.json" 'd["timestampAuthorities"][0]["certChain"]["certificates"][0]["rawBytes"] = "MAA="'
vb --bundle "$W/v3.json" "${ID[@]}" --trusted-root "$W/tr-badca.json"
rejected "trusted root whose CA certificate does not parse" 30 "trusted root: certificateAuthorities[0]: certificate 0: invalid certificate"
vb --bundle "$W/v3-tsa.json" "${ID[@]}" --trusted-root "$W/tr-badtsa.json"
rejected "trusted root whose TSA certificate does not parse, bundle with a timestamp" 30 "trusted root: timestampAuthorities[0]: certificate 0: invalid certificate"
vb --bundle "$W/v3.json" "${ID[@]}" --trusted-root "$W/tr-badtsa.json"
accepted "trusted root whose TSA certificate does not parse, bundle without a timestamp"
# The same broken authority listed after the good one (same validFor): still an error, whatever
# the order (every authority in use is decoded before any is tried).
edit_json "$TR" "$W/tr-badca2.json" 'b = copy.deepcopy(d["certificateAuthorities"][0]); b["certChain"]["certificates"][0]["rawBytes"] = "MAA="; d["certificateAuthorities"].append(b)'
edit_json "$TR" "$W/tr-badtsa2.json" 'b = copy.deepcopy(d["timestampAuthorities"][0]); b["certChain"]["certificates"][0]["rawBytes"] = "MAA="; d["timestampAuthorities"].append(b)'
vb --bundle "$W/v3.json" "${ID[@]}" --trusted-root "$W/tr-badca2.json"
rejected "trusted root with a broken CA listed after the good one" 30 "trusted root: certificateAuthorities[1]: certificate 0: invalid certificate"
vb --bundle "$W/v3-tsa.json" "${ID[@]}" --trusted-root "$W/tr-badtsa2.json"
rejected "trusted root with a broken TSA listed after the good one, bundle with a timestamp" 30 "trusted root: timestampAuthorities[1]: certificate 0: invalid certificate"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$W/foreign-root.key" -subj /CN=foreign-root \
  -days 2 -out "$W/foreign-root.pem" 2>/dev/null
openssl pkey -in "$SD/keys/evil-rekor.key" -pubout -out "$W/evil-rekor.pub" 2>/dev/null
openssl pkey -in "$SD/keys/evil-ctlog.key" -pubout -out "$W/evil-ctlog.pub" 2>/dev/null
run env "${SIGIL_ENV[@]}" SIGSTORE_ROOT_FILE="$W/foreign-root.pem" "$SIGIL" verify-blob "$BLOB" --bundle "$W/legacy.json" "${ID[@]}"
rejected "SIGSTORE_ROOT_FILE of another root" 12 "certificate: certificate does not chain to a certificate authority of the trusted root"
run env "${SIGIL_ENV[@]}" SIGSTORE_REKOR_PUBLIC_KEY="$W/evil-rekor.pub" "$SIGIL" verify-blob "$BLOB" --bundle "$W/legacy.json" "${ID[@]}"
rejected "SIGSTORE_REKOR_PUBLIC_KEY of another log" 12 "transparency log: the entry is from a log that is not in the trusted root"
run env "${SIGIL_ENV[@]}" SIGSTORE_CT_LOG_PUBLIC_KEY_FILE="$W/evil-ctlog.pub" "$SIGIL" verify-blob "$BLOB" --bundle "$W/legacy.json" "${ID[@]}"
rejected "SIGSTORE_CT_LOG_PUBLIC_KEY_FILE of another CT log" 12 "certificate transparency: no valid embedded SCT"

# Validity windows of the trusted root (protobuf-specs: validFor on the CA and the TSA, on
# publicKey for the logs): the signing time falls outside them.
edit_json "$TR" "$W/tr-ca-future.json" 'd["certificateAuthorities"][0]["validFor"] = {"start": at(1)}'
edit_json "$TR" "$W/tr-ca-ended.json" 'd["certificateAuthorities"][0]["validFor"] = {"start": at(-3), "end": at(-1)}'
edit_json "$TR" "$W/tr-tsa-ended.json" 'd["timestampAuthorities"][0]["validFor"] = {"start": at(-3), "end": at(-1)}'
edit_json "$TR" "$W/tr-tlog-ended.json" 'd["tlogs"][0]["publicKey"]["validFor"] = {"start": at(-3), "end": at(-1)}'
edit_json "$TR" "$W/tr-ct-ended.json" 'd["ctlogs"][0]["publicKey"]["validFor"] = {"start": at(-3), "end": at(-1)}'
vb --bundle "$W/v3.json" "${ID[@]}" --trusted-root "$W/tr-ca-future.json"
rejected "CA not yet valid at the log time (validFor.start tomorrow)" 12 "certificate: certificate does not chain to a certificate authority of the trusted root at "
vb --bundle "$W/legacy.json" "${ID[@]}" --trusted-root "$W/tr-ca-ended.json"
rejected "CA expired at the log time (validFor ended yesterday)" 12 "not trusted at"
vb --bundle "$W/v3.json" "${ID[@]}" --trusted-root "$W/tr-tlog-ended.json"
rejected "Rekor key outside its validity at the integrated time" 12 "transparency log: the key of $U was not valid at the integrated time"
vb --bundle "$W/v3.json" "${ID[@]}" --trusted-root "$W/tr-ct-ended.json"
rejected "CT log key outside its validity at the SCT time" 12 "certificate transparency: no valid embedded SCT: SCT of"
# A v0.3 bundle without its SET: the integrated time is then no verified time, the RFC 3161
# timestamp is the only one (the inclusion proof and checkpoint still verify).
edit_json "$W/v3-tsa.json" "$W/v3-tsa-noset.json" 'del d["verificationMaterial"]["tlogEntries"][0]["inclusionPromise"]'
vb --bundle "$W/v3-tsa-noset.json" "${ID[@]}" --trusted-root "$TR"
accepted "v0.3 bundle without SET: the RFC 3161 timestamp is the signing time" "(timestamp authority"
vb --bundle "$W/v3-tsa-noset.json" "${ID[@]}" --trusted-root "$W/tr-tsa-ended.json"
rejected "TSA outside its validity (and no other signing time)" 12 "signing time: no verified signing time"
[[ $ERR == *"outside the authority's validity"* ]] || failed "  the note says the TSA was outside its validity"
edit_json "$W/v3.json" "$W/v3-noset.json" 'del d["verificationMaterial"]["tlogEntries"][0]["inclusionPromise"]'
vb --bundle "$W/v3-noset.json" "${ID[@]}" --trusted-root "$TR"
rejected "v0.3 bundle without SET or timestamp: no signing time" 12 "signing time: no verified signing time"
edit_json "$W/v3.json" "$W/v3-notlog.json" 'd["verificationMaterial"]["tlogEntries"] = []'
vb --bundle "$W/v3-notlog.json" "${ID[@]}" --trusted-root "$TR"
rejected "v0.3 bundle without its log entry" 12 "transparency log: the signature has no transparency log entry"
edit_json "$W/v3.json" "$W/mixed.json" 'd["verificationMaterial"]["publicKey"] = {"hint": "c2lnaWw="}'
vb --bundle "$W/mixed.json" "${ID[@]}" --trusted-root "$TR"
rejected "bundle mixing a key hint and a certificate (malformed: exit 30)" 30 "both a public key hint and a certificate"
vb --certificate "$W/out-cert" --signature "$W/out-sig" "${ID[@]}" --trusted-root "$TR"
rejected "--certificate --signature without a log entry or --insecure-ignore-tlog" 12 "transparency log: the signature has no transparency log entry"

# Tampered and moved artifacts.
cp "$BLOB" "$W/tampered.txt"
printf 'X' | dd of="$W/tampered.txt" bs=1 seek=3 conv=notrunc 2>/dev/null
VB_FILE=$W/tampered.txt vb --bundle "$W/legacy.json" "${ID[@]}" --trusted-root "$TR"
rejected "tampered artifact byte (legacy bundle)" 12 "signature: the message signature does not verify with the certificate's key"
VB_FILE=$W/tampered.txt vb --bundle "$W/v3.json" "${ID[@]}" --trusted-root "$TR"
rejected "tampered artifact byte (v0.3 bundle)" 12 "artifact: the artifact's digest"
VB_FILE=$OTHER vb --bundle "$W/v3-tsa.json" "${ID[@]}" --trusted-root "$TR"
rejected "signature moved to another artifact (v0.3)" 12 "artifact: the artifact's digest"
VB_FILE=$OTHER vb --certificate "$W/out-cert" --signature "$W/out-sig" "${ID[@]}" --trusted-root "$TR" --insecure-ignore-tlog
rejected "signature moved to another artifact (--certificate --signature)" 12 "signature: the message signature does not verify"
VB_FILE=$OTHER vba --bundle "$W/att-v3.json" --type "$PTYPE" "${ID[@]}" --trusted-root "$TR"
rejected "blob attestation of another artifact" 12 "artifact: no subject of the statement has digest"
vba --bundle "$W/att-legacy.json" --type "$PTYPE" --certificate-identity other@example.com --certificate-oidc-issuer "$U" --trusted-root "$TR"
rejected "blob attestation (legacy bundle), another identity" 12 "identity: certificate identity $EMAIL does not match"
vba --bundle "$W/att-v3.json" --type https://example.com/other/v1 "${ID[@]}" --trusted-root "$TR"
rejected "blob attestation of another predicate type" 14 "https://example.com/other/v1"
# Another run's bundle for the same artifact, with its certificate swapped for this run's.
cos_blob "$TOK" "$W/v3-b.json" --new-bundle-format
edit_json "$W/v3-b.json" "$W/v3-swapcert.json" '
d["verificationMaterial"]["certificate"] = json.load(open(sys.argv[1].replace("v3-b.json", "v3.json")))["verificationMaterial"]["certificate"]'
vb --bundle "$W/v3-swapcert.json" "${ID[@]}" --trusted-root "$TR"
rejected "bundle whose certificate was swapped for another run's" 12 "signature: the message signature does not verify with the certificate's key"

# The stand-in's hostile modes: cosign signs while the mode is on (legacy bundle, and v0.3 with a TSA).
hostile() {
  local m=$1
  mode "$m"
  cos_blob "$TOK" "$W/h-$m.legacy.json"
  cos_blob "$TOK" "$W/h-$m.v3.json" --new-bundle-format --timestamp-server-url "$TSA"
  mode normal
}
hostile set-wrong-key
vb --bundle "$W/h-set-wrong-key.legacy.json" "${ID[@]}" --trusted-root "$TR"
rejected "SET signed by an unknown key (legacy)" 12 "transparency log: signed entry timestamp does not verify with the log key"
vb_env --bundle "$W/h-set-wrong-key.v3.json" "${ID[@]}"
rejected "SET signed by an unknown key (v0.3, SIGSTORE_* variables)" 12 "transparency log: signed entry timestamp does not verify"
hostile inclusion-bad-hash
vb --bundle "$W/h-inclusion-bad-hash.v3.json" "${ID[@]}" --trusted-root "$TR"
rejected "inclusion proof off by one hash (v0.3)" 12 "transparency log: inclusion proof does not lead to the root hash"
vb --bundle "$W/h-inclusion-bad-hash.legacy.json" "${ID[@]}" --trusted-root "$TR"
accepted "inclusion-bad-hash, legacy bundle: it carries no proof, the SET verifies (as cosign)"
hostile checkpoint-wrong-key
vb --bundle "$W/h-checkpoint-wrong-key.v3.json" "${ID[@]}" --trusted-root "$TR"
rejected "checkpoint signed by another key (v0.3)" 12 "transparency log: no checkpoint signature from"
hostile rekor-other-entry
vb --bundle "$W/h-rekor-other-entry.legacy.json" "${ID[@]}" --trusted-root "$TR"
rejected "Rekor entry for another artifact (legacy)" 12 "transparency log: the entry logs another signature"
vb --bundle "$W/h-rekor-other-entry.v3.json" "${ID[@]}" --trusted-root "$TR"
rejected "Rekor entry for another artifact (v0.3)" 12 "transparency log: the entry logs another signature"
hostile tsa-other-imprint
vb --bundle "$W/h-tsa-other-imprint.v3.json" "${ID[@]}" --trusted-root "$TR"
accepted "timestamp over other bytes, with a SET: accepted on the SET's time, the timestamp not counted" \
  "note: an RFC 3161 timestamp was not used: timestamp is over other bytes than the signature" &&
  check "P   ... only the SET is a signing time" eq "$(grep -c '^Signing time:' <<<"$ERR")" 1
edit_json "$W/h-tsa-other-imprint.v3.json" "$W/h-tsa-other-imprint.noset.json" \
  'del d["verificationMaterial"]["tlogEntries"][0]["inclusionPromise"]'
vb --bundle "$W/h-tsa-other-imprint.noset.json" "${ID[@]}" --trusted-root "$TR"
rejected "timestamp over other bytes as the only time source" 12 "signing time: no verified signing time"
[[ $ERR == *"message imprint mismatch"* ]] || failed "  the reason says the timestamp is over other bytes"
hostile cert-other-identity
vb --bundle "$W/h-cert-other-identity.v3.json" "${ID[@]}" --trusted-root "$TR"
rejected "Fulcio certified another identity" 12 "identity: certificate identity mallory@evil.example does not match"
# sct-unknown-log: cosign refuses to sign with it unless its CT key file is the unknown log's.
mode sct-unknown-log
run env "${NET[@]}" "${COSIGN_ENV[@]}" SIGSTORE_CT_LOG_PUBLIC_KEY_FILE="$W/evil-ctlog.pub" timeout 60 "$COSIGN" sign-blob -y \
  --new-bundle-format --fulcio-url "$U" --rekor-url "$U" --identity-token "$TOK" --bundle "$W/h-sct.json" "$BLOB" </dev/null
mode normal
vb --bundle "$W/h-sct.json" "${ID[@]}" --trusted-root "$TR"
rejected "SCT from an unknown CT log" 12 "certificate transparency: no valid embedded SCT: SCT from an unknown CT log"
vb --bundle "$W/h-sct.json" "${ID[@]}" --trusted-root "$TR" --insecure-ignore-sct
accepted "SCT from an unknown CT log, --insecure-ignore-sct (loud)" "warning: --insecure-ignore-sct"

if ((HAVE_REG)) && [[ -n ${REF:-} ]]; then
  vi "$REF" --certificate-identity other@example.com --certificate-oidc-issuer "$U" --trusted-root "$TR"
  rejected "image .sig, another identity" 12 ""
  vi "$REF" --certificate-identity other@example.com --certificate-oidc-issuer "$U" --trusted-root "$TR" --explain
  rejected "image .sig, another identity, --explain names the check" 12 "identity: certificate identity $EMAIL does not match"
  vi "$REF" "${ID[@]}" --trusted-root "$W/tr-noca.json" --explain
  rejected "image .sig, a trusted root without the CA" 12 "certificate: the trusted root has no certificate authority"
  vatt "$REF" --type slsaprovenance --certificate-identity "$EMAIL" --certificate-oidc-issuer "$GL" --trusted-root "$TR"
  rejected "image .att, another issuer" 12 ""
  vatt "$REF" --type cyclonedx "${ID[@]}" --trusted-root "$TR"
  rejected "image .att of another type" 14 ""
  vi "$REF_GL" --gitlab-project grp/other --trusted-root "$TR" --explain
  rejected "image .sig (GitLab), another project" 12 "identity: certificate identity $GL_ID does not match"
  vi "$REF_GL" --gitlab-project grp/proj --certificate-build-trigger schedule --trusted-root "$TR" --explain
  rejected "image .sig (GitLab), another build trigger" 12 "certificate build trigger (1.3.6.1.4.1.57264.1.20) push does not match the expected schedule"
  # A .sig layer whose certificate annotation was swapped for another run's certificate.
  cos_env sign -y --allow-http-registry --fulcio-url "$U" --rekor-url "$U" --identity-token "$TOK" "$REF_SWAP"
  [[ $RC == 0 ]] || failed "cosign sign keyless (setup)"
  run "$PY" - "$H" "kv/app" "$(sig_tag "$IMG")" "kv/swap" "$(sig_tag "$IMG_SWAP")" <<'PY'
import json, sys, urllib.request
host, src_repo, src_tag, dst_repo, dst_tag = sys.argv[1:]
mt = "application/vnd.oci.image.manifest.v1+json"
def get(repo, tag):
    req = urllib.request.Request(f"http://{host}/v2/{repo}/manifests/{tag}", headers={"Accept": mt})
    return json.loads(urllib.request.urlopen(req, timeout=10).read())
other = get(src_repo, src_tag)["layers"][0]["annotations"]["dev.sigstore.cosign/certificate"]
m = get(dst_repo, dst_tag)
assert m["layers"][0]["annotations"]["dev.sigstore.cosign/certificate"] != other
m["layers"][0]["annotations"]["dev.sigstore.cosign/certificate"] = other
req = urllib.request.Request(f"http://{host}/v2/{dst_repo}/manifests/{dst_tag}", data=json.dumps(m).encode(),
                             method="PUT", headers={"Content-Type": m.get("mediaType", mt)})
print(urllib.request.urlopen(req, timeout=10).status)
PY
  [[ $RC == 0 ]] || failed "swap the certificate annotation (setup)"
  vi "$REF_SWAP" "${ID[@]}" --trusted-root "$TR" --explain
  rejected ".sig layer whose certificate annotation is another run's" 12 "signature: the message signature does not verify with the certificate's key"
  # A keyless signature moved to another image: kv/app's whole .sig manifest (blobs mounted)
  # becomes the .sig of an image nobody signed. Its certificate, SET and identity are all
  # valid; only the payload's digest tells (the regression: a dangling expected digest).
  if new_image IMG_MOVED kv/moved v1; then
    run "$PY" - "$H" "kv/app" "$(sig_tag "$IMG")" "kv/moved" "$(sig_tag "$IMG_MOVED")" <<'PY'
import json, sys, urllib.request
host, src_repo, src_tag, dst_repo, dst_tag = sys.argv[1:]
mt = "application/vnd.oci.image.manifest.v1+json"
req = urllib.request.Request(f"http://{host}/v2/{src_repo}/manifests/{src_tag}", headers={"Accept": mt})
m = json.loads(urllib.request.urlopen(req, timeout=10).read())
for d in [m["config"]] + m["layers"]:
    mount = urllib.request.Request(
        f"http://{host}/v2/{dst_repo}/blobs/uploads/?mount={d['digest']}&from={src_repo}", data=b"", method="POST")
    assert urllib.request.urlopen(mount, timeout=10).status == 201
req = urllib.request.Request(f"http://{host}/v2/{dst_repo}/manifests/{dst_tag}", data=json.dumps(m).encode(),
                             method="PUT", headers={"Content-Type": m.get("mediaType", mt)})
print(urllib.request.urlopen(req, timeout=10).status)
PY
    [[ $RC == 0 ]] || failed "move the keyless .sig to another image (setup)"
    vi "$H/kv/moved@$IMG_MOVED" "${ID[@]}" --trusted-root "$TR" --explain
    rejected "keyless .sig moved to another image" 12 "payload digest $IMG does not match image $IMG_MOVED"
  else
    failed "push kv/moved (setup)"
  fi
fi

# =============================================================================================
section "4. many-leaf proofs: several entries of a tree of 1000+ leaves, proofs fetched later"
# refresh_proof IN OUT: OUT = the v0.3 bundle IN with the inclusion proof and checkpoint Rekor
# gives now for its entry (the tree has grown: the leaf is no longer the last one).
refresh_proof() {
  "$PY" - "$1" "$2" "$U" <<'PY'
import base64, json, sys, urllib.request
src, dst, url = sys.argv[1:]
b = json.load(open(src))
e = b["verificationMaterial"]["tlogEntries"][0]
ans = json.loads(urllib.request.urlopen(f"{url}/api/v1/log/entries?logIndex={e['logIndex']}", timeout=10).read())
(v,) = ans.values()
p = v["verification"]["inclusionProof"]
h = lambda x: base64.b64encode(bytes.fromhex(x)).decode()
e["inclusionProof"] = {"logIndex": str(p["logIndex"]), "rootHash": h(p["rootHash"]), "treeSize": str(p["treeSize"]),
                       "hashes": [h(x) for x in p["hashes"]], "checkpoint": {"envelope": p["checkpoint"]}}
json.dump(b, open(dst, "w"))
print(p["logIndex"], p["treeSize"], len(p["hashes"]))
PY
}
MANY=()
for i in 1 2 3 4 5; do
  echo "many-leaf artifact $i" >"$W/many-$i.txt"
  BLOB=$W/many-$i.txt cos_blob "$TOK" "$W/many-$i.json" --new-bundle-format
  MANY+=("$i")
  # a few entries of others between ours: odd gaps, so indexes and tree sizes differ
  curl -fsS --max-time 10 -H 'Content-Type: application/json' -d "{\"count\": $((i * 2 + 1))}" "$U/admin/prefill" >/dev/null ||
    failed "prefill (setup)"
done
idx=""
for i in "${MANY[@]}"; do
  VB_FILE=$W/many-$i.txt vb --bundle "$W/many-$i.json" "${ID[@]}" --trusted-root "$TR"
  accepted "many-leaf $i: the proof cosign got (last leaf of the tree then)"
  idx+=" $("$PY" -c 'import json,sys; e=json.load(open(sys.argv[1]))["verificationMaterial"]["tlogEntries"][0]; print(e["logIndex"]+"/"+e["inclusionProof"]["treeSize"])' "$W/many-$i.json")"
done
echo "# log index / tree size:$idx"
check "P many-leaf: five different indexes, all beyond the 1001 prefilled leaves" "$PY" -c '
import sys
pairs = [tuple(map(int, p.split("/"))) for p in sys.argv[1].split()]
assert len({i for i, _ in pairs}) == 5 and min(i for i, _ in pairs) >= 1001, pairs' "$idx"
curl -fsS --max-time 10 -H 'Content-Type: application/json' -d '{"count": 4}' "$U/admin/prefill" >/dev/null
sizes=""
for i in "${MANY[@]}"; do
  run refresh_proof "$W/many-$i.json" "$W/many-$i.later.json"
  sizes+=" $OUT"
  VB_FILE=$W/many-$i.txt vb --bundle "$W/many-$i.later.json" "${ID[@]}" --trusted-root "$TR"
  accepted "many-leaf $i: a proof fetched later, in the grown tree ($OUT: index, size, hashes)"
done
curl -fsS --max-time 10 -H 'Content-Type: application/json' -d '{"count": 1}' "$U/admin/prefill" >/dev/null
run refresh_proof "$W/many-3.json" "$W/many-3.even.json"
sizes+=" $OUT"
VB_FILE=$W/many-3.txt vb --bundle "$W/many-3.even.json" "${ID[@]}" --trusted-root "$TR"
accepted "many-leaf 3: a proof in a tree one leaf larger ($OUT)"
check "P many-leaf: the later proofs are not for the last leaf, odd and even tree sizes" "$PY" -c '
import sys
v = list(map(int, sys.argv[1].split()))
t = [tuple(v[i:i + 3]) for i in range(0, len(v), 3)]
assert all(i < s - 1 for i, s, _ in t), t
assert {s % 2 for _, s, _ in t} == {0, 1}, t' "$sizes"
# A proof for another entry of the log spliced in: the leaf is not the bundle's entry.
edit_json "$W/many-2.later.json" "$W/many-2.spliced.json" '
o = json.load(open(sys.argv[1].replace("many-2.later", "many-4.later")))
d["verificationMaterial"]["tlogEntries"][0]["inclusionProof"] = o["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]'
VB_FILE=$W/many-2.txt vb --bundle "$W/many-2.spliced.json" "${ID[@]}" --trusted-root "$TR"
rejected "many-leaf: another entry's inclusion proof spliced in" 12 "transparency log: "
edit_json "$W/many-2.later.json" "$W/many-2.offbyone.json" '
p = d["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]
p["logIndex"] = str(int(p["logIndex"]) + 1)'
VB_FILE=$W/many-2.txt vb --bundle "$W/many-2.offbyone.json" "${ID[@]}" --trusted-root "$TR"
rejected "many-leaf: the proof's index off by one" 12 "transparency log: "

# =============================================================================================
section "5. sigil's own keyless output, verified by sigil"
run timeout 60 "$SIGIL" sign-blob "$BLOB" --identity-token "$TOK" --fulcio-url "$U" --rekor-url "$U" \
  --timestamp-server-url "$TSA" --trusted-root "$TR" --bundle "$W/sigil.json" \
  --output-certificate "$W/sigil-cert.pem" --output-signature "$W/sigil-sig.b64" -y </dev/null
expect "sigil sign-blob keyless (setup)" 0
vb --bundle "$W/sigil.json" "${ID[@]}" --trusted-root "$TR"
accepted "sigil sign-blob keyless (v0.3 + TSA), sigil verify-blob --trusted-root" "(timestamp authority"
vb_env --bundle "$W/sigil.json" "${ID[@]}"
accepted "sigil sign-blob keyless, sigil verify-blob with the SIGSTORE_* variables"
vb --certificate "$W/sigil-cert.pem" --signature "$W/sigil-sig.b64" "${ID[@]}" --trusted-root "$TR" --insecure-ignore-tlog
accepted "sigil's --output-certificate/--output-signature, --insecure-ignore-tlog"
VB_FILE=$OTHER vb --bundle "$W/sigil.json" "${ID[@]}" --trusted-root "$TR"
rejected "sigil's keyless bundle for another artifact" 12 "artifact: "
vb --bundle "$W/sigil.json" --certificate-identity other@example.com --certificate-oidc-issuer "$U" --trusted-root "$TR"
rejected "sigil's keyless bundle, another identity" 12 "identity: "
if ((HAVE_REG)) && new_image IMG_S kv/sigil v1; then
  REF_S=$H/kv/sigil@$IMG_S
  run timeout 60 "$SIGIL" sign "$REF_S" --identity-token "$TOK" --fulcio-url "$U" --rekor-url "$U" \
    --timestamp-server-url "$TSA" --trusted-root "$TR" -y </dev/null
  expect "sigil sign keyless (setup)" 0
  vi "$REF_S" "${ID[@]}" --trusted-root "$TR"
  accepted "sigil sign keyless (image), sigil verify" ""
  run env "${SIGIL_ENV[@]}" timeout 60 "$SIGIL" verify "$REF_S" "${ID[@]}" </dev/null
  accepted "sigil sign keyless (image), sigil verify with the SIGSTORE_* variables" ""
  vi "$REF_S" --certificate-identity other@example.com --certificate-oidc-issuer "$U" --trusted-root "$TR" --explain
  rejected "sigil sign keyless (image), another identity" 12 "identity: "
fi

section "trusted-root create and signing-config create, from the stand-in's files"
SD=$SIGSTORE_STANDIN_DIR
run "$SIGIL" trusted-root create --fulcio "certificate-chain=$SD/fulcio_chain.pem,url=$U" --rekor "$SD/rekor.pub,url=$U" \
  --ctfe-key "$SD/ctlog.pub" --tsa-chain "$SD/tsa_chain.pem" --out "$W/made-root.json"
expect "trusted-root create writes the file it names" 0 "Trusted root written to"
vb --bundle "$W/sigil.json" "${ID[@]}" --trusted-root "$W/made-root.json"
accepted "a keyless bundle verifies against the root trusted-root create wrote" "(timestamp authority"
run "$SIGIL" trusted-root create --fulcio "$SD/fulcio_chain.pem" --ctfe "public-key=$SD/ctlog.pub" \
  --tsa "$SD/tsa_chain.pem" --out "$W/made-no-rekor.json"
expect "trusted-root create without a Rekor key" 0
vb --bundle "$W/sigil.json" "${ID[@]}" --trusted-root "$W/made-no-rekor.json"
rejected "a root created without the Rekor key refuses the bundle's log entry" 12 "log that is not in the trusted root"
awk '/BEGIN/{n++} {print > ("'"$W"'/chain-part" n ".pem")}' "$SD/fulcio_chain.pem"
cat "$W/chain-part2.pem" "$W/chain-part1.pem" >"$W/chain-reversed.pem"
run "$SIGIL" trusted-root create --fulcio "$W/chain-reversed.pem" --out "$W/made-reversed.json"
rejected "trusted-root create refuses a chain listed root first" 30 "certificate 1 is not issued by certificate 2"
check "and writes nothing" eq "$([[ -e $W/made-reversed.json ]] && echo written || echo none)" none
# A leaf as a Fulcio anchor would make whatever its key signed look issued by a trusted CA.
awk '/BEGIN/{n++} n==1' "$SD/tsa_chain.pem" >"$W/tsa-leaf.pem"
run "$SIGIL" trusted-root create --fulcio "$SD/tsa_chain.pem" --out "$W/made-leaf.json"
rejected "trusted-root create refuses a Fulcio chain that holds a leaf (the TSA's certificate)" 30 \
  "--fulcio $SD/tsa_chain.pem: certificate 1 is not a certificate authority (no basicConstraints CA:TRUE with keyCertSign): a Fulcio chain lists CA certificates only"
check "and writes nothing" test ! -e "$W/made-leaf.json"
run "$SIGIL" trusted-root create --tsa "$W/tsa-leaf.pem" --out "$W/made-leaf.json"
rejected "trusted-root create refuses a TSA chain of the TSA's certificate alone" 30 \
  "one certificate: give the TSA's certificate and the CA certificates that issued it"
# A TSA certificate issued by a certificate that is not a CA (CA:FALSE, self-signed).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/notca.key" -out "$W/notca.pem" \
  -subj "/CN=not a CA" -days 30 -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=digitalSignature" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/tsa2.key" -subj "/CN=tsa" 2>/dev/null |
  openssl x509 -req -CA "$W/notca.pem" -CAkey "$W/notca.key" -days 30 -out "$W/tsa2.pem" 2>/dev/null
cat "$W/tsa2.pem" "$W/notca.pem" >"$W/tsa-leaf-twice.pem"
run "$SIGIL" trusted-root create --tsa "$W/tsa-leaf-twice.pem" --out "$W/made-leaf.json"
rejected "trusted-root create refuses a TSA chain whose issuer is not a CA" 30 "certificate 2 is not a certificate authority"
run "$SIGIL" trusted-root create --rekor "$SD/rekor.pub,colour=blue"
rejected "trusted-root create: an unknown part is a usage error" 2 'unknown part "colour=blue"'
run "$SIGIL" trusted-root create --rekor "public-key=$SD/rekor.pub,start-time=yesterday"
rejected "trusted-root create: a start-time that is not RFC 3339" 2 "is not an RFC 3339 time"
run "$SIGIL" signing-config create --fulcio "url=$U" --rekor "$U" --tsa "url=$TSA" --rekor-config ANY \
  --out "$W/made-signing-config.json"
expect "signing-config create" 0
run timeout 60 "$SIGIL" sign-blob "$BLOB" --identity-token "$TOK" --signing-config "$W/made-signing-config.json" \
  --trusted-root "$TR" --bundle "$W/by-made-config.json" -y </dev/null
expect "sigil sign-blob keyless with the signing config signing-config create wrote" 0
vb --bundle "$W/by-made-config.json" "${ID[@]}" --trusted-root "$W/made-root.json"
accepted "and the bundle (Fulcio, Rekor, TSA from that config) verifies" "(timestamp authority"
run "$SIGIL" signing-config create --rekor "url=$U,api-version=zero"
rejected "signing-config create: a bad api-version" 2 "api-version must be 1, 2, ..."
run "$SIGIL" signing-config create --rekor "url=$U" --rekor-config SOME
rejected "signing-config create: a bad selector" 2 "want ANY, ALL or EXACT:N"

echo "# cases: $POS positive, $NEG negative"
check "at least 40 negative cases" ge "$NEG" 40
check "the stand-in never answered 500" eq "$(grep -c '"status": 500' "$SIGSTORE_STANDIN_LOG" || true)" 0
finish
