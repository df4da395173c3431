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
#     question; "n" deletes nothing, "y" deletes what was listed.
#  S. D's .sig tag is made byte for byte E's .sig manifest (same digest): clean D --type
#     signature skips it ("layer 1: it signs E, not this image"); E still verifies.
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
LISTED=$(printf 'Would delete %s\nWould delete %s\nDelete these 2 object(s), the referrer of %s? [y/N] ' \
  "$IMG@$G_REF" "$IMG:$(reftag "$G")" "$IMG@$G")
on_tty n clean "$IMG@$G" --type referrer
expect_fail "T: answering n fails"
check "T: n: the list, then the question, then the refusal" eq "$TTY" \
  "${LISTED}sigil: error: not confirmed; nothing deleted"
check "T: n deleted nothing" eq "$(status "$REPO" "$G_REF")" 200
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

finish
