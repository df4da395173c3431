#!/usr/bin/env bash
# Blob signing interop: sigil against real cosign 2.5 (Debian trixie build, fetched by
# scripts/lib/peers.sh), openssl, and sigstore-js (tests/tools/sigstore-js).
# Usage: test_blob_interop.sh PATH_TO_SIGIL
#
#  1. sigil generate-key-pair key -> cosign sign-blob (legacy bundle, new bundle, signature)
#     -> sigil verify-blob
#  2. cosign generate-key-pair key -> sigil sign-blob -> cosign verify-blob (new bundle, signature)
#  3. sigil signature -> openssl dgst -verify
#  4. openssl-signed with a plain PEM key imported by sigil import-key-pair -> sigil verify-blob
#  5. every fixture key (cosign, skopeo, independent implementations) loads and signs with sigil
#  6. sigil bundle -> sigstore-js (@sigstore/verify), tampered artifact rejected
#  7. every --algorithm (P-256, P-384, Ed25519, RSA-3072/4096) both ways with cosign
# Peer cases are skipped, loudly, when the peer cannot be fetched or installed.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

unset SIGIL_PASSWORD COSIGN_PASSWORD
# cosign must never reach for the public-good TUF root: keep its state inside the test dir and give
# verify-blob --new-bundle-format an empty trusted root (key-based verification needs none).
export TUF_ROOT=$TEST_TMP/tuf
EMPTY_TRUSTED_ROOT=$TEST_TMP/trusted-root.json
echo '{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}' >"$EMPTY_TRUSTED_ROOT"

COSIGN=""
PEERS_SKIP_REASON=""
# shellcheck source=../../scripts/lib/peers.sh
if source "$REPO_DIR/scripts/lib/peers.sh" && ensure_peers; then
  COSIGN=$PEERS_COSIGN
else
  PEERS_SKIP_REASON="cosign 2.5 could not be fetched (see 'peers:' messages above)"
  echo "NOTE: $PEERS_SKIP_REASON; cosign interop cases will be SKIPPED" >&2
fi
SJS_VERIFY=""
SJS_SKIP_REASON=""
# shellcheck source=../../scripts/lib/node-tools.sh
if source "$REPO_DIR/scripts/lib/node-tools.sh" && ensure_sigstore_js; then
  SJS_VERIFY=$SIGSTORE_JS_VERIFY
else
  SJS_SKIP_REASON="sigstore-js could not be installed (see 'node-tools:' messages above)"
  echo "NOTE: $SJS_SKIP_REASON; sigstore-js cases will be SKIPPED" >&2
fi

# Commands under test: bounded in time, never reading a terminal.
sigil_pw() { # PASSWORD ARGS...
  local pw=$1
  shift
  env SIGIL_PASSWORD="$pw" timeout 120 "$SIGIL" "$@" </dev/null
}
sigil_() { timeout 120 "$SIGIL" "$@" </dev/null; }
cosign_pw() { # PASSWORD ARGS...
  local pw=$1
  shift
  env COSIGN_PASSWORD="$pw" timeout 120 "$COSIGN" "$@" </dev/null
}
cosign_() { timeout 120 "$COSIGN" "$@" </dev/null; }

need_cosign() {
  [[ -n "$COSIGN" ]] && return 0
  skip "$1 ($PEERS_SKIP_REASON)"
  return 1
}
need_sjs() {
  [[ -n "$SJS_VERIFY" ]] && return 0
  skip "$1 ($SJS_SKIP_REASON)"
  return 1
}
# expect_file NAME PATH: the last command succeeded in writing a non-empty file.
expect_file() {
  if [[ ! -s "$2" ]]; then
    failed "$1 (missing or empty: $2)"
    return 1
  fi
  pass "$1"
}
# same_pubkey NAME A.pem B.pem: both PEM files hold the same public key (compared as DER).
same_pubkey() {
  local a b
  a=$(openssl pkey -pubin -in "$2" -outform DER 2>/dev/null | sha256sum)
  b=$(openssl pkey -pubin -in "$3" -outform DER 2>/dev/null | sha256sum)
  if [[ -z "$a" || "$a" != "$b" || "$a" == "$(printf '' | sha256sum)" ]]; then
    failed "$1 ($2 and $3 differ or do not parse)"
    return 1
  fi
  pass "$1"
}

W=$TEST_TMP/w
mkdir -p "$W"
ART=$W/artifact.bin
head -c 100000 /dev/urandom >"$ART"
printf 'release notes v1.2.3\n' >>"$ART"
TAMPERED=$W/tampered.bin
cp "$ART" "$TAMPERED"
printf 'x' >>"$TAMPERED"
PW1='sigil-pass word 1'
# An unrelated P-256 public key, for "wrong key" checks.
OTHER_PUB=$W/other.pub
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null | openssl pkey -pubout -out "$OTHER_PUB"
PW2='cosign-pass-2'

# ---------------------------------------------------------------------------------------------
# 1. sigil generate-key-pair -> cosign sign-blob -> sigil verify-blob
run sigil_pw "$PW1" generate-key-pair --output-key-prefix "$W/sk"
expect "1 sigil generate-key-pair" 0
expect_file "1 generate-key-pair wrote sk.key" "$W/sk.key"
expect_file "1 generate-key-pair wrote sk.pub" "$W/sk.pub"
if [[ -f "$W/sk.key" ]]; then
  mode=$(stat -c %a "$W/sk.key")
  if [[ "$mode" == 600 ]]; then pass "1 sk.key is mode 0600"; else failed "1 sk.key is mode 0600 (got $mode)"; fi
  if grep -q -- '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----' "$W/sk.key"; then
    pass "1 sk.key has the ENCRYPTED SIGSTORE PRIVATE KEY label"
  else
    failed "1 sk.key has the ENCRYPTED SIGSTORE PRIVATE KEY label"
  fi
fi

if need_cosign "1 cosign sign-blob with a sigil key"; then
  run cosign_pw "$PW1" sign-blob --key "$W/sk.key" --tlog-upload=false -y \
    --bundle "$W/c-legacy.json" --output-signature "$W/c.sig" "$ART"
  expect "1 cosign sign-blob (legacy bundle) with a sigil key" 0
  run cosign_pw "$PW1" sign-blob --key "$W/sk.key" --tlog-upload=false -y \
    --new-bundle-format --bundle "$W/c-new.json" "$ART"
  expect "1 cosign sign-blob --new-bundle-format with a sigil key" 0

  run sigil_ verify-blob "$ART" --key "$W/sk.pub" --bundle "$W/c-legacy.json"
  expect "1 sigil verify-blob: cosign legacy bundle" 0 "Verified OK"
  run sigil_ verify-blob "$ART" --key "$W/sk.pub" --bundle "$W/c-new.json"
  expect "1 sigil verify-blob: cosign new-format bundle" 0 "Verified OK"
  run sigil_ verify-blob "$ART" --key "$W/sk.pub" --signature "$W/c.sig"
  expect "1 sigil verify-blob: cosign --output-signature" 0 "Verified OK"

  run sigil_ verify-blob "$TAMPERED" --key "$W/sk.pub" --bundle "$W/c-legacy.json"
  expect "1 sigil verify-blob rejects tampered artifact (cosign legacy bundle)" 12
  run sigil_ verify-blob "$TAMPERED" --key "$W/sk.pub" --bundle "$W/c-new.json"
  expect "1 sigil verify-blob rejects tampered artifact (cosign new bundle)" 12
  run sigil_ verify-blob "$TAMPERED" --key "$W/sk.pub" --signature "$W/c.sig"
  expect "1 sigil verify-blob rejects tampered artifact (cosign signature)" 12

  # cosign's command lines, run by sigil: no output flag prints the base64 signature on stdout;
  # --signature takes the signature itself; --tlog-upload=false / --insecure-ignore-tlog accepted.
  run sigil_pw "$PW1" sign-blob --key "$W/sk.key" --tlog-upload=false -y "$ART"
  expect "1c sigil sign-blob as cosign is typed (--tlog-upload=false -y, no output flag)" 0 \
    "sigil: note: --tlog-upload=false changes nothing"
  SIGIL_STDOUT_SIG=$OUT
  run cosign_ verify-blob --key "$W/sk.pub" --insecure-ignore-tlog --signature "$SIGIL_STDOUT_SIG" "$ART"
  expect "1c cosign verify-blob --signature BASE64 accepts the signature sigil printed" 0 "Verified OK"
  run cosign_pw "$PW1" sign-blob --key "$W/sk.key" --tlog-upload=false -y "$ART"
  expect "1c cosign sign-blob prints a signature on stdout" 0
  run sigil_ verify-blob "$ART" --key "$W/sk.pub" --insecure-ignore-tlog --signature "$OUT"
  expect "1c sigil verify-blob --signature BASE64 (cosign's stdout) --insecure-ignore-tlog" 0 "Verified OK"
  run sigil_ verify-blob "$TAMPERED" --key "$W/sk.pub" --signature "$SIGIL_STDOUT_SIG"
  expect "1c sigil verify-blob --signature BASE64 rejects a tampered artifact" 12
fi

# ---------------------------------------------------------------------------------------------
# 2. cosign generate-key-pair -> sigil sign-blob -> cosign verify-blob
if need_cosign "2 cosign generate-key-pair -> sigil sign-blob -> cosign verify-blob"; then
  run env -C "$W" COSIGN_PASSWORD="$PW2" timeout 120 "$COSIGN" generate-key-pair \
    --output-key-prefix ck </dev/null
  expect "2 cosign generate-key-pair" 0
  run sigil_pw "$PW2" sign-blob "$ART" --key "$W/ck.key" --bundle "$W/s2.json" \
    --output-signature "$W/s2.sig"
  expect "2 sigil sign-blob with a cosign key" 0
  expect_file "2 sigil sign-blob wrote the bundle" "$W/s2.json"
  expect_file "2 sigil sign-blob wrote the signature" "$W/s2.sig"

  run cosign_ verify-blob --key "$W/ck.pub" --insecure-ignore-tlog --new-bundle-format \
    --trusted-root "$EMPTY_TRUSTED_ROOT" --bundle "$W/s2.json" "$ART"
  expect "2 cosign verify-blob --new-bundle-format: sigil bundle" 0 "Verified OK"
  run cosign_ verify-blob --key "$W/ck.pub" --insecure-ignore-tlog --signature "$W/s2.sig" "$ART"
  expect "2 cosign verify-blob --signature: sigil signature" 0 "Verified OK"
  run cosign_ verify-blob --key "$W/ck.pub" --insecure-ignore-tlog --new-bundle-format \
    --trusted-root "$EMPTY_TRUSTED_ROOT" --bundle "$W/s2.json" "$TAMPERED"
  expect "2 cosign rejects sigil bundle over a tampered artifact" 1
  run cosign_ verify-blob --key "$W/ck.pub" --insecure-ignore-tlog --signature "$W/s2.sig" "$TAMPERED"
  expect "2 cosign rejects sigil signature over a tampered artifact" 1

  # COSIGN_PASSWORD is the fallback when SIGIL_PASSWORD is unset.
  run env COSIGN_PASSWORD="$PW2" timeout 120 "$SIGIL" sign-blob "$ART" --key "$W/ck.key" \
    --bundle "$W/s2b.json" </dev/null
  expect "2 sigil sign-blob reads COSIGN_PASSWORD" 0
  run sigil_ verify-blob "$ART" --key "$W/ck.pub" --bundle "$W/s2b.json"
  expect "2 sigil verify-blob: own bundle, cosign key" 0 "Verified OK"
fi

# ---------------------------------------------------------------------------------------------
# 3. sigil signature -> openssl
run sigil_pw "$PW1" sign-blob "$ART" --key "$W/sk.key" --bundle "$W/s3.json" \
  --output-signature "$W/s3.sig"
expect "3 sigil sign-blob with its own key" 0
if base64 -d "$W/s3.sig" >"$W/s3.der" 2>/dev/null && [[ -s "$W/s3.der" ]]; then
  pass "3 sigil --output-signature is base64"
else
  failed "3 sigil --output-signature is base64"
fi
run openssl dgst -sha256 -verify "$W/sk.pub" -signature "$W/s3.der" "$ART"
expect "3 openssl verifies the sigil signature" 0 && expect_out "3 openssl says Verified OK" "Verified OK"
run openssl dgst -sha256 -verify "$W/sk.pub" -signature "$W/s3.der" "$TAMPERED"
expect "3 openssl rejects the sigil signature over a tampered artifact" 1
run sigil_ verify-blob "$ART" --key "$W/sk.pub" --bundle "$W/s3.json"
expect "3 sigil verify-blob: own bundle" 0 "Verified OK"
run sigil_ verify-blob "$ART" --key "$W/sk.pub" --signature "$W/s3.sig"
expect "3 sigil verify-blob: own signature" 0 "Verified OK"
run sigil_ verify-blob "$TAMPERED" --key "$W/sk.pub" --bundle "$W/s3.json"
expect "3 sigil verify-blob rejects tampered artifact (own bundle)" 12
# Key rotation: a wrong key first, the right one second.
run sigil_ verify-blob "$ART" --key "$OTHER_PUB" --key "$W/sk.pub" --bundle "$W/s3.json"
expect "3 sigil verify-blob with two keys, second matches" 0 "Verified OK"
run sigil_ verify-blob "$ART" --key "$OTHER_PUB" --signature "$W/s3.sig"
expect "3 sigil verify-blob with only a wrong key" 12

# ---------------------------------------------------------------------------------------------
# 4. plain PEM key -> sigil import-key-pair; openssl signature -> sigil verify-blob
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/plain-p8.pem" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$W/plain-sec1.pem" 2>/dev/null
for form in p8 sec1; do
  plain=$W/plain-$form.pem
  run sigil_pw "$PW1" import-key-pair --key "$plain" --output-key-prefix "$W/imp-$form"
  expect "4 sigil import-key-pair ($(head -n1 "$plain"))" 0 || continue
  expect_file "4 import-key-pair wrote imp-$form.key" "$W/imp-$form.key"
  expect_file "4 import-key-pair wrote imp-$form.pub" "$W/imp-$form.pub"
  openssl pkey -in "$plain" -pubout -out "$W/plain-$form.pub.pem" 2>/dev/null
  same_pubkey "4 imported public key equals openssl's ($form)" "$W/imp-$form.pub" "$W/plain-$form.pub.pem"
  run sigil_pw "$PW1" public-key --key "$W/imp-$form.key" --outfile "$W/imp-$form.pk.pem"
  expect "4 sigil public-key on the imported key ($form)" 0 &&
    same_pubkey "4 sigil public-key output equals openssl's ($form)" "$W/imp-$form.pk.pem" "$W/plain-$form.pub.pem"

  openssl dgst -sha256 -sign "$plain" -out "$W/o-$form.der" "$ART"
  base64 -w0 "$W/o-$form.der" >"$W/o-$form.sig"
  run sigil_ verify-blob "$ART" --key "$W/imp-$form.pub" --signature "$W/o-$form.sig"
  expect "4 sigil verify-blob: openssl signature, imported key ($form)" 0 "Verified OK"
  run sigil_ verify-blob "$TAMPERED" --key "$W/imp-$form.pub" --signature "$W/o-$form.sig"
  expect "4 sigil verify-blob rejects openssl signature over a tampered artifact ($form)" 12
  # And back: sigil signs with the imported key, openssl verifies with the plain key's public half.
  run sigil_pw "$PW1" sign-blob "$ART" --key "$W/imp-$form.key" --bundle "$W/imp-$form.json" \
    --output-signature "$W/imp-$form.sig"
  expect "4 sigil sign-blob with the imported key ($form)" 0
  base64 -d "$W/imp-$form.sig" >"$W/imp-$form.der" 2>/dev/null
  run openssl dgst -sha256 -verify "$W/plain-$form.pub.pem" -signature "$W/imp-$form.der" "$ART"
  expect "4 openssl verifies sigil's signature with the imported key ($form)" 0
done

# ---------------------------------------------------------------------------------------------
# 5. fixture keys written by cosign 2.5, skopeo 1.18 and an independent implementation
if have_shared; then
  shopt -s nullglob
  keys=("$SHARED_DIR"/fixtures/keys/*.key "$SHARED_DIR"/fixtures/keys/skopeo-1.18.private)
  shopt -u nullglob
  if [[ ${#keys[@]} -ge 4 ]]; then
    pass "5 found ${#keys[@]} fixture keys"
  else
    failed "5 found ${#keys[@]} fixture keys (want at least 4)"
  fi
  for key in "${keys[@]}"; do
    base=${key%.*}
    name=$(basename "$base")
    if [[ ! -f "$base.pass" || ! -f "$base.pub" ]]; then
      failed "5 $name: missing $base.pass or $base.pub"
      continue
    fi
    pw=""
    IFS= read -r pw <"$base.pass" || true # first line; cosign-2.5.pass has no newline
    # The fixtures are read in place and are readable by everyone (0444): refused as they are,
    # signed with --allow-insecure-key-permissions (and its warning).
    run sigil_pw "$pw" sign-blob "$ART" --key "$key" --bundle "$W/f-$name.json"
    expect "5 $name: refused as it is (mode 0444)" 30 "can be read or written by other users (mode 0444); run: chmod 600 $key"
    run sigil_pw "$pw" sign-blob "$ART" --key "$key" --bundle "$W/f-$name.json" \
      --output-signature "$W/f-$name.sig" --allow-insecure-key-permissions
    expect "5 $name: sigil sign-blob loads the key" 0 "warning: private key file $key can be read" || continue
    run sigil_ verify-blob "$ART" --key "$base.pub" --signature "$W/f-$name.sig"
    expect "5 $name: signature verifies with $name.pub" 0 "Verified OK"
    run sigil_ verify-blob "$ART" --key "$base.pub" --bundle "$W/f-$name.json"
    expect "5 $name: bundle verifies with $name.pub" 0 "Verified OK"
    run sigil_ verify-blob "$TAMPERED" --key "$base.pub" --bundle "$W/f-$name.json"
    expect "5 $name: tampered artifact rejected" 12
    run sigil_pw "$pw" public-key --key "$key" --outfile "$W/f-$name.pub"
    expect "5 $name: sigil public-key" 0 &&
      same_pubkey "5 $name: derived public key equals $name.pub" "$W/f-$name.pub" "$base.pub"
    run sigil_pw "wrong-$pw" sign-blob "$ART" --key "$key" --bundle "$W/f-$name-wrong.json"
    if [[ $RC -ne 0 && ! -s "$W/f-$name-wrong.json" ]]; then
      pass "5 $name: wrong passphrase refused (exit $RC)"
    else
      failed "5 $name: wrong passphrase refused"
    fi
  done
else
  skip "5 fixture keys: $SHARED_DIR/fixtures not present (set SIGIL_SHARED_DIR)"
fi

# ---------------------------------------------------------------------------------------------
# 6. sigil bundles -> sigstore-js
if need_sjs "6 sigstore-js verifies sigil bundles"; then
  if [[ -s "$W/s3.json" ]]; then
    run node "$SJS_VERIFY" "$ART" "$W/s3.json" "$W/sk.pub"
    expect "6 sigstore-js verifies a sigil bundle (sigil key)" 0 && expect_out "6 sigstore-js says OK" "OK"
    run node "$SJS_VERIFY" "$TAMPERED" "$W/s3.json" "$W/sk.pub"
    expect "6 sigstore-js rejects a tampered artifact" 1
    run node "$SJS_VERIFY" "$ART" "$W/s3.json" "$OTHER_PUB"
    expect "6 sigstore-js rejects the bundle under another key" 1
  else
    failed "6 sigstore-js: no sigil bundle from case 3 to verify"
  fi
  if [[ -s "$W/s2.json" ]]; then
    run node "$SJS_VERIFY" "$ART" "$W/s2.json" "$W/ck.pub"
    expect "6 sigstore-js verifies a sigil bundle (cosign key)" 0
  fi
  if [[ -s "$W/c-new.json" ]]; then # control: cosign's own bundle
    run node "$SJS_VERIFY" "$ART" "$W/c-new.json" "$W/sk.pub"
    expect "6 sigstore-js verifies cosign's bundle (control)" 0
  fi
fi

# ---------------------------------------------------------------------------------------------
# 7. every --algorithm, both directions with cosign, plus openssl/sigstore-js.
#    sigil signs P-384 with SHA-384 (the Sigstore algorithm registry, cosign 3). cosign 2.5's
#    key loader hashes with SHA-256 for every ECDSA curve, so it cannot verify sigil's P-384
#    signatures; sigil verifies cosign 2.5's (declared bundle algorithm, SHA-256 fallback).
for alg in ecdsa-p256 ecdsa-p384 ed25519 rsa-3072 rsa-4096; do
  run sigil_pw "$PW1" generate-key-pair --algorithm "$alg" --output-key-prefix "$W/alg-$alg"
  expect "7 $alg: sigil generate-key-pair" 0 || continue
  run sigil_pw "$PW1" sign-blob "$ART" --key "$W/alg-$alg.key" --bundle "$W/alg-$alg.json" \
    --output-signature "$W/alg-$alg.sig"
  expect "7 $alg: sigil sign-blob" 0 || continue
  run sigil_ verify-blob "$ART" --key "$W/alg-$alg.pub" --bundle "$W/alg-$alg.json"
  expect "7 $alg: sigil verify-blob, own bundle" 0 "Verified OK"
  if [[ $alg != ed25519 ]]; then
    base64 -d "$W/alg-$alg.sig" >"$W/alg-$alg.der" 2>/dev/null
    md=sha256
    [[ $alg == ecdsa-p384 ]] && md=sha384
    run openssl dgst -$md -verify "$W/alg-$alg.pub" -signature "$W/alg-$alg.der" "$ART"
    expect "7 $alg: openssl dgst -$md verifies sigil's signature" 0
  fi
  if [[ $alg == ed25519 ]]; then
    # @sigstore/verify 3.1 passes 'sha256' to crypto.verify for every key type, which Node
    # rejects for Ed25519: it cannot verify any Ed25519 messageSignature bundle (cosign's neither).
    skip "7 $alg: sigstore-js (its 3.1 verifier cannot check Ed25519 message signatures)"
  elif need_sjs "7 $alg: sigstore-js"; then
    run node "$SJS_VERIFY" "$ART" "$W/alg-$alg.json" "$W/alg-$alg.pub"
    expect "7 $alg: sigstore-js verifies sigil's bundle" 0
  fi
  need_cosign "7 $alg: cosign interop" || continue
  if [[ $alg == ecdsa-p384 ]]; then
    skip "7 $alg: cosign 2.5 verifying sigil's SHA-384 signature (cosign 2.5 hashes P-384 with SHA-256)"
  else
    run cosign_ verify-blob --key "$W/alg-$alg.pub" --insecure-ignore-tlog --new-bundle-format \
      --trusted-root "$EMPTY_TRUSTED_ROOT" --bundle "$W/alg-$alg.json" "$ART"
    expect "7 $alg: cosign verifies sigil's bundle" 0 "Verified OK"
    run cosign_ verify-blob --key "$W/alg-$alg.pub" --insecure-ignore-tlog --signature "$W/alg-$alg.sig" "$ART"
    expect "7 $alg: cosign verifies sigil's signature" 0 "Verified OK"
  fi
  run cosign_pw "$PW1" sign-blob --key "$W/alg-$alg.key" --tlog-upload=false -y --new-bundle-format \
    --bundle "$W/alg-$alg-c.json" --output-signature "$W/alg-$alg-c.sig" "$ART"
  expect "7 $alg: cosign sign-blob with sigil's key" 0 || continue
  run sigil_ verify-blob "$ART" --key "$W/alg-$alg.pub" --bundle "$W/alg-$alg-c.json"
  expect "7 $alg: sigil verifies cosign's bundle" 0 "Verified OK"
  run sigil_ verify-blob "$ART" --key "$W/alg-$alg.pub" --signature "$W/alg-$alg-c.sig"
  expect "7 $alg: sigil verifies cosign's signature" 0 "Verified OK"
  run sigil_ verify-blob "$TAMPERED" --key "$W/alg-$alg.pub" --bundle "$W/alg-$alg-c.json"
  expect "7 $alg: sigil rejects cosign's bundle over a tampered artifact" 12
done

finish
