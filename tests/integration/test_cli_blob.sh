#!/usr/bin/env bash
# CLI tests for sign-blob / verify-blob: round trips for every key type, every exit status,
# and the negative cases, each asserting the reason.
source "$(dirname "$0")/lib.sh"
cd "$TEST_TMP"
export SIGIL_PASSWORD='blob-test-password'
unset COSIGN_PASSWORD

"$SIGIL" generate-key-pair --output-key-prefix k >/dev/null 2>&1
"$SIGIL" generate-key-pair --output-key-prefix other >/dev/null 2>&1
"$SIGIL" generate-key-pair --output-key-prefix rsa --algorithm rsa-3072 >/dev/null 2>&1
head -c 3000000 /dev/urandom >artifact.bin

# --- round trips
for alg in ecdsa-p256 ecdsa-p384 ed25519 rsa-3072 rsa-4096; do
  "$SIGIL" generate-key-pair --output-key-prefix rt-$alg --algorithm $alg >/dev/null 2>&1
  run "$SIGIL" sign-blob artifact.bin --key rt-$alg.key --bundle rt-$alg.json --output-signature rt-$alg.sig
  expect "sign-blob $alg" 0 "Wrote bundle to rt-$alg.json"
  run "$SIGIL" verify-blob artifact.bin --key rt-$alg.pub --bundle rt-$alg.json
  expect "verify-blob --bundle $alg" 0 "Verified OK"
  run "$SIGIL" verify-blob artifact.bin --key rt-$alg.pub --signature rt-$alg.sig
  expect "verify-blob --signature $alg" 0 "Verified OK"
done
python3 - <<'PY' && pass "bundle v0.3 shape, hint and digest" || failed "bundle shape"
import base64, hashlib, json, subprocess
b = json.load(open("rt-ecdsa-p256.json"))
assert b["mediaType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
der = subprocess.run(["openssl", "pkey", "-pubin", "-in", "rt-ecdsa-p256.pub", "-outform", "DER"], capture_output=True).stdout
assert b["verificationMaterial"]["publicKey"]["hint"] == base64.b64encode(hashlib.sha256(der).digest()).decode()
md = b["messageSignature"]["messageDigest"]
assert md["algorithm"] == "SHA2_256"
assert base64.b64decode(md["digest"]) == hashlib.sha256(open("artifact.bin", "rb").read()).digest()
assert list(b) == ["mediaType", "verificationMaterial", "messageSignature"]
PY
python3 -c 'import json; assert json.load(open("rt-ecdsa-p384.json"))["messageSignature"]["messageDigest"]["algorithm"]=="SHA2_384"' \
  && pass "P-384 signs SHA-384" || failed "P-384 digest algorithm"

run "$SIGIL" sign-blob - --key k.key --bundle stdin.json <artifact.bin
expect "sign-blob from stdin" 0
run "$SIGIL" verify-blob artifact.bin --key k.pub --bundle stdin.json
expect "stdin-signed bundle verifies on the file" 0 "Verified OK"
run "$SIGIL" verify-blob - --key k.pub --bundle stdin.json <artifact.bin
expect "verify-blob from stdin" 0 "Verified OK"
: >empty.bin
run "$SIGIL" sign-blob empty.bin --key k.key --bundle empty.json
expect "empty file signs" 0
run "$SIGIL" verify-blob empty.bin --key k.pub --bundle empty.json
expect "empty file verifies" 0 "Verified OK"
run "$SIGIL" verify-blob artifact.bin --key other.pub --key k.pub --bundle stdin.json
expect "key rotation: second key matches" 0 "Verified with key k.pub"
run "$SIGIL" verify-blob --key other.pub --key k.pub artifact.bin --bundle stdin.json
expect "repeatable --key before the file takes one value each" 0 "Verified with key k.pub"
run "$SIGIL" sign-blob artifact.bin --key k.key --bundle ok.json
cp artifact.bin tampered.bin; printf 'x' | dd of=tampered.bin bs=1 seek=1000 conv=notrunc 2>/dev/null

# --- negative cases for verify-blob (exit status and reason)
run "$SIGIL" verify-blob tampered.bin --key k.pub --bundle ok.json
expect "neg: tampered file" 12 "does not match the bundle's message digest"
python3 -c '
import json,base64; b=json.load(open("ok.json")); d=bytearray(base64.b64decode(b["messageSignature"]["messageDigest"]["digest"])); d[0]^=1
b["messageSignature"]["messageDigest"]["digest"]=base64.b64encode(bytes(d)).decode(); json.dump(b,open("bad-digest.json","w"))'
run "$SIGIL" verify-blob artifact.bin --key k.pub --bundle bad-digest.json
expect "neg: tampered bundle digest" 12 "does not match"
python3 -c '
import json,base64; b=json.load(open("ok.json"))
import hashlib; d=hashlib.sha256(open("tampered.bin","rb").read()).digest()
b["messageSignature"]["messageDigest"]["digest"]=base64.b64encode(d).decode(); json.dump(b,open("digest-swapped.json","w"))'
run "$SIGIL" verify-blob tampered.bin --key k.pub --bundle digest-swapped.json
expect "neg: digest swapped to match a tampered file" 12 "invalid signature"
run "$SIGIL" verify-blob artifact.bin --key other.pub --bundle ok.json
expect "neg: signature from another key" 12 "does not verify with key other.pub"
python3 -c '
import json; b=json.load(open("ok.json")); s=b["messageSignature"]["signature"]; b["messageSignature"]["signature"]=s[:len(s)//2//4*4]
json.dump(b,open("truncated.json","w"))'
run "$SIGIL" verify-blob artifact.bin --key k.pub --bundle truncated.json
expect "neg: truncated signature" 12 "invalid signature"
run "$SIGIL" verify-blob artifact.bin --key rsa.pub --bundle ok.json
expect "neg: key of another algorithm" 12 "invalid signature"
python3 -c '
import json; b=json.load(open("ok.json")); b["mediaType"]="application/vnd.dev.sigstore.bundle.v9+json"; json.dump(b,open("mt.json","w"))'
run "$SIGIL" verify-blob artifact.bin --key k.pub --bundle mt.json
expect "neg: unknown bundle mediaType" 30 "unsupported mediaType"
run "$SIGIL" verify-blob empty.bin --key k.pub --bundle ok.json
expect "neg: empty file against another file's bundle" 12 "does not match"
echo 'this is not json' >notjson.json
run "$SIGIL" verify-blob artifact.bin --key k.pub --bundle notjson.json
expect "neg: bundle is not JSON" 30 "malformed bundle"
python3 -c '
import json; b=json.load(open("ok.json")); del b["messageSignature"]["signature"]; json.dump(b,open("missing.json","w"))'
run "$SIGIL" verify-blob artifact.bin --key k.pub --bundle missing.json
expect "neg: missing signature field" 30 "missing field \"signature\""
python3 -c '
import json; b=json.load(open("ok.json")); del b["verificationMaterial"]; json.dump(b,open("novm.json","w"))'
run "$SIGIL" verify-blob artifact.bin --key k.pub --bundle novm.json
expect "neg: missing verificationMaterial" 30 "verificationMaterial"
python3 -c '
import json; b=json.load(open("ok.json")); b["dsseEnvelope"]={"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"AA=="}]}; json.dump(b,open("both.json","w"))'
run "$SIGIL" verify-blob artifact.bin --key k.pub --bundle both.json
expect "neg: both messageSignature and dsseEnvelope" 30 "exactly one of"
SIGIL_PASSWORD=wrong run "$SIGIL" sign-blob artifact.bin --key k.key --bundle wrongpw.json
expect "neg: wrong password at signing" 30 "wrong password or corrupt key"
[[ ! -e wrongpw.json ]] && pass "no bundle written on failure" || failed "bundle written on failure"
cp k.key open.key; chmod 644 open.key
run "$SIGIL" sign-blob artifact.bin --key open.key --bundle open.json
expect "neg: world-readable key refused at signing" 30 \
  "private key file open.key can be read or written by other users (mode 0644); run: chmod 600 open.key (or pass --allow-insecure-key-permissions)"
[[ ! -e open.json ]] && pass "neg: ... and no bundle written" || failed "bundle written with a refused key"
chmod 640 open.key
run "$SIGIL" sign-blob artifact.bin --key open.key --bundle open.json
expect "neg: group-readable key refused at signing" 30 "(mode 0640); run: chmod 600 open.key"
# A public key given to sign with: said first, whatever its mode (0644 is right for a .pub).
run "$SIGIL" sign-blob artifact.bin --key k.pub --bundle pub.json
expect "neg: signing with a .pub: it is a public key (the type before the permission advice)" 30 \
  "sigil: error: k.pub is a public key, which verifies; sign with the private key (sigil generate-key-pair writes both: PREFIX.key and PREFIX.pub)"
# env://VAR where VAR holds a path (a GitLab File variable): say so, do not parse the path as PEM.
SIGIL_FILE_VARIABLE=$PWD/k.key run "$SIGIL" sign-blob artifact.bin --key env://SIGIL_FILE_VARIABLE --bundle envpath.json
expect "neg: env://VAR holding a file path names the fix" 30 \
  'sigil: error: key reference env://SIGIL_FILE_VARIABLE: SIGIL_FILE_VARIABLE holds a file path (as a CI File variable does), not the key: use --key "$SIGIL_FILE_VARIABLE"'
SIGIL_FILE_VARIABLE=$PWD/k.pub run "$SIGIL" verify-blob artifact.bin --key env://SIGIL_FILE_VARIABLE --bundle ok.json
expect "neg: ... and for a public key" 30 'SIGIL_FILE_VARIABLE holds a file path (as a CI File variable does), not the key: use --key "$SIGIL_FILE_VARIABLE"'
run "$SIGIL" sign-blob artifact.bin --key open.key --bundle open.json --allow-insecure-key-permissions
expect "--allow-insecure-key-permissions signs, with the warning" 0 "warning: private key file open.key can be read or written by other users (mode 0640); run: chmod 600 open.key"
run "$SIGIL" sign-blob artifact.bin --key open.key --bundle open.json --allow-insecure-key-permissions
expect "... and warns every time" 0 "run: chmod 600 open.key"
chmod 600 open.key
run "$SIGIL" sign-blob artifact.bin --key open.key --bundle open.json
expect "a 0600 key signs without a word about permissions" 0
[[ $ERR != *"chmod"* ]] && pass "... no permission warning" || failed "permission warning for a 0600 key: $ERR"
chmod 400 open.key
run "$SIGIL" sign-blob artifact.bin --key open.key --bundle open.json
expect "a 0400 key signs" 0
run "$SIGIL" verify-blob no-such-file.bin --key k.pub --bundle ok.json
expect "neg: artifact does not exist" 30 "cannot open no-such-file.bin"
run "$SIGIL" verify-blob artifact.bin --key k.pub --bundle no-such.json
expect "neg: bundle does not exist" 30 "cannot open no-such.json"
run "$SIGIL" verify-blob artifact.bin --key k.pub --bundle ok.json --signature rt-ecdsa-p256.sig
expect "neg: both --bundle and --signature" 2 "exactly one of"
run "$SIGIL" verify-blob artifact.bin --key k.pub
expect "neg: neither --bundle nor --signature" 2 "exactly one of"
echo '!!!not base64!!!' >garbage.sig
run "$SIGIL" verify-blob artifact.bin --key k.pub --signature garbage.sig
expect "neg: signature file not base64" 30 "not base64"
run "$SIGIL" verify-blob artifact.bin --key k.key --bundle ok.json
expect "neg: private key given as trusted key" 30 "unsupported pem type"
run "$SIGIL" verify-blob artifact.bin --bundle ok.json
expect "neg: no --key" 2 "--key"
run "$SIGIL" verify-blob artifact.bin --key k.pub --bundle ok.json --frobnicate
expect "neg: unknown flag" 2 "frobnicate"

# While it holds a private key, sigil is not dumpable (prctl PR_SET_DUMPABLE 0): another
# process of the same user can no longer read its /proc files (environ, mem), and no core is
# written. Run as an unprivileged user (root may read anything), parked on a password FIFO
# after it set the flag; a plain process of that user is the control.
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
  as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
  D=$(mktemp -d "$TEST_TMP/dumpable.XXXXXX")
  chmod 755 "$D"
  cp k.key artifact.bin "$D/" && mkfifo "$D/pw.fifo" && chown nobody "$D" "$D"/* && chmod 600 "$D/k.key"
  (cd "$D" && as_nobody "$SIGIL" sign-blob artifact.bin --key k.key --password-file pw.fifo --bundle out.json \
    >"$D/sign.out" 2>"$D/sign.err") &
  signer=$!
  setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups sleep 30 & # no function: $! is the process
  control=$!
  # (setpriv is not dumpable between its setresuid and the exec: wait for the exec)
  for _ in $(seq 1 100); do [[ $(readlink "/proc/$control/exe" 2>/dev/null) == */sleep ]] && break; sleep 0.1; done
  sigil_pid=""
  for _ in $(seq 1 100); do # bounded: 10 s
    sigil_pid=$(pgrep -u nobody -f "sign-blob artifact.bin --key k.key --password-file pw.fifo" | head -1)
    [[ -n $sigil_pid && $(readlink "/proc/$sigil_pid/exe" 2>/dev/null) == *sigil* ]] &&
      grep -q fifo_open "/proc/$sigil_pid/wchan" 2>/dev/null && break
    sleep 0.1
  done
  if [[ -n $sigil_pid ]]; then
    as_nobody cat "/proc/$control/environ" >/dev/null 2>&1 &&
      pass "dumpable control: nobody reads /proc/PID/environ of its own plain process" ||
      failed "dumpable control: nobody cannot read its own process's environ"
    as_nobody cat "/proc/$sigil_pid/environ" >/dev/null 2>&1 &&
      failed "sigil holding a key is dumpable: /proc/$sigil_pid/environ readable by its own user" ||
      pass "sigil is not dumpable while it holds a key (its /proc/PID/environ refused to its own user)"
  else
    failed "dumpable: sigil did not reach the password FIFO within 10 s"
  fi
  printf '%s\n' "$SIGIL_PASSWORD" >"$D/pw.fifo" &
  writer=$!
  wait "$signer"
  check "dumpable: ... and it signs once the password arrives" eq "$?" 0
  kill "$control" 2>/dev/null
  wait "$control" "$writer" 2>/dev/null
else
  skip "non-dumpable check needs root, setpriv and the user nobody"
fi
# cosign's spellings (README "Coming from cosign"): the signature on stdout without an output
# flag, --signature as the base64 itself, -y on attest-blob, --output-file, --tlog-upload.
run "$SIGIL" sign-blob artifact.bin --key k.key
expect "cosign: sign-blob with no output flag prints the base64 signature on stdout" 0 &&
  check "cosign: ... one line of base64, nothing else" eq "$(wc -l <<<"$OUT") $(base64 -d <<<"$OUT" >/dev/null 2>&1 && echo b64)" "1 b64"
STDOUT_SIG=$OUT
run "$SIGIL" verify-blob artifact.bin --key k.pub --signature "$STDOUT_SIG"
expect "cosign: verify-blob --signature BASE64 (inline)" 0 "Verified OK"
run "$SIGIL" verify-blob artifact.bin --key k.pub --signature missing.sig
expect "cosign: --signature naming no file and not base64: the file is missing" 30 "cannot open missing.sig"
run "$SIGIL" sign-blob artifact.bin --key k.key --output-file stdout.sig
expect "cosign: --output-file writes stdout to FILE" 0 &&
  check "cosign: ... the signature is in the file, stdout is empty" eq "$(wc -l <stdout.sig)|$OUT" "1|"
run "$SIGIL" verify-blob artifact.bin --key k.pub --signature "$(cat stdout.sig)" --insecure-ignore-tlog
expect "cosign: verify-blob --insecure-ignore-tlog with a key" 0 "Verified OK"
echo '{"a":1}' >pred.json
run "$SIGIL" attest-blob artifact.bin --key k.key --predicate pred.json --type custom --bundle att.json -y --tlog-upload=false
expect "cosign: attest-blob -y --tlog-upload=false" 0 "note: --tlog-upload=false changes nothing"
run "$SIGIL" sign-blob artifact.bin --key k.key --tlog-upload --bundle tl.json
expect "cosign: --tlog-upload (true) with a key: signed, with a warning that nothing is uploaded" 0 \
  "sigil: warning: --tlog-upload: sigil does not upload signatures made with --key to a transparency log; sign keyless for a log entry"
SIGSTORE_ID_TOKEN=a.b.c run "$SIGIL" attest-blob artifact.bin --predicate pred.json --bundle kl.json -y --tlog-upload=false
expect "cosign: keyless attest-blob --tlog-upload=false is refused" 2 "--tlog-upload=false: keyless signatures are always logged in Rekor"
[[ ! -e kl.json ]] && pass "cosign: ... nothing written" || failed "keyless --tlog-upload=false wrote a bundle"
finish
