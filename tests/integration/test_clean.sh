#!/usr/bin/env bash
# sigil clean deletes only what is the image's, against a real registry (Debian
# docker-registry 2.8, deletes enabled; it has no referrers API, so the referrers fallback
# index at tag sha256-<hex> is what sigil reads).
# Usage: test_clean.sh PATH_TO_SIGIL
#
#  O. ownership: images A and B signed with --format bundle. Someone who can push a tag (not
#     delete) rewrites A's fallback index to also list B's referrer; `sigil clean A --type
#     referrer -f` deletes A's referrer, skips B's (one "skipped ...: its subject is B, not this
#     image" line) and keeps A's index (it lists B's referrer); B's referrer is still there and
#     B still verifies.
#  C. copy: C's fallback tag is made byte for byte B's index (same digest, so a delete by digest
#     would take B's tag too): clean C skips it, B still verifies.
#  F. an image's own referrers and index go, each listed as deleted.
#  T. on a terminal (script(1)), without -f: the list of what would be deleted comes before the
#     question (naming what --type deletes); "n" deletes nothing and exits 0 ("Not confirmed:
#     nothing deleted"), "y" deletes what was listed.
#  S. D's .sig tag is made byte for byte E's .sig manifest (same digest): clean D --type
#     signature skips it ("layer 1: it signs E, not this image"); E still verifies.
#  V. V's .sig (or .att) tag is pointed at one of W's own manifests, by someone who can push a
#     tag: W's image manifest (.sig and .att), W's fallback index, W's bundle referrer, and a
#     .sig whose one simple-signing layer is unreadable (its size is wrong). clean V skips each
#     with one "skipped ...: <why>" line and deletes nothing; W's manifest still answers 200 and
#     W still verifies. A genuine .sig and .att of X are still deleted.
#  R. an index signed with `sign --recursive --format both` (a .sig, a bundle referrer and a
#     fallback index for the index and each of its 2 platform manifests) and one platform
#     attested: clean without --recursive deletes the index's own 3 and says the 2 platform
#     manifests' attachments are kept; on a terminal, clean --recursive lists everything in one
#     list and one question naming the platform manifests, and "n" deletes nothing; clean
#     --recursive -f deletes all 10 (the index's, re-signed, and 7 of the platforms'), nothing
#     skipped, and the platform manifests no longer verify.
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"

require_tools "$REGISTRY_BIN" "$REGISTRY_SKOPEO" openssl curl "$PY"
require_python_module cryptography python3-cryptography
skip_suite_if_missing "clean tests"

isolate_home COSIGN_PASSWORD NO_COLOR
export SIGIL_PASSWORD=clean-test-password
W=$TEST_TMP/w
mkdir -p "$W"

sig() { run timeout 60 "$SIGIL" "$@"; }
CRAFT=$REGISTRY_TOOLS_DIR/craft_sign_verify.py
craft() { "$PY" "$CRAFT" "$REG_URL" "$@"; }
reftag() { echo "sha256-${1#sha256:}"; }
ACCEPT='application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json'
# status REPO REF: the registry's HTTP status for GET manifests/REF.
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Accept: $ACCEPT" "$REG_URL/v2/$1/manifests/$2"; }
# has_line NAME LINE: the last run's stderr has LINE as a whole line.
has_line() {
  if grep -qxF -- "$2" <<<"$ERR"; then pass "$1"; else failed "$1 (stderr lacks the line: $2)"; fi
}
# first_referrer REPO DIGEST: the first manifest DIGEST's fallback index lists.
first_referrer() { craft get-manifest "$1" "$(reftag "$2")" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["manifests"][0]["digest"])'; }

section "setup: registry (deletes allowed), key, images A, B, C signed with --format bundle"
start_registry REG deletes || { failed "start registry"; finish; exit; }
H=$REG_HOST
REPO=app/clean
IMG=$H/$REPO
sig generate-key-pair --output-key-prefix "$W/k"
expect "setup: generate-key-pair" 0 || { finish; exit; }
if ! { new_image A "$REPO" a && new_image B "$REPO" b && new_image C "$REPO" c; }; then finish; exit; fi
for d in "$A" "$B" "$C"; do
  sig sign "$IMG@$d" --key "$W/k.key" --format bundle
  expect "setup: sign $d --format bundle" 0 || { finish; exit; }
done
A_REF=$(first_referrer "$REPO" "$A")
B_REF=$(first_referrer "$REPO" "$B")
C_REF=$(first_referrer "$REPO" "$C")

section "O. A's fallback index also lists B's referrer"
craft get-manifest "$REPO" "$(reftag "$A")" >"$W/a-index.json"
craft get-manifest "$REPO" "$(reftag "$B")" >"$W/b-index.json"
"$PY" -c 'import json,sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
a["manifests"] += b["manifests"]
open(sys.argv[3], "w").write(json.dumps(a, separators=(",", ":")))' "$W/a-index.json" "$W/b-index.json" "$W/a-evil.json"
craft put-manifest "$REPO" "$(reftag "$A")" "$W/a-evil.json" application/vnd.oci.image.index.v1+json >/dev/null ||
  failed "O: rewrite A's fallback index"

sig clean "$IMG@$A" --type referrer -f
expect "O: clean A --type referrer -f" 0
has_line "O: B's referrer is skipped, with its subject named" \
  "skipped $IMG@$B_REF: its subject is $B, not this image"
has_line "O: A's index is kept, and said why" \
  "skipped $IMG:$(reftag "$A"): it lists 1 manifest(s) that are not this image's"
has_line "O: A's referrer is deleted and listed" "Deleted $IMG@$A_REF"
check "O: exactly one Deleted line" eq "$(grep -c '^Deleted ' <<<"$ERR")" 1
check "O: B's referrer manifest still exists" eq "$(status "$REPO" "$B_REF")" 200
check "O: A's referrer manifest is gone" eq "$(status "$REPO" "$A_REF")" 404
sig verify --key "$W/k.pub" "$IMG@$B"
expect "O: B still verifies" 0
sig verify --key "$W/k.pub" "$IMG@$A"
expect "O: A's own signature is gone (only B's, still listed, is considered and rejected)" 12 \
  "1 considered, none verified"

section "C. C's fallback tag holds B's index, byte for byte"
craft put-manifest "$REPO" "$(reftag "$C")" "$W/b-index.json" application/vnd.oci.image.index.v1+json >/dev/null ||
  failed "C: copy B's index to C's fallback tag"
sig clean "$IMG@$C" --type all -f
expect "C: clean C --type all -f" 0
has_line "C: B's referrer is skipped" "skipped $IMG@$B_REF: its subject is $B, not this image"
has_line "C: the copied index is kept (a delete by digest would take B's tag)" \
  "skipped $IMG:$(reftag "$C"): it lists 1 manifest(s) that are not this image's"
check "C: B's fallback tag still exists" eq "$(status "$REPO" "$(reftag "$B")")" 200
check "C: C's own referrer is untouched (no longer listed)" eq "$(status "$REPO" "$C_REF")" 200
sig verify --key "$W/k.pub" "$IMG@$B"
expect "C: B still verifies" 0

section "F. B's own referrer and index go"
sig clean "$IMG@$B" --type referrer -f
expect "F: clean B --type referrer -f" 0
has_line "F: B's referrer is listed as deleted" "Deleted $IMG@$B_REF"
has_line "F: B's fallback index is listed as deleted" "Deleted $IMG:$(reftag "$B")"
check "F: nothing skipped" eq "$(grep -c '^skipped ' <<<"$ERR")" 0
check "F: B's referrer is gone" eq "$(status "$REPO" "$B_REF")" 404
sig verify --key "$W/k.pub" "$IMG@$B"
expect "F: B has no signature left" 10

section "T. on a terminal: the list, then the question"
new_image G "$REPO" g || { finish; exit; }
sig sign "$IMG@$G" --key "$W/k.key" --format bundle
expect "T: sign G --format bundle" 0 || { finish; exit; }
G_REF=$(first_referrer "$REPO" "$G")
# on_tty ANSWER ARGS...: runs sigil ARGS on a pseudo-terminal, typing ANSWER (typed ahead, so
# its echo comes first); TTY = what the terminal showed from the first "Would delete" on.
on_tty() {
  local answer=$1
  shift
  run timeout 60 env NO_COLOR=1 script -qec "$(printf '%q ' "$SIGIL" "$@")" /dev/null <<<"$answer"
  TTY=$(tr -d '\r' <<<"$OUT" | sed -n '/^Would delete/,$p')
}
WOULD=$(printf 'Would delete %s\nWould delete %s\n' "$IMG@$G_REF" "$IMG:$(reftag "$G")")
LISTED=$(printf '%s\nDelete these 2 object(s), the bundle referrers of %s? [y/N] ' "$WOULD" "$IMG@$G")
# Answering no is a choice, not an error: exit 0, and it says nothing was deleted.
on_tty n clean "$IMG@$G" --type referrer
expect "T: answering n exits 0" 0
check "T: n: the list, then the question, then 'nothing deleted'" eq "$TTY" \
  "${LISTED}Not confirmed: nothing deleted"
check "T: n deleted nothing" eq "$(status "$REPO" "$G_REF")" 200
on_tty n clean "$IMG@$G" --type all
expect "T: --type all, answering n exits 0" 0
check "T: --type all: the question names everything it deletes" eq "$TTY" \
  "$(printf '%s\nDelete these 2 object(s), all the signatures, attestations and bundle referrers of %s? [y/N] Not confirmed: nothing deleted' "$WOULD" "$IMG@$G")"
check "T: --type all, n deleted nothing" eq "$(status "$REPO" "$G_REF")" 200
on_tty y clean "$IMG@$G" --type referrer
expect "T: answering y succeeds" 0
check "T: y: the list, the question, then what was deleted" eq "$TTY" \
  "$(printf '%sDeleted %s\nDeleted %s' "$LISTED" "$IMG@$G_REF" "$IMG:$(reftag "$G")")"
check "T: G's referrer is gone" eq "$(status "$REPO" "$G_REF")" 404

section "S. D's .sig tag holds E's .sig manifest, byte for byte"
if ! { new_image D "$REPO" d && new_image E "$REPO" e; }; then finish; exit; fi
for d in "$D" "$E"; do
  sig sign "$IMG@$d" --key "$W/k.key"
  expect "S: sign $d (legacy .sig)" 0 || { finish; exit; }
done
craft get-manifest "$REPO" "$(sig_tag "$E")" >"$W/e-sig.json"
craft put-manifest "$REPO" "$(sig_tag "$D")" "$W/e-sig.json" application/vnd.oci.image.manifest.v1+json >/dev/null ||
  failed "S: copy E's .sig manifest to D's .sig tag"
sig clean "$IMG@$D" --type signature -f
expect "S: clean D --type signature -f" 0
has_line "S: the copied .sig manifest is skipped, the image it signs named" \
  "skipped $IMG:$(sig_tag "$D"): layer 1: it signs $E, not this image"
check "S: nothing deleted" eq "$(grep -c '^Deleted ' <<<"$ERR")" 0
check "S: E's .sig tag still exists" eq "$(status "$REPO" "$(sig_tag "$E")")" 200
sig verify --key "$W/k.pub" "$IMG@$E"
expect "S: E still verifies" 0

section "V. V's .sig / .att tag points at W's own manifests"
if ! { new_image V "$REPO" v && new_image WI "$REPO" w && new_image X "$REPO" x; }; then finish; exit; fi
sig sign "$IMG@$WI" --key "$W/k.key" --format both
expect "V: sign W --format both (a .sig and a bundle referrer with its fallback index)" 0 || { finish; exit; }
W_REF=$(first_referrer "$REPO" "$WI")
craft get-manifest "$REPO" "$WI" >"$W/w-image.json"
W_LAYER_MT=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["mediaType"])' "$W/w-image.json")
W_IMAGE_MT=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("mediaType") or "application/vnd.oci.image.manifest.v1+json")' "$W/w-image.json")
craft get-manifest "$REPO" "$(reftag "$WI")" >"$W/w-index.json"
craft get-manifest "$REPO" "$W_REF" >"$W/w-referrer.json"
# v_case NAME TAG FILE MEDIATYPE TYPE SKIPPED_WHY W_REF_TO_CHECK: V's TAG := FILE, then
# clean V --type TYPE -f skips it with SKIPPED_WHY, deletes nothing, and W's manifest at
# W_REF_TO_CHECK still answers 200 and W still verifies.
v_case() {
  local name=$1 tag=$2 file=$3 mt=$4 type=$5 why=$6 wref=$7
  craft put-manifest "$REPO" "$tag" "$file" "$mt" >/dev/null || failed "$name: put V's $tag"
  sig clean "$IMG@$V" --type "$type" -f
  expect "$name: clean V --type $type -f" 0
  has_line "$name: skipped, and said why" "skipped $IMG:$tag: $why"
  check "$name: nothing deleted" eq "$(grep -c '^Deleted ' <<<"$ERR")" 0
  check "$name: W's manifest $wref still exists" eq "$(status "$REPO" "$wref")" 200
  check "$name: W's image still exists" eq "$(status "$REPO" "$WI")" 200
  sig verify --key "$W/k.pub" "$IMG@$WI"
  expect "$name: W still verifies" 0
}
v_case "V1 .sig := W's image manifest" "$(sig_tag "$V")" "$W/w-image.json" "$W_IMAGE_MT" signature \
  "it is not a signature manifest: layer 1 is $W_LAYER_MT" "$WI"
v_case "V2 .att := W's image manifest" "$(att_tag "$V")" "$W/w-image.json" "$W_IMAGE_MT" attestation \
  "it is not an attestation manifest: layer 1 is $W_LAYER_MT" "$WI"
v_case "V3 .sig := W's fallback index" "$(sig_tag "$V")" "$W/w-index.json" application/vnd.oci.image.index.v1+json \
  signature "it is an index, not a manifest of this image's" "$(reftag "$WI")"
v_case "V4 .sig := W's bundle referrer" "$(sig_tag "$V")" "$W/w-referrer.json" application/vnd.oci.image.manifest.v1+json \
  signature "its subject is $WI, not this image" "$W_REF"
check "V4: W's fallback index still exists" eq "$(status "$REPO" "$(reftag "$WI")")" 200
check "V4: W's .sig still exists" eq "$(status "$REPO" "$(sig_tag "$WI")")" 200

# V5: a simple-signing layer naming V whose blob cannot be read as described (its size is
# wrong): nothing tells whose it is, so it is kept.
printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' \
  "$IMG" "$V" >"$W/v-payload.json"
craft sig "$REPO" "$(sig_tag "$V")" "{\"layers\":[{\"payload_file\":\"$W/v-payload.json\",\"size\":7}]}" >/dev/null ||
  failed "V5: craft V's .sig with a wrong layer size"
sig clean "$IMG@$V" --type signature -f
expect "V5: clean V --type signature -f" 0
check "V5: the unreadable .sig is skipped" eq "$(grep -c "^skipped $IMG:$(sig_tag "$V"): layer 1: unreadable (" <<<"$ERR")" 1
check "V5: nothing deleted" eq "$(grep -c '^Deleted ' <<<"$ERR")" 0
check "V5: V's .sig tag still exists" eq "$(status "$REPO" "$(sig_tag "$V")")" 200

printf '{"note":"clean test"}' >"$W/pred.json"
sig sign "$IMG@$X" --key "$W/k.key"
expect "V6: sign X (legacy .sig)" 0
sig attest "$IMG@$X" --key "$W/k.key" --type custom --predicate "$W/pred.json"
expect "V6: attest X (legacy .att)" 0
sig clean "$IMG@$X" --type all -f
expect "V6: clean X --type all -f" 0
has_line "V6: X's own .sig is deleted" "Deleted $IMG:$(sig_tag "$X")"
has_line "V6: X's own .att is deleted" "Deleted $IMG:$(att_tag "$X")"
check "V6: nothing skipped" eq "$(grep -c '^skipped ' <<<"$ERR")" 0
check "V6: X's .sig is gone" eq "$(status "$REPO" "$(sig_tag "$X")")" 404
check "V6: X's image is still there" eq "$(status "$REPO" "$X")" 200

section "R. --recursive on an index signed with sign --recursive"
new_image IX "$REPO" ix --index || { finish; exit; }
mapfile -t KIDS < <(craft get-manifest "$REPO" "$IX" | "$PY" -c 'import json,sys; [print(m["digest"]) for m in json.load(sys.stdin)["manifests"]]')
check "R: the index lists 2 platform manifests" eq "${#KIDS[@]}" 2
sig sign "$IMG@$IX" --key "$W/k.key" --recursive --format both
expect "R: sign --recursive --format both" 0 || { finish; exit; }
sig attest "$IMG@${KIDS[0]}" --key "$W/k.key" --type custom --predicate "$W/pred.json"
expect "R: attest the first platform manifest" 0
# objects DIGEST...: the names of each DIGEST's .sig, bundle referrer and fallback index.
objects() {
  local d
  for d in "$@"; do
    printf '%s\n' "$IMG:$(sig_tag "$d")" "$IMG@$(first_referrer "$REPO" "$d")" "$IMG:$(reftag "$d")"
  done
}
mapfile -t KID_OBJS < <(objects "${KIDS[@]}")
KID_OBJS+=("$IMG:$(att_tag "${KIDS[0]}")")
check "R: the platforms have 7 attachments" eq "${#KID_OBJS[@]}" 7
mapfile -t IX_OBJS < <(objects "$IX")

sig clean "$IMG@$IX" --type all -f
expect "R: clean the index without --recursive" 0
has_line "R: the platform manifests' attachments are kept, and said so" \
  "$IMG@$IX is an index: the attachments of its 2 platform manifest(s) are kept (add --recursive to delete them too)"
for o in "${IX_OBJS[@]}"; do has_line "R: the index's own $o is deleted" "Deleted $o"; done
check "R: exactly the index's 3 deleted" eq "$(grep -c '^Deleted ' <<<"$ERR")" 3
for o in "${KID_OBJS[@]}"; do
  check "R: $o is kept" eq "$(status "$REPO" "${o#"$IMG"[:@]}")" 200
done
for d in "${KIDS[@]}"; do
  sig verify --key "$W/k.pub" "$IMG@$d"
  expect "R: platform $d still verifies" 0
done

sig sign "$IMG@$IX" --key "$W/k.key" --format both
expect "R: re-sign the index alone" 0
mapfile -t IX_OBJS < <(objects "$IX")
on_tty n clean "$IMG@$IX" --type all --recursive
expect "R: --recursive on a terminal, answering n exits 0" 0
check "R: n: one list of all 10 objects" eq "$(grep '^Would delete ' <<<"$TTY" | sort)" \
  "$(printf 'Would delete %s\n' "${IX_OBJS[@]}" "${KID_OBJS[@]}" | sort)"
check "R: n: then one question, naming the platform manifests, and nothing deleted" eq "$(sed -n '11,$p' <<<"$TTY")" \
  "Delete these 10 object(s), all the signatures, attestations and bundle referrers of $IMG@$IX and its 2 platform manifest(s)? [y/N] Not confirmed: nothing deleted"
check "R: n deleted nothing" eq "$(status "$REPO" "$(sig_tag "${KIDS[1]}")")" 200

sig clean "$IMG@$IX" --type all --recursive -f
expect "R: clean --recursive -f" 0
for o in "${IX_OBJS[@]}" "${KID_OBJS[@]}"; do
  has_line "R: $o is deleted" "Deleted $o"
  check "R: $o is gone" eq "$(status "$REPO" "${o#"$IMG"[:@]}")" 404
done
check "R: exactly 10 deleted" eq "$(grep -c '^Deleted ' <<<"$ERR")" 10
check "R: nothing skipped" eq "$(grep -c '^skipped ' <<<"$ERR")" 0
for d in "${KIDS[@]}"; do
  sig verify --key "$W/k.pub" "$IMG@$d"
  expect "R: platform $d has no signature left" 10
done
check "R: the platform manifests themselves are still there" eq "$(status "$REPO" "${KIDS[1]}")" 200

finish
