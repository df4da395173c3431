#!/usr/bin/env bash
# sigil sign / sigil verify end to end against a real registry (Debian docker-registry 2.8),
# with a fault-injecting proxy in front and hostile content crafted straight into the registry.
# Usage: test_sign_verify.sh PATH_TO_SIGIL [PATH_TO_SIGIL_REGISTRY_PROBE]
#
#  A. round trips: legacy / bundle / both, by tag (warning) and by digest, -a annotations,
#     --recursive on a two-platform index, SIGIL_REPOSITORY / COSIGN_REPOSITORY, several images
#     in one verify (argument order, worst exit status), key rotation, --upload=false files,
#     re-signing (nothing added), a second key (both kept), token registry with credentials
#  N. negative suite: one named case per hostile input, each asserting the exit status and the
#     reason `--explain` prints ("  rejected SOURCE: REASON"). Every DESIGN.md §3 rule has at
#     least one case that fails when the rule is removed:
#       §3.1 exact bytes, verify before parse: tampered payload or signature, re-serialised
#            JSON, untrusted key, payload not JSON (signed / unsigned), duplicate keys
#       §3.2 digest binding: signature moved, payload names another digest,
#            --check-claims=false, bundle about another digest
#       §3.3 manifests/blobs hashed: blob bytes vs layer digest, descriptor sizes, referrer bytes
#       §3.4 type from the signed statement: SLSA bundle claiming a signature, attestation only
#       §3.5 bounds: 101 signatures, 1001 layers, 2 MiB payload, 4 MiB manifest, retries,
#            --max-signatures
#       §3.6 key rotation: rt (rotation)              §3.7 every signature reported: three layers
# Hostile content is written with an embedded Python helper (craft.py: stdlib + cryptography)
# over plain HTTP to the anonymous registry, or served by the proxy when the registry itself
# would refuse it (non-string annotations, bytes that do not match their digest).
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"

find_probe "${2:-}"

require_tools "$REGISTRY_BIN" "$REGISTRY_SKOPEO" openssl curl "$PY"
require_python_module cryptography python3-cryptography
require_probe
skip_suite_if_missing "sign/verify tests"

isolate_home COSIGN_PASSWORD NO_COLOR
export SIGIL_PASSWORD=sign-verify-test-password
W=$TEST_TMP/w
mkdir -p "$W"

# --- helpers ---------------------------------------------------------------------------------
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
sig() { run timeout 60 "$SIGIL" "$@"; }
probe() { run timeout 60 "$PROBE" "$@"; }
# jout EXPR: EXPR over d = the JSON of stdout line N (default: the last non-empty line).
jout() { "$PY" -c 'import json,sys; ls=[l for l in sys.argv[1].splitlines() if l.strip()]; d=json.loads(ls[int(sys.argv[3])]); print(eval(sys.argv[2]))' "$OUT" "$1" "${2:--1}"; }
# jq_py FILE EXPR
jfile() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
# Number of "  accepted|rejected" lines in the last stderr.
explained() { grep -cE '^  (accepted|rejected) ' <<<"$ERR"; }
reftag() { echo "sha256-${1#sha256:}"; }
# --- craft: registry/craft_sign_verify.py writes hostile content straight into the registry ------
CRAFT=$REGISTRY_TOOLS_DIR/craft_sign_verify.py # (shared code: registry/craft_common.py)
craft() { "$PY" "$CRAFT" "$REG_URL" "$@"; }
# payload DOCKER_REFERENCE DIGEST [OPTIONAL_JSON]: cosign's simple-signing bytes (Go field order).
payload() {
  printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":%s}' \
    "$1" "$2" "${3:-null}"
}
# pfile NAME CONTENT: writes $W/NAME (no newline added), prints the path.
pfile() { printf '%s' "$2" >"$W/$1"; echo "$W/$1"; }
# put_sig REPO DIGEST LAYER_JSON...: the .sig manifest of DIGEST with these layers (craft.py spec).
put_sig() {
  local repo=$1 digest=$2
  shift 2
  local IFS=,
  craft sig "$repo" "$(sig_tag "$digest")" "{\"layers\":[$*]}" >/dev/null
}
IMG_N=0
# new_image REPO: a fresh tiny image in REPO (tag tN); prints its digest.
new_image() { IMG_N=$((IMG_N + 1)); craft image "$1" "t$IMG_N"; }
# plan_body METHOD PATH_REGEX FAULT BODY_FILE: a proxy plan serving BODY_FILE's text.
plan_body() {
  "$PY" -c 'import json,sys; print(json.dumps([{"method":sys.argv[1],"path":sys.argv[2],"fault":sys.argv[3],"body":open(sys.argv[4]).read()}]))' "$@"
}
# manifest_field REPO REF EXPR: EXPR over d = the manifest JSON (craft get-manifest).
manifest_field() { craft get-manifest "$1" "$2" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$3"; }
# signed_bytes REPO DIGEST LAYER: the bytes of layer LAYER (0-based) of DIGEST's .sig manifest.
signed_bytes() { curl -fs "$REG_URL/v2/$1/blobs/$(manifest_field "$1" "$(sig_tag "$2")" "d['layers'][$3]['digest']")"; }

# =============================================================================================
section "setup: registry, proxy, keys"
start_registry REG anon || { failed "start anonymous registry"; finish; exit; }
start_fault_proxy PX "$REG_URL" || { failed "start proxy"; finish; exit; }
for k in k1 k2 k3; do
  sig generate-key-pair --output-key-prefix "$W/$k"
  expect "setup: generate-key-pair $k" 0 || { finish; exit; }
done
K1=$W/k1.key K1P=$W/k1.pub K2=$W/k2.key K2P=$W/k2.pub K3=$W/k3.key K3P=$W/k3.pub
# The crafter's key (plain PKCS#8, signs arbitrary bytes) and a key nobody trusts.
craft keygen "$W/ck" && craft keygen "$W/evil" || { failed "setup: craft.py keygen"; finish; exit; }
CK=$W/ck.pem CKP=$W/ck.pub EVIL=$W/evil.pem

# =============================================================================================
section "A. round trips"
RT=$PX_HOST/app/rt
run push_test_image "$REG_HOST" app/rt v1 --layers 2
expect "rt: push a test image" 0 || { finish; exit; }
D1=$OUT

sig sign "$RT:v1" --key "$K1"
expect "rt: sign by tag" 0 "is a tag: signing the digest it points to now" &&
  check "rt: sign by tag prints the digest it signed" eq "$(grep -c "Signed $RT@$D1" <<<"$ERR")" 1
check "rt: .sig tag holds one simple-signing layer" eq \
  "$(manifest_field app/rt "$(sig_tag "$D1")" '[l["mediaType"] for l in d["layers"]]')" \
  "['application/vnd.dev.cosign.simplesigning.v1+json']"
sig verify "$RT@$D1" --key "$K1P" --explain
expect "rt: verify by digest" 0 "  accepted $(sig_tag "$D1") layer 1: verified with key $K1P" &&
  check "rt: JSON is the signed payload + sigil{format,key,keyFingerprint,source}" eq \
    "$(jout 'd[0]["critical"]["image"]["docker-manifest-digest"], d[0]["critical"]["identity"]["docker-reference"], d[0]["critical"]["type"], d[0]["optional"], d[0]["sigil"]["format"], d[0]["sigil"]["key"], d[0]["sigil"]["source"], d[0]["sigil"]["keyFingerprint"].startswith("sha256:"), len(d)')" \
    "('$D1', '$RT', 'cosign container image signature', None, 'legacy', '$K1P', '$(sig_tag "$D1") layer 1', True, 1)"
sig verify "$RT:v1" --key "$K1P"
expect "rt: verify by tag warns" 0 "$RT:v1 is a tag: verified the digest it points to now, $D1"
check "rt: the .sig layer holds the simple-signing payload byte for byte" eq "$(signed_bytes app/rt "$D1" 0)" \
  "$(payload "$RT" "$D1")"
# -o text is text for people (not the payload's JSON): one line per verified signature.
sig verify "$RT@$D1" --key "$K1P" -o text
expect "rt: -o text" 0 &&
  check "rt: -o text: image, where the signature is, which key" eq "$OUT" \
    "verified $RT@$D1 $(sig_tag "$D1") layer 1 by key $K1P"
# tree prints text also when stdout is not a terminal (as cosign tree does); JSON only with -o json.
sig tree "$RT@$D1"
expect "rt: tree, piped" 0 &&
  check "rt: tree piped prints the text tree" eq "$OUT" "$(printf '%s\n└── signatures (%s)\n    └── %s' "$RT@$D1" \
    "$(sig_tag "$D1")" "$(manifest_field app/rt "$(sig_tag "$D1")" "d['layers'][0]['digest']")")"
sig tree "$RT@$D1" -o json
expect "rt: tree -o json" 0 && check "rt: tree -o json prints JSON" eq "$(jout 'd["tags"][0]["kind"], d["tags"][0]["tag"]')" \
  "('signatures', '$(sig_tag "$D1")')"

# Re-signing with the same key adds nothing; a second key adds a layer and keeps the first.
before=$(craft get-manifest app/rt "$(sig_tag "$D1")" | sha256sum)
sig sign "$RT@$D1" --key "$K1"
expect "rt: re-sign with the same key" 0 "is already signed with this key; nothing added" &&
  check "rt: ... the .sig manifest is unchanged" eq "$(craft get-manifest app/rt "$(sig_tag "$D1")" | sha256sum)" "$before"
sig sign "$RT@$D1" --key "$K2" -y
expect "rt: sign with a second key" 0 "Signed $RT@$D1"
check "rt: two layers now" eq "$(manifest_field app/rt "$(sig_tag "$D1")" 'len(d["layers"])')" 2
sig verify "$RT@$D1" --key "$K1P" --explain
expect "rt: first key still verifies (layer 1), second layer rejected for it" 0 \
  "  accepted $(sig_tag "$D1") layer 1: verified with key $K1P" &&
  check "rt: ... both layers reported" eq "$(grep -c "rejected $(sig_tag "$D1") layer 2: signature does not verify with the trusted key" <<<"$ERR") $(explained)" "1 2"
sig verify "$RT@$D1" --key "$K2P" --explain
expect "rt: second key verifies layer 2" 0 "  accepted $(sig_tag "$D1") layer 2: verified with key $K2P"

# Key rotation (§3.6): old and new key trusted; the report names the key that matched.
sig verify "$RT@$D1" --key "$K3P" --key "$K2P"
expect "rt: rotation --key K3 --key K2" 0 &&
  check "rt: rotation: JSON names key 2 and its fingerprint" eq \
    "$(jout '[e["sigil"]["key"] for e in d], len({e["sigil"]["keyFingerprint"] for e in d})')" "(['$K2P'], 1)"
sig verify "$RT@$D1" --key "$K1P" --key "$K2P"
expect "rt: rotation with both keys trusted: both signatures listed" 0 &&
  check "rt: ... each with its own key" eq "$(jout '[e["sigil"]["key"] for e in d]')" "['$K1P', '$K2P']"
sig verify "$RT@$D1" --key "$K3P"
expect "rt: a key that signed nothing: exit 12" 12 "signature does not verify with the trusted key"

section "A. annotations"
D2=$(new_image app/rt)
sig sign "$RT@$D2" --key "$K1" -a env=prod -a git-sha=abc123 -a 'weird=<&>'
expect "rt: sign with -a" 0
sig verify "$RT@$D2" --key "$K1P" -a env=prod -a git-sha=abc123 -o text
expect "rt: verify -a (both)" 0 &&
  check "rt: -a values are strings, sorted, Go-escaped in the signed bytes" eq "$(signed_bytes app/rt "$D2" 0)" \
    "$(payload "$RT" "$D2" '{"env":"prod","git-sha":"abc123","weird":"\u003c\u0026\u003e"}')"
sig verify "$RT@$D2" --key "$K1P" -a 'weird=<&>'
expect "rt: verify -a with an escaped value" 0 && check "rt: JSON optional" eq "$(jout 'd[0]["optional"]')" \
  "{'env': 'prod', 'git-sha': 'abc123', 'weird': '<&>'}"

section "A. bundle and both"
D3=$(new_image app/rt)
sig sign "$RT@$D3" --key "$K1" --format bundle
expect "rt: sign --format bundle" 0
check "rt: bundle: no .sig tag written" eq "$(craft get-manifest app/rt "$(sig_tag "$D3")" 2>&1 | grep -c 'not found')" 1
check "rt: bundle: fallback index tag sha256-<hex> lists one bundle referrer" eq \
  "$(manifest_field app/rt "$(reftag "$D3")" '[(m["artifactType"], m["annotations"]["dev.sigstore.bundle.predicateType"]) for m in d["manifests"]]')" \
  "[('application/vnd.dev.sigstore.bundle.v0.3+json', 'https://sigstore.dev/cosign/sign/v1')]"
REF3=$(manifest_field app/rt "$(reftag "$D3")" 'd["manifests"][0]["digest"]')
check "rt: bundle: referrer manifest has the image as subject" eq \
  "$(manifest_field app/rt "$REF3" 'd["subject"]["digest"], d["artifactType"], len(d["layers"])')" \
  "('$D3', 'application/vnd.dev.sigstore.bundle.v0.3+json', 1)"
sig verify "$RT@$D3" --key "$K1P" --explain
expect "rt: verify a bundle signature" 0 "  accepted referrer $REF3: verified with key $K1P" &&
  check "rt: bundle JSON: format bundle, type = predicate, digest" eq \
    "$(jout 'd[0]["sigil"]["format"], d[0]["critical"]["type"], d[0]["critical"]["image"]["docker-manifest-digest"], d[0]["sigil"]["source"]')" \
    "('bundle', 'https://sigstore.dev/cosign/sign/v1', '$D3', 'referrer $REF3')"
sig sign "$RT@$D3" --key "$K2" --format bundle -a team=blue
expect "rt: a second bundle signature" 0
check "rt: fallback index keeps both referrers" eq "$(manifest_field app/rt "$(reftag "$D3")" 'len(d["manifests"])')" 2
sig verify "$RT@$D3" --key "$K2P" -a team=blue --explain
expect "rt: verify the second bundle with -a" 0 "  rejected referrer $REF3: no DSSE signature (1) verifies with the trusted key" &&
  check "rt: ... one accepted, one rejected" eq "$(grep -c '^  accepted referrer ' <<<"$ERR") $(explained)" "1 2"
D4=$(new_image app/rt)
sig sign "$RT@$D4" --key "$K1" --format both
expect "rt: sign --format both" 0
check "rt: both: .sig has 1 layer and the fallback index 1 referrer" eq \
  "$(manifest_field app/rt "$(sig_tag "$D4")" 'len(d["layers"])') $(manifest_field app/rt "$(reftag "$D4")" 'len(d["manifests"])')" "1 1"
REF4=$(manifest_field app/rt "$(reftag "$D4")" 'd["manifests"][0]["digest"]')
sig verify "$RT@$D4" --key "$K1P"
expect "rt: both: verified by the .sig layer" 0 &&
  check "rt: both: without --explain, the .sig settles it (one JSON entry)" eq "$(jout 'len(d)')" 1
sig verify "$RT@$D4" --key "$K1P" --explain
expect "rt: both --explain: the .sig signature, where it was" 0 \
  "  accepted $(sig_tag "$D4") layer 1: verified with key $K1P" &&
  check "rt: both --explain: the bundle too, where it was" eq \
    "$(grep -cxF "  accepted referrer $REF4: verified with key $K1P" <<<"$ERR") $(explained)" "1 2" &&
  check "rt: both --explain: JSON lists both, by format" eq "$(jout '[e["sigil"]["format"] for e in d]')" \
    "['legacy', 'bundle']"
put_sig app/rt "$D4" # an empty .sig manifest: the bundle alone must verify
sig verify "$RT@$D4" --key "$K1P" --explain
expect "rt: both: with the .sig emptied, the bundle alone verifies" 0 "accepted referrer sha256:"

section "A. --recursive on an index"
run push_test_image "$REG_HOST" app/multi v1 --index --layers 1
expect "rt: push a two-platform index" 0
IDX=$OUT
probe index-children "$PX_HOST/app/multi@$IDX"
expect "rt: list the index children" 0
mapfile -t CHILDREN < <("$PY" -c 'import json,sys; [print(c["digest"]) for c in json.loads(sys.argv[1].splitlines()[-1])["children"]]' "$OUT")
check "rt: two children" eq "${#CHILDREN[@]}" 2
sig sign "$PX_HOST/app/multi:v1" --key "$K1" -r
expect "rt: sign -r an index by tag" 0 "Signed $PX_HOST/app/multi@${CHILDREN[1]}" &&
  check "rt: -r signed 3 digests" eq "$(grep -c '^Signed ' <<<"$ERR")" 3
for d in "$IDX" "${CHILDREN[@]}"; do
  sig verify "$PX_HOST/app/multi@$d" --key "$K1P"
  expect "rt: -r: $d verifies" 0
done
run push_test_image "$REG_HOST" app/multi2 v1 --index --layers 1
IDX2=$OUT
probe index-children "$PX_HOST/app/multi2@$IDX2"
CHILD2=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1].splitlines()[-1])["children"][0]["digest"])' "$OUT")
sig sign "$PX_HOST/app/multi2@$IDX2" --key "$K1"
expect "rt: sign an index without -r" 0
sig verify "$PX_HOST/app/multi2@$CHILD2" --key "$K1P"
expect "rt: without -r a platform manifest is unsigned (10)" 10 "no signatures found"

section "A. SIGIL_REPOSITORY / COSIGN_REPOSITORY"
D5=$(new_image app/rt)
run env SIGIL_REPOSITORY="$PX_HOST/sigs/store" timeout 60 "$SIGIL" sign "$RT@$D5" --key "$K1"
expect "rt: sign with SIGIL_REPOSITORY" 0
check "rt: the .sig tag is in the signature repository, not the image's" eq \
  "$(manifest_field sigs/store "$(sig_tag "$D5")" 'len(d["layers"])') $(craft get-manifest app/rt "$(sig_tag "$D5")" 2>&1 | grep -c 'not found')" "1 1"
sig verify "$RT@$D5" --key "$K1P"
expect "rt: without the variable: no signatures (10)" 10
run env SIGIL_REPOSITORY="$PX_HOST/sigs/store" timeout 60 "$SIGIL" verify "$RT@$D5" --key "$K1P"
expect "rt: verify with SIGIL_REPOSITORY" 0 &&
  check "rt: ... payload still names the image repository" eq "$(jout 'd[0]["critical"]["identity"]["docker-reference"]')" "$RT"
run env COSIGN_REPOSITORY="$PX_HOST/sigs/store" timeout 60 "$SIGIL" verify "$RT@$D5" --key "$K1P"
expect "rt: verify with COSIGN_REPOSITORY" 0
run env SIGIL_REPOSITORY="$PX_HOST/sigs/empty" COSIGN_REPOSITORY="$PX_HOST/sigs/store" timeout 60 "$SIGIL" verify "$RT@$D5" --key "$K1P"
expect "rt: SIGIL_REPOSITORY wins over COSIGN_REPOSITORY" 10
D6=$(new_image app/rt)
run env COSIGN_REPOSITORY="$PX_HOST/sigs/cosign" timeout 60 "$SIGIL" sign "$RT@$D6" --key "$K1" --format both
expect "rt: sign --format both with COSIGN_REPOSITORY" 0
check "rt: .sig and fallback index both in the COSIGN_REPOSITORY" eq \
  "$(manifest_field sigs/cosign "$(sig_tag "$D6")" 'len(d["layers"])') $(manifest_field sigs/cosign "$(reftag "$D6")" 'len(d["manifests"])')" "1 1"
run env SIGIL_REPOSITORY="$PX_HOST/sigs/cosign" timeout 60 "$SIGIL" verify "$RT@$D6" --key "$K1P"
expect "rt: verify it with SIGIL_REPOSITORY" 0
run env SIGIL_REPOSITORY="$PX_HOST/sigs/store:latest" timeout 60 "$SIGIL" verify "$RT@$D6" --key "$K1P"
expect "rt: SIGIL_REPOSITORY with a tag is a usage error" 2 "must name a repository"

section "A. several images in one verify"
D7=$(new_image app/rt)
sig sign "$RT@$D7" --key "$K1" -a n=7
sig verify "$RT@$D2" "$RT@$D7" --key "$K1P"
expect "rt: two images" 0 &&
  check "rt: one JSON line per image, in argument order" eq \
    "$(jout 'd[0]["critical"]["image"]["docker-manifest-digest"]' 0) $(jout 'd[0]["critical"]["image"]["docker-manifest-digest"]' 1)" "$D2 $D7"
sig verify "$RT@$D7" "$RT@$D2" --key "$K1P" --max-workers 1
expect "rt: two images, reversed, one worker" 0 &&
  check "rt: ... reversed output" eq \
    "$(jout 'd[0]["critical"]["image"]["docker-manifest-digest"]' 0) $(jout 'd[0]["critical"]["image"]["docker-manifest-digest"]' 1)" "$D7 $D2"
UNSIGNED=$(new_image app/rt)
NOPE=sha256:$(printf 'nope' | sha256sum | cut -d' ' -f1)
sig verify "$RT@$D7" "$RT@$UNSIGNED" "$RT@$NOPE" "$RT@$D2" --key "$K1P"
expect "rt: signed, unsigned, missing, signed: worst status (11)" 11 "no signatures found for $RT@$UNSIGNED" &&
  check "rt: ... the verified ones printed in order; each failure named" eq \
    "$(jout 'd[0]["critical"]["image"]["docker-manifest-digest"]' 0) $(jout 'd[0]["critical"]["image"]["docker-manifest-digest"]' 1) $(grep -c "$NOPE" <<<"$ERR")" "$D7 $D2 1"
sig verify "$RT@$UNSIGNED" "$RT@$D7" --key "$K1P"
expect "rt: unsigned + signed: exit 10" 10

section "A. several images in one sign"
# Signed concurrently (--max-workers, default 4), reported in the order given; a failing image
# does not stop the others, and the exit status is the first failure's.
MANY=()
for _ in 1 2 3 4 5 6; do MANY+=("$(new_image app/rt)"); done
proxy_reset_log PX
sig sign "$RT@${MANY[0]}" "$RT@${MANY[1]}" "$RT:no-such-tag" "$RT@${MANY[2]}" "$RT@${MANY[3]}" "$RT@${MANY[4]}" "$RT@${MANY[5]}" --key "$K1"
expect "many: six images and a missing tag: exit 11, the missing one named" 11 "no-such-tag" &&
  check "many: ... the six reported signed, in the order given" eq \
    "$(grep -o 'Signed [^ ]*' <<<"$ERR" | tr '\n' ' ')" \
    "$(for d in "${MANY[@]}"; do printf 'Signed %s ' "$RT@$d"; done)"
check "many: 8 requests per image, 1 for the missing tag" eq "$(proxy_count PX)" 49
sig verify "${MANY[@]/#/$RT@}" --key "$K1P"
expect "many: all six verify" 0 && check "many: ... six results" eq "$(grep -c . <<<"$OUT")" 6
sig sign "${MANY[@]/#/$RT@}" --key "$K1" --max-workers 1
expect "many: signing them again with one worker: nothing added" 0 &&
  check "many: ... six times 'already signed'" eq "$(grep -c 'is already signed with this key' <<<"$ERR")" 6
sig sign "$RT@${MANY[0]}" --key "$K1" --max-workers 0
expect "many: --max-workers 0 is a usage error" 2
D11=$(new_image app/rt)
sig sign "$RT@$D11" "$RT@$D11" "$RT@$D11" --key "$K1"
expect "many: one image named three times is signed once" 0 &&
  check "many: ... one 'Signed' line, one layer" eq \
    "$(grep -c "Signed $RT@$D11" <<<"$ERR") $(manifest_field app/rt "$(sig_tag "$D11")" 'len(d["layers"])')" "1 1"

section "A. --upload=false"
D8=$(new_image app/rt)
proxy_reset_log PX
sig sign "$RT@$D8" --key "$K1" --upload=false --output-signature "$W/d8.sig" --output-payload "$W/d8.payload"
expect "rt: --upload=false" 0 "(not uploaded)"
check "rt: --upload=false wrote nothing to the registry" eq "$(proxy_count PX PUT) $(proxy_count PX POST) $(proxy_count PX PATCH)" "0 0 0"
check "rt: the payload file is cosign's simple-signing payload" eq "$(cat "$W/d8.payload")" "$(payload "$RT" "$D8")"
base64 -d "$W/d8.sig" >"$W/d8.sig.der" 2>/dev/null
check "rt: the signature verifies over the payload file (openssl)" \
  openssl dgst -sha256 -verify "$K1P" -signature "$W/d8.sig.der" "$W/d8.payload"
sig verify "$RT@$D8" --key "$K1P"
expect "rt: nothing was uploaded (10)" 10
sig sign "$RT@$D8" --key "$K1" --upload=false
expect "rt: --upload=false without output files is a usage error" 2 "writes nothing"

section "A. the key is decrypted while the registry work runs"
# With the password in the environment, scrypt runs on another thread while sign uploads the
# payload. A wrong password still fails as the key's error (30) and writes no tag or manifest;
# so does a key error while the registry is unreachable.
D9=$(new_image app/rt)
proxy_reset_log PX
SIGIL_PASSWORD=wrong sig sign "$RT@$D9" --key "$K1"
expect "overlap: wrong password: exit 30, the key's error" 30 "wrong password or corrupt key"
check "overlap: ... no manifest PUT, no .sig tag" eq \
  "$(proxy_count PX PUT /manifests/) $(curl -s -o /dev/null -w '%{http_code}' "$REG_URL/v2/app/rt/manifests/$(sig_tag "$D9")")" "0 404"
SIGIL_PASSWORD=wrong sig sign "127.0.0.1:1/app/rt@$D9" --key "$K1" --max-attempts 1
expect "overlap: wrong password and no registry: still the key's error" 30 "wrong password or corrupt key"
sig sign "127.0.0.1:1/app/rt@$D9" --key "$K1" --max-attempts 1
expect "overlap: right password, no registry: the registry's error" 20
sig sign "$RT@$D9" --key "$K1"
expect "overlap: then signing works" 0 "Signed $RT@$D9"
D10=$(new_image app/rt)
proxy_reset_log PX
sig sign "$RT@$D10" --key "$K1"
expect "overlap: sign a fresh image" 0 "Signed $RT@$D10" &&
  check "overlap: 8 requests, the payload blob's upload first (it runs during scrypt)" eq \
    "$(proxy_count PX) $(head -n1 "$(_registry_var PX REQUESTS)" | "$PY" -c 'import json,sys; e=json.load(sys.stdin); print(e["method"], e["target"].split("?")[0])')" \
    "8 POST /v2/app/rt/blobs/uploads/"

section "A. cosign's spellings"
# cosign's flags, accepted with cosign's meaning (README: "Coming from cosign").
run push_test_image "$REG_HOST" app/cosign v1
expect "cosign: push a test image" 0 || { finish; exit; }
CO=$REG_HOST/app/cosign@$OUT
sig sign "$CO" --key "$K1" --tlog-upload=false -y
expect "cosign: sign --tlog-upload=false -y with a key signs, saying once that it changes nothing" 0 \
  "sigil: note: --tlog-upload=false changes nothing: sigil does not upload signatures made with --key to a transparency log" &&
  check "cosign: ... the note is printed once" eq "$(grep -c 'tlog-upload' <<<"$ERR")" 1
sig sign "$CO" --tlog-upload=false -y --identity-token "header.payload.signature"
expect "cosign: keyless sign --tlog-upload=false is refused before anything is done" 2 \
  "sigil: error: --tlog-upload=false: keyless signatures are always logged in Rekor (the certificate is valid for minutes, and the log entry proves the signature was made while it was); drop the flag, or sign with --key"
echo '{"builder":"cosign-user"}' >"$W/predicate.json"
sig attest "$CO" --key "$K1" --predicate "$W/predicate.json" --type custom -y --tlog-upload=false
expect "cosign: attest -y --tlog-upload=false" 0 "--tlog-upload=false changes nothing"
sig verify "$CO" --key "$K1P" --insecure-ignore-tlog --output-file "$W/verify.json"
expect "cosign: verify --insecure-ignore-tlog --output-file" 0 &&
  check "cosign: ... stdout went to the --output-file, nothing to stdout" eq \
    "$(jfile "$W/verify.json" 'd[0]["critical"]["image"]["docker-manifest-digest"]')|$OUT" "${CO#*@}|"
sig verify-attestation "$CO" --key "$K1P" --type custom --insecure-ignore-tlog --output-file "$W/att.json"
expect "cosign: verify-attestation --insecure-ignore-tlog --output-file" 0 &&
  check "cosign: ... the attestation went to the file" eq "$(grep -c cosign-user "$W/att.json")|$OUT" "1|"
sig verify "$CO" --key "$K1P" --output-file "$W/no-such-dir/out.json"
expect "cosign: --output-file that cannot be written: exit 30, named" 30 \
  "sigil: error: cannot write --output-file $W/no-such-dir/out.json: No such file or directory"

section "A. token registry"
start_registry TOK token || failed "start token registry"
run push_test_image "$TOK_HOST" private/app v1
expect "rt: push to a private repository (alice)" 0
TD=$OUT
TCREDS=(--registry-username "$TOK_USER" --registry-password "$TOK_PASSWORD")
sig sign "$TOK_HOST/private/app@$TD" --key "$K1" "${TCREDS[@]}"
expect "rt: token: alice signs" 0
sig verify "$TOK_HOST/private/app@$TD" --key "$K1P" "${TCREDS[@]}"
expect "rt: token: alice verifies" 0

# =============================================================================================
section "N. negative suite"
NEG=$PX_HOST/app/neg
# nv DIGEST [verify options]: verify $NEG@DIGEST with --explain.
nv() { sig verify "$NEG@$1" --explain "${@:2}"; }
# rej DIGEST [LAYER]: the --explain prefix of a rejected .sig layer.
rej() { echo "  rejected $(sig_tag "$1") layer ${2:-1}: "; }
# layer_json FILE KEY_PEM: a .sig layer with FILE as payload, signed with KEY_PEM.
signed_layer() { echo "{\"payload_file\":\"$1\",\"sign\":\"$2\"}"; }
# fresh_signed: a new image X in app/neg, its payload XP (file) and signature XS signed by
# sigil with K1 (--upload=false: nothing in the registry yet).
fresh_signed() {
  X=$(new_image app/neg)
  XP=$W/x-$X.payload
  run timeout 60 "$SIGIL" sign "$NEG@$X" --key "$K1" --upload=false --output-signature "$W/x.sig" --output-payload "$XP"
  XS=$(cat "$W/x.sig")
}
b64_edit() { "$PY" -c '
import base64, sys
raw = bytearray(base64.b64decode(sys.argv[1]))
if sys.argv[2] == "flip":
    raw[len(raw) // 2] ^= 0x01
else:
    raw = raw[: len(raw) // 2]
print(base64.b64encode(bytes(raw)).decode())' "$1" "$2"; }

fresh_signed
put_sig app/neg "$X" "{\"payload_file\":\"$XP\",\"sig\":\"$XS\"}"
nv "$X" --key "$K1P"
expect "neg: control: sigil's payload and signature, written by craft.py, verify" 0 "  accepted $(sig_tag "$X") layer 1"
CONTROL=$X

# §3.2 digest binding
A=$(new_image app/neg)
B=$(new_image app/neg)
sig sign "$NEG@$A" --key "$K1"
craft get-manifest app/neg "$(sig_tag "$A")" >"$W/moved.json"
craft put-manifest app/neg "$(sig_tag "$B")" "$W/moved.json" application/vnd.oci.image.manifest.v1+json >/dev/null
nv "$B" --key "$K1P"
expect "neg: signature moved to another image's .sig tag (same manifest bytes)" 12 \
  "$(rej "$B")payload digest $A does not match image $B: the signature is for another image"
Y=$(new_image app/neg)
put_sig app/neg "$Y" "$(signed_layer "$(pfile n02 "$(payload "$NEG" "$A")")" "$CK")"
nv "$Y" --key "$CKP"
expect "neg: payload names another image's digest (signed by the trusted key)" 12 \
  "$(rej "$Y")payload digest $A does not match image $Y"

# §3.1 exact bytes
fresh_signed
put_sig app/neg "$X" "{\"payload_file\":\"$(pfile n03 "$(sed 's#app/neg#app/nex#' "$XP")")\",\"sig\":\"$XS\"}"
nv "$X" --key "$K1P"
expect "neg: tampered payload byte (blob + manifest re-pointed, original signature)" 12 \
  "$(rej "$X")signature does not verify with the trusted key"
fresh_signed
"$PY" -c 'import json,sys; open(sys.argv[2],"w").write(json.dumps(json.load(open(sys.argv[1])), indent=2))' "$XP" "$W/n04"
put_sig app/neg "$X" "{\"payload_file\":\"$W/n04\",\"sig\":\"$XS\"}"
nv "$X" --key "$K1P"
expect "neg: same JSON re-serialised (indented): the signature is over bytes, not the document" 12 \
  "$(rej "$X")signature does not verify with the trusted key"
fresh_signed
put_sig app/neg "$X" "{\"payload_file\":\"$XP\",\"sig\":\"$(b64_edit "$XS" flip)\"}"
nv "$X" --key "$K1P"
expect "neg: tampered signature (one bit flipped)" 12 "$(rej "$X")signature does not verify with the trusted key"
fresh_signed
put_sig app/neg "$X" "{\"payload_file\":\"$XP\",\"sig\":\"$(b64_edit "$XS" half)\"}"
nv "$X" --key "$K1P"
expect "neg: truncated signature (first half of the DER)" 12 "$(rej "$X")signature does not verify with the trusted key"
Y=$(new_image app/neg)
put_sig app/neg "$Y" "$(signed_layer "$(pfile n07 "$(payload "$NEG" "$Y")")" "$EVIL")"
nv "$Y" --key "$CKP"
expect "neg: signature by an untrusted key" 12 "$(rej "$Y")signature does not verify with the trusted key"

# -a annotations
Y=$(new_image app/neg)
sig sign "$NEG@$Y" --key "$K1" -a env=prod
nv "$Y" --key "$K1P" -a env=dev
expect "neg: annotation mismatch (-a env=dev, signed env=prod)" 12 "$(rej "$Y")annotation env: want \"dev\", signed value is \"prod\""
nv "$CONTROL" --key "$K1P" -a env=prod
expect "neg: annotation missing from the payload" 12 "$(rej "$CONTROL")annotation env: not in the signed payload (want \"prod\")"
Y=$(new_image app/neg)
put_sig app/neg "$Y" "$(signed_layer "$(pfile n10 "$(payload "$NEG" "$Y" '{"n":1}')")" "$CK")"
nv "$Y" --key "$CKP" -a n=1
expect "neg: annotation signed as a number does not match -a n=1 (strings only, like cosign)" 12 \
  "$(rej "$Y")annotation n: want \"1\", signed value is 1"

# The signature annotation
Y=$(new_image app/neg)
put_sig app/neg "$Y" "$(signed_layer "$(pfile n11 "$(payload "$NEG" "$Y")")" "$CK")"
craft get-manifest app/neg "$(sig_tag "$Y")" |
  "$PY" -c 'import json,sys; m=json.load(sys.stdin); m["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"]=123; sys.stdout.write(json.dumps(m))' >"$W/n11.json"
proxy_plan PX "$(plan_body GET "/manifests/$(sig_tag "$Y")" wrong_manifest "$W/n11.json")"
nv "$Y" --key "$CKP"
expect "neg: signature annotation is a number (served by the proxy: the registry refuses it)" 12 \
  "$(rej "$Y")the signature annotation is not a string"
proxy_clear_plan PX
nv "$Y" --key "$CKP"
expect "neg: control: the same manifest with a string annotation verifies" 0
Y=$(new_image app/neg)
put_sig app/neg "$Y" "{\"payload_file\":\"$(pfile n12 "$(payload "$NEG" "$Y")")\",\"sig\":\"!!!not base64***\"}"
nv "$Y" --key "$CKP"
expect "neg: base64 garbage in the signature annotation" 12 "$(rej "$Y")the signature annotation is not base64"
Y=$(new_image app/neg)
put_sig app/neg "$Y" "{\"payload_file\":\"$(pfile n13 "$(payload "$NEG" "$Y")")\",\"sig\":\"\"}"
nv "$Y" --key "$CKP"
expect "neg: empty signature annotation" 12 "$(rej "$Y")no signature annotation"
Y=$(new_image app/neg)
put_sig app/neg "$Y" "{\"payload_file\":\"$(pfile n14 "$(payload "$NEG" "$Y")")\"}"
nv "$Y" --key "$CKP"
expect "neg: no signature annotation at all" 12 "$(rej "$Y")no signature annotation"

# Payload parsing (after the signature verified)
Y=$(new_image app/neg)
put_sig app/neg "$Y" "$(signed_layer "$(pfile n15 "this is not JSON, but it is signed")" "$CK")"
nv "$Y" --key "$CKP"
expect "neg: payload is not JSON (signature verifies, parse fails)" 12 "$(rej "$Y")payload is not valid JSON"
Y=$(new_image app/neg)
put_sig app/neg "$Y" "$(signed_layer "$(pfile n16 "not JSON and not signed by a trusted key")" "$EVIL")"
nv "$Y" --key "$CKP"
expect "neg: unsigned non-JSON payload: the signature is checked before parsing" 12 \
  "$(rej "$Y")signature does not verify with the trusted key"
Y=$(new_image app/neg)
dup=$(payload "$NEG" "$Y" | sed "s#\"docker-manifest-digest\":\"$Y\"#\"docker-manifest-digest\":\"$A\",\"docker-manifest-digest\":\"$Y\"#")
put_sig app/neg "$Y" "$(signed_layer "$(pfile n17 "$dup")" "$CK")"
nv "$Y" --key "$CKP"
expect "neg: duplicate docker-manifest-digest (another image first, ours last): refused" 12 \
  "$(rej "$Y")payload is not valid JSON: invalid JSON: duplicate key \"docker-manifest-digest\""
Y=$(new_image app/neg)
ours=$(payload "$NEG" "$Y")
theirs=$(payload "$NEG" "$A")
dup="{\"critical\":${ours#\{\"critical\":}"
dup="${dup%,\"optional\":null\}},\"critical\":${theirs#\{\"critical\":}"
put_sig app/neg "$Y" "$(signed_layer "$(pfile n18 "$dup")" "$CK")"
nv "$Y" --key "$CKP"
expect "neg: duplicate \"critical\" object (ours first, another image last): refused" 12 \
  "$(rej "$Y")payload is not valid JSON: invalid JSON: duplicate key \"critical\""
Y=$(new_image app/neg)
put_sig app/neg "$Y" "$(signed_layer "$(pfile n19 "$(payload "$NEG" "$Y" '"sneaky"')")" "$CK")"
nv "$Y" --key "$CKP"
expect "neg: payload \"optional\" neither null nor an object" 12 "$(rej "$Y")payload field \"optional\" is neither null nor an object"

# §3.3 blobs and manifests are hashed; layer descriptors
Y=$(new_image app/neg)
f=$(pfile n20 "$(payload "$NEG" "$Y")")
put_sig app/neg "$Y" "$(signed_layer "$f" "$CK")"
sed 's#app/neg#app/nex#' "$f" >"$W/n20.other"
proxy_plan PX "$(plan_body GET "/blobs/sha256:$(sha256sum "$f" | cut -d' ' -f1)" wrong_manifest "$W/n20.other")"
nv "$Y" --key "$CKP"
expect "neg: payload blob bytes do not match the layer digest (same size, served by the proxy)" 12 \
  "$(rej "$Y")blob sha256:$(sha256sum "$f" | cut -d' ' -f1) in $NEG does not match its digest (the bytes hash to sha256:$(sha256sum "$W/n20.other" | cut -d' ' -f1))"
proxy_clear_plan PX
Y=$(new_image app/neg)
f=$(pfile n21 "$(payload "$NEG" "$Y")")
size=$(stat -c %s "$f")
put_sig app/neg "$Y" "{\"payload_file\":\"$f\",\"sign\":\"$CK\",\"size\":$((size + 100))}"
nv "$Y" --key "$CKP"
expect "neg: layer descriptor overstates the blob size" 12 "$(rej "$Y")blob sha256:$(sha256sum "$f" | cut -d' ' -f1) in $NEG has $size bytes, its descriptor says $((size + 100))"
Y=$(new_image app/neg)
f=$(pfile n22 "$(payload "$NEG" "$Y")")
put_sig app/neg "$Y" "{\"payload_file\":\"$f\",\"sign\":\"$CK\",\"size\":10}" "$(signed_layer "$f" "$CK")"
nv "$Y" --key "$CKP"
expect "neg: layer descriptor understates the blob size: that layer rejected, the valid one still verifies" 0 \
  "$(rej "$Y" 1)"
Y=$(new_image app/neg)
put_sig app/neg "$Y" "{\"payload_file\":\"$(pfile n23 "$(payload "$NEG" "$Y")")\",\"sign\":\"$CK\",\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\"}"
nv "$Y" --key "$CKP"
expect "neg: layer media type is not simple-signing (payload and signature otherwise valid)" 12 \
  "$(rej "$Y")media type application/vnd.oci.image.layer.v1.tar is not a simple-signing signature"
Y=$(new_image app/neg)
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1}]}' "$Y" >"$W/n24.json"
craft put-manifest app/neg "$(sig_tag "$Y")" "$W/n24.json" application/vnd.oci.image.index.v1+json >/dev/null
nv "$Y" --key "$CKP"
expect "neg: .sig tag points to an index" 12 "  rejected $(sig_tag "$Y"): the signature tag points to an index, not a signature manifest"

# §3.5 hostile registries are bounded
Y=$(new_image app/neg)
put_sig app/neg "$Y" "{\"payload\":\"x\",\"count\":100}" "$(signed_layer "$(pfile n25 "$(payload "$NEG" "$Y")")" "$CK")"
proxy_reset_log PX
nv "$Y" --key "$CKP"
expect "neg: 101 signatures: refused, limit named" 12 "  rejected $(sig_tag "$Y"): 101 signatures, more than the limit of 100 (--max-signatures)" &&
  check "neg: 101 signatures ... no blob fetched" eq "$(proxy_count PX GET /blobs/)" 0
nv "$Y" --key "$CKP" --max-signatures 200
expect "neg: --max-signatures 200 considers all 101" 0 "  accepted $(sig_tag "$Y") layer 101" &&
  check "neg: 101 signatures ... 101 reported" eq "$(explained)" 101
Y=$(new_image app/neg)
put_sig app/neg "$Y" "{\"payload_file\":\"$(pfile n26 "$(payload "$NEG" "$Y")")\",\"sign\":\"$CK\",\"count\":1001}"
nv "$Y" --key "$CKP"
expect "neg: 1001 layers: manifest refused" 12 "  rejected $(sig_tag "$Y"): invalid signature manifest: invalid manifest: 1001 layers entries (more than the limit of 1000)"
nv "$Y" --key "$CKP" --max-signatures 5000
expect "neg: 1001 layers ... also with --max-signatures 5000 (the manifest bound is fixed)" 12 "more than the limit of 1000"
Y=$(new_image app/neg)
payload "$NEG" "$Y" | "$PY" -c 'import sys; p=sys.stdin.read(); sys.stdout.write(p[:-1] + " " * (2 << 20) + "}")' >"$W/n27"
put_sig app/neg "$Y" "$(signed_layer "$W/n27" "$CK")"
size=$(stat -c %s "$W/n27")
proxy_reset_log PX
nv "$Y" --key "$CKP"
expect "neg: 2 MiB payload blob: over the 1 MiB limit" 12 "$(rej "$Y")payload blob is $size bytes, over the limit of 1048576" &&
  check "neg: 2 MiB payload blob ... and never fetched (no blob GET in the proxy log)" eq "$(proxy_count PX GET "/blobs/sha256:$(sha256sum "$W/n27" | cut -d' ' -f1)")" 0
nv "$Y" --key "$CKP" --max-payload-size $((3 << 20))
expect "neg: --max-payload-size 3 MiB reads and verifies it" 0 "  accepted $(sig_tag "$Y") layer 1"
proxy_plan PX "[{\"method\":\"GET\",\"path\":\"/manifests/$(sig_tag "$Y")\",\"fault\":\"oversize\",\"size\":5242880}]"
nv "$Y" --key "$CKP" --max-payload-size $((3 << 20))
expect "neg: .sig manifest over 4 MiB: refused (exit 20)" 20 "response larger than the limit of 4194304 bytes"
proxy_clear_plan PX

# Registry answers
E=$(new_image app/neg)
sig sign "$NEG@$E" --key "$K1" --format bundle
REFE=$(manifest_field app/neg "$(reftag "$E")" 'd["manifests"][0]["digest"]')
proxy_plan PX "[{\"method\":\"GET\",\"path\":\"/manifests/$REFE\",\"fault\":\"wrong_manifest\"}]"
nv "$E" --key "$K1P"
expect "neg: referrer manifest bytes do not match the digest they were fetched by: exit 20, clear message" 20 \
  "manifest $NEG@$REFE from the registry does not match its digest"
proxy_clear_plan PX
nv "$E" --key "$K1P"
expect "neg: control: without the fault it verifies" 0 "accepted referrer $REFE"
nv "$NOPE" --key "$K1P"
expect "neg: image not found (11)" 11 "not found"
sig verify "$NEG:no-such-tag" --key "$K1P"
expect "neg: tag not found (11)" 11 "not found"
proxy_plan PX "[{\"method\":\"GET\",\"path\":\"/manifests/$(sig_tag "$CONTROL")\",\"fault\":\"status\",\"status\":500}]"
nv "$CONTROL" --key "$K1P"
expect "neg: registry 500 on the signature manifest: exit 20, not 10" 20 "500 internal server error"
proxy_clear_plan PX
nv "$(new_image app/neg)" --key "$K1P"
expect "neg: unsigned image (10)" 10 "no signatures found for $NEG@"
nv "$B" --key "$K1P" --check-claims=false
expect "neg: --check-claims=false accepts the moved signature (above) (documented: signature only)" 0 &&
  check "neg: --check-claims=false ... and prints a payload naming the other image" eq "$(jout 'd[0]["critical"]["image"]["docker-manifest-digest"]')" "$A"
Y=$(new_image app/neg)
put_sig app/neg "$Y" "$(signed_layer "$(pfile n35 "$(payload "registry.example/other/repo" "$Y")")" "$CK")"
nv "$Y" --key "$CKP"
expect "neg: docker-reference is ignored by default (like cosign)" 0
nv "$Y" --key "$CKP" --check-docker-reference
expect "neg: --check-docker-reference rejects a payload naming another repository" 12 \
  "$(rej "$Y")docker-reference \"registry.example/other/repo\" does not name repository"
nv "$A" --key "$K1P" --check-docker-reference
expect "neg: control: --check-docker-reference accepts sigil's own signature" 0

# Bundles (referrers fallback tag on distribution 2.8)
stmt() { printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"%s"}}],"predicateType":"%s","predicate":{}}' "${1#sha256:}" "$2"; }
# put_bundle DIGEST STATEMENT EXTRA_SPEC_JSON: crafted bundle signed with CK; prints the referrer digest.
put_bundle() {
  craft bundle app/neg "$1" "$("$PY" -c 'import json,sys; s={"statement_text":sys.argv[1],"sign":sys.argv[2]}; s.update(json.loads(sys.argv[3])); print(json.dumps(s))' "$2" "$CK" "${3:-{\}}")"
}
Y=$(new_image app/neg)
R=$(put_bundle "$Y" "$(stmt "$Y" https://sigstore.dev/cosign/sign/v1)")
nv "$Y" --key "$CKP"
expect "neg: control: a crafted bundle referrer verifies" 0 "  accepted referrer $R: verified with key $CKP"
F=$(new_image app/neg)
R=$(craft bundle app/neg "$F" "{\"bundle_from\":\"$REFE\"}")
nv "$F" --key "$K1P"
expect "neg: bundle referrer (subject F) whose signed statement is about another digest" 12 \
  "  rejected referrer $R: no subject of the statement has digest $F: it is about another artifact"
Y=$(new_image app/neg)
R=$(put_bundle "$Y" "$(stmt "$Y" https://sigstore.dev/cosign/sign/v1)" '{"tamper_payload":true}')
nv "$Y" --key "$CKP"
expect "neg: bundle with a tampered DSSE payload" 12 "  rejected referrer $R: no DSSE signature (1) verifies with the trusted key"
Y=$(new_image app/neg)
R=$(put_bundle "$Y" "$(stmt "$Y" https://slsa.dev/provenance/v1)")
nv "$Y" --key "$CKP"
expect "neg: valid SLSA attestation bundle whose (unsigned) annotation claims a signature: not counted" 12 \
  "  rejected referrer $R: predicate type https://slsa.dev/provenance/v1 (signed), not https://sigstore.dev/cosign/sign/v1"
Y=$(new_image app/neg)
put_bundle "$Y" "$(stmt "$Y" https://slsa.dev/provenance/v1)" '{"predicate_annotation":"https://slsa.dev/provenance/v1"}' >/dev/null
nv "$Y" --key "$CKP"
expect "neg: image with only a valid SLSA attestation bundle: no signatures (10)" 10 "no signatures found"

# Auth and retries
sig verify "$TOK_HOST/private/app@$TD" --key "$K1P" --explain
expect "neg: registry 401 (token registry, private repository, no credentials): exit 21" 21 "401 unauthorized"
Y=$(new_image app/neg)
put_sig app/neg "$Y" "$(signed_layer "$(pfile n41 "$(payload "$NEG" "$Y")")" "$CK")"
proxy_plan PX '[{"method":"GET","path":"/blobs/","fault":"status","status":503}]'
proxy_reset_log PX
t0=$(now_ms)
nv "$Y" --key "$CKP"
took=$(($(now_ms) - t0))
expect "neg: blob GET fails (503) after retries: exit 20" 20 "503 service unavailable" &&
  check "neg: blob GET 503 ... 5 attempts (default --max-attempts), bounded in time (${took} ms < 20 s)" eq \
    "$(proxy_count PX GET /blobs/) $((took < 20000))" "5 1"
proxy_reset_log PX
nv "$Y" --key "$CKP" --max-attempts 2
expect "neg: --max-attempts 2" 20 "503 service unavailable" && check "neg: blob GET 503 ... 2 attempts" eq "$(proxy_count PX GET /blobs/)" 2
proxy_clear_plan PX
Y=$(new_image app/neg)
for k in "$K1" "$K2" "$K3"; do
  sig sign "$NEG@$Y" --key "$k" --format bundle
done
nv "$Y" --key "$K1P" --key "$K2P" --key "$K3P" --max-signatures 2
expect "neg: three valid bundles, --max-signatures 2: the third is not considered" 0 \
  "more than 2 bundles; the rest were not considered (--max-signatures)" &&
  check "neg: --max-signatures 2 ... two accepted" eq "$(grep -c '^  accepted referrer ' <<<"$ERR")" 2

# §3.7 every signature considered is reported
Y=$(new_image app/neg)
f=$(pfile n43 "$(payload "$NEG" "$Y")")
put_sig app/neg "$Y" "$(signed_layer "$f" "$CK")" "$(signed_layer "$f" "$EVIL")" \
  "{\"payload_file\":\"$f\",\"sig\":\"@@\"}"
nv "$Y" --key "$CKP"
expect "neg: three layers (good, untrusted key, garbage): verified, every one reported" 0 "$(rej "$Y" 2)signature does not verify" &&
  check "neg: three layers ... accepted 1, rejected 2 and 3 with reasons" eq \
    "$(grep -c "^  accepted $(sig_tag "$Y") layer 1: verified with key $CKP" <<<"$ERR") $(grep -c "$(rej "$Y" 3)the signature annotation is not base64" <<<"$ERR") $(explained)" "1 1 3"
sig verify "$NEG@$Y" --key "$CKP"
expect "neg: without --explain a success prints no per-signature lines" 0 && check "neg: three layers ... none" eq "$(explained)" 0

section "done"
echo "# total $(elapsed_ms) ms"
finish
