#!/usr/bin/env bash
# Ed25519 sign-blob / verify-blob at any size in constant memory (README "Blobs of any size"):
# pure Ed25519 signs the message itself, read twice in chunks (a file twice, standard input
# through a private temporary copy); verifying reads it once. Peak RSS is measured with
# /usr/bin/time; signatures are checked by OpenSSL's one-buffer Ed25519 as well as by sigil.
# Keys are unencrypted PEM so that the measured memory is not the scrypt of cosign's key format.
source "$(dirname "$0")/lib.sh"
require_tools openssl /usr/bin/time
skip_suite_if_missing "Ed25519 large blob tests"
cd "$TEST_TMP"
export TMPDIR=$TEST_TMP
unset SIGIL_PASSWORD COSIGN_PASSWORD

openssl genpkey -algorithm ed25519 -out ed.pem 2>/dev/null
openssl pkey -in ed.pem -pubout -out ed.pub
openssl enc -aes-128-ctr -nosalt -pass pass:sigil-test -pbkdf2 </dev/zero 2>/dev/null | head -c $((64 << 20)) >big.bin
RSS_LIMIT_KB=16384
# A sanitizer's shadow memory alone is ~290 MiB of RSS (ASan, seen in .ci/run), so the 16 MiB
# bound is for the plain build; under a sanitizer the bound is 1 GiB, which still catches the
# 1 GiB + 1 MiB cases below reading their input whole.
[[ -n ${ASAN_OPTIONS:-}${TSAN_OPTIONS:-} ]] && RSS_LIMIT_KB=$((1024 * 1024))

# peak_kb CMD...: runs CMD (stdin passed through) and sets RC, PEAK_KB (KB), ERR.
peak_kb() {
  /usr/bin/time -o "$TEST_TMP/.time" -f "%M" "$@" >"$TEST_TMP/.out" 2>"$TEST_TMP/.err"
  RC=$?
  PEAK_KB=$(tail -1 "$TEST_TMP/.time")
  OUT=$(cat "$TEST_TMP/.out")
  ERR=$(cat "$TEST_TMP/.err")
}
openssl_verifies() { # FILE SIGFILE(base64)
  base64 -d "$2" >"$2.raw" && openssl pkeyutl -verify -pubin -inkey ed.pub -rawin -in "$1" -sigfile "$2.raw" >/dev/null
}

section "64 MiB from a file"
peak_kb "$SIGIL" sign-blob big.bin --key ed.pem --bundle file.json --output-signature file.sig
expect "sign-blob ed25519, 64 MiB file" 0 "Wrote bundle to file.json" &&
  check "... peak RSS < $((RSS_LIMIT_KB / 1024)) MiB (the file is read in chunks, twice)" le "$PEAK_KB" $RSS_LIMIT_KB
check_quiet "... OpenSSL's pure Ed25519 verifies the signature" openssl_verifies big.bin file.sig
check "... the bundle's digest is the file's SHA-256" eq \
  "$(python3 -c 'import json,sys,base64;print(base64.b64decode(json.load(open("file.json"))["messageSignature"]["messageDigest"]["digest"]).hex())')" \
  "$(sha256sum big.bin | cut -d' ' -f1)"
peak_kb "$SIGIL" verify-blob big.bin --key ed.pub --bundle file.json
expect "verify-blob ed25519, 64 MiB file" 0 "Verified OK" &&
  check "... peak RSS < $((RSS_LIMIT_KB / 1024)) MiB (read once, in chunks)" le "$PEAK_KB" $RSS_LIMIT_KB
cp big.bin flipped.bin
printf 'X' | dd of=flipped.bin bs=1 seek=$((40 << 20)) conv=notrunc status=none
run "$SIGIL" verify-blob flipped.bin --key ed.pub --signature file.sig
expect "verify-blob ed25519: one byte changed in the middle is refused" 12 \
  "invalid signature: it does not verify with key ed.pub"

section "64 MiB from a pipe"
peak_kb bash -c 'cat big.bin | "$1" sign-blob - --key ed.pem --output-signature pipe.sig' _ "$SIGIL"
expect "sign-blob ed25519, 64 MiB from a pipe" 0 "Wrote signature to pipe.sig" &&
  check "... peak RSS < $((RSS_LIMIT_KB / 1024)) MiB (spooled to a private temporary file)" le "$PEAK_KB" $RSS_LIMIT_KB
check_quiet "... OpenSSL's pure Ed25519 verifies the signature" openssl_verifies big.bin pipe.sig
check "... no temporary file is left behind" eq "$(find "$TEST_TMP" -maxdepth 1 -name 'sigil-spool*' | wc -l)" 0
peak_kb bash -c 'cat big.bin | "$1" verify-blob - --key ed.pub --signature pipe.sig' _ "$SIGIL"
expect "verify-blob ed25519, 64 MiB from a pipe" 0 "Verified OK" &&
  check "... peak RSS < $((RSS_LIMIT_KB / 1024)) MiB" le "$PEAK_KB" $RSS_LIMIT_KB
# Standard input redirected from a file starts where the shell left it (as cosign reads it).
(head -c 10 >/dev/null && "$SIGIL" sign-blob - --key ed.pem --output-signature rest.sig 2>/dev/null) <big.bin
tail -c +11 big.bin >rest.bin
check_quiet "sign-blob - from a redirected file signs from its current offset" openssl_verifies rest.bin rest.sig

section "past the old 1 GiB limit on standard input"
peak_kb bash -c 'head -c $((1025 << 20)) /dev/zero | "$1" sign-blob - --key ed.pem --output-signature gib.sig' _ "$SIGIL"
expect "sign-blob ed25519, 1 GiB + 1 MiB from a pipe" 0 "Wrote signature to gib.sig" &&
  check "... peak RSS < $((RSS_LIMIT_KB / 1024)) MiB" le "$PEAK_KB" $RSS_LIMIT_KB
peak_kb bash -c 'head -c $((1025 << 20)) /dev/zero | "$1" verify-blob - --key ed.pub --signature gib.sig' _ "$SIGIL"
expect "verify-blob ed25519, 1 GiB + 1 MiB from a pipe" 0 "Verified OK" &&
  check "... peak RSS < $((RSS_LIMIT_KB / 1024)) MiB" le "$PEAK_KB" $RSS_LIMIT_KB

section "refusals"
# /proc/self/io counts the bytes sigil has read, so its two reads always differ: a file that
# changes between the passes. Signing it anyway could sign neither version.
run "$SIGIL" sign-blob /proc/self/io --key ed.pem --output-signature changed.sig --bundle changed.json
expect "sign-blob ed25519: a file that changes between the two reads is refused" 30 \
  "sigil: error: signing /proc/self/io: the file changed while it was being read (pure Ed25519 reads it twice and the two reads differ); nothing was signed: sign it when nothing writes to it"
check "... nothing written" eq "$(ls changed.sig changed.json 2>/dev/null | wc -l)" 0
mkfifo fifo
# The writer is bounded: if sigil never opened the pipe, opening it for writing would block.
run bash -c 'timeout 20 bash -c "head -c 1000 big.bin >fifo" & TMPDIR=$2/missing timeout 20 "$1" sign-blob fifo --key ed.pem --output-signature nt.sig; rc=$?; wait; exit $rc' _ "$SIGIL" "$TEST_TMP"
expect "sign-blob ed25519 from a pipe with no usable TMPDIR: says so" 1 \
  "no temporary directory to hold a copy of the piped input"
check "... set TMPDIR is the advice, nothing written" eq "$([[ $ERR == *"set TMPDIR to a writable directory"* ]] && echo y)$(ls nt.sig 2>/dev/null)" y
finish
