#!/usr/bin/env bash
# CLI tests for generate-key-pair, import-key-pair and public-key: files, modes, passwords,
# exit statuses, and that no secret reaches the output.
source "$(dirname "$0")/lib.sh"
cd "$TEST_TMP"
unset SIGIL_PASSWORD COSIGN_PASSWORD
PASS='correct horse battery staple'

# --- generate-key-pair
umask 000
SIGIL_PASSWORD=$PASS run "$SIGIL" generate-key-pair
umask 022
expect "generate-key-pair default prefix" 0 "Private key written to sigil.key"
[[ $(stat -c %a sigil.key) == 600 ]] && pass "key file is 0600 under umask 000" || failed "key file mode $(stat -c %a sigil.key)"
[[ $(stat -c %a sigil.pub) == 644 ]] && pass "public key is 0644" || failed "pub mode $(stat -c %a sigil.pub)"
grep -q "BEGIN ENCRYPTED SIGSTORE PRIVATE KEY" sigil.key && pass "key has cosign's PEM label" || failed "key label"
base64 -d <(sed '1d;$d' sigil.key) | grep -q '"N":65536,"r":8,"p":1' && pass "scrypt N=65536 r=8 p=1" || failed "scrypt params"
openssl pkey -pubin -in sigil.pub -noout 2>/dev/null && pass "public key is PKIX PEM openssl reads" || failed "pub not PKIX"

cp sigil.key before.key
SIGIL_PASSWORD=$PASS run "$SIGIL" generate-key-pair
expect "refuses to overwrite" 2 "already exists; use --force"
cmp -s sigil.key before.key && pass "existing key untouched" || failed "existing key changed"
SIGIL_PASSWORD=$PASS run "$SIGIL" generate-key-pair --force
expect "--force overwrites" 0
cmp -s sigil.key before.key && failed "--force did not replace the key" || pass "--force replaced the key"

# A write that fails (here: the directory cannot take the temporary file; as an unprivileged
# user, since root writes anywhere) leaves the existing key pair exactly as it was.
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
  RO=$(mktemp -d "$TEST_TMP/ro.XXXXXX")
  cp sigil.key sigil.pub "$RO/" && chown -R nobody "$RO" && chmod 600 "$RO/sigil.key"
  cp "$RO/sigil.key" ro-before.key
  chmod 555 "$RO"
  SIGIL_PASSWORD=$PASS run setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
    "$SIGIL" generate-key-pair --force --output-key-prefix "$RO/sigil"
  expect "a failed key write is an error naming the file" 1 "$RO/sigil"
  cmp -s "$RO/sigil.key" ro-before.key && pass "... the existing key file is untouched (not truncated)" ||
    failed "a failed write changed the existing key file"
  check "... and keeps mode 0600" eq "$(stat -c %a "$RO/sigil.key")" 600
  check "... no temporary file left behind" eq "$(find "$RO" -mindepth 1 | wc -l)" 2
  chmod 755 "$RO"
else
  skip "failed-write check needs root, setpriv and the user nobody"
fi

for alg in ecdsa-p256 ecdsa-p384 ed25519 rsa-3072; do
  SIGIL_PASSWORD=$PASS run "$SIGIL" generate-key-pair --algorithm $alg --output-key-prefix k-$alg
  expect "generate $alg" 0
done
SIGIL_PASSWORD=$PASS run "$SIGIL" generate-key-pair --algorithm dsa --output-key-prefix x
expect "unknown algorithm is a usage error" 2 "--algorithm"

run "$SIGIL" generate-key-pair --output-key-prefix nopass </dev/null
expect "no password and no terminal" 2 "set SIGIL_PASSWORD"
[[ ! -e nopass.key && ! -e nopass.pub ]] && pass "nothing written without a password" || failed "files written without password"

COSIGN_PASSWORD=cpw run "$SIGIL" generate-key-pair --output-key-prefix c
expect "COSIGN_PASSWORD is read" 0
COSIGN_PASSWORD=cpw run "$SIGIL" public-key --key c.key
expect "key opens with COSIGN_PASSWORD" 0
SIGIL_PASSWORD=spw COSIGN_PASSWORD=cpw run "$SIGIL" public-key --key c.key
expect "SIGIL_PASSWORD wins over COSIGN_PASSWORD, and the error says so" 30 \
  "sigil: error: loading private key c.key: wrong password or corrupt key (the password came from SIGIL_PASSWORD, which overrides COSIGN_PASSWORD (also set))"
COSIGN_PASSWORD=not-cpw run "$SIGIL" public-key --key c.key
expect "a wrong COSIGN_PASSWORD is named" 30 \
  "sigil: error: loading private key c.key: wrong password or corrupt key (the password came from COSIGN_PASSWORD)"
COSIGN_PASSWORD= run "$SIGIL" generate-key-pair --output-key-prefix empty
expect "set-but-empty password is the empty password" 0
SIGIL_PASSWORD= run "$SIGIL" public-key --key empty.key
expect "empty password opens the key" 0

printf '%s\n' "$PASS" >pass.txt
run "$SIGIL" generate-key-pair --output-key-prefix pf --password-file pass.txt
expect "--password-file" 0
SIGIL_PASSWORD=$PASS run "$SIGIL" public-key --key pf.key
expect "--password-file strips one newline" 0

# --- public-key
SIGIL_PASSWORD=$PASS run "$SIGIL" public-key --key sigil.key
expect "public-key prints" 0
[[ "$OUT" == "$(cat sigil.pub)" ]] && pass "public-key equals sigil.pub" || failed "public-key differs from sigil.pub"
SIGIL_PASSWORD=$PASS run "$SIGIL" public-key --key sigil.key --outfile out.pub
expect "public-key --outfile" 0 "Public key written to out.pub"
cmp -s out.pub sigil.pub && pass "outfile equals sigil.pub" || failed "outfile differs"
SIGIL_PASSWORD=wrong run "$SIGIL" public-key --key sigil.key
expect "wrong password: SIGIL_PASSWORD named" 30 \
  "sigil: error: loading private key sigil.key: wrong password or corrupt key (the password came from SIGIL_PASSWORD)"
printf 'not-the-password\n' >wrong-pass.txt
run "$SIGIL" public-key --key sigil.key --password-file wrong-pass.txt
expect "wrong password: --password-file named" 30 \
  "sigil: error: loading private key sigil.key: wrong password or corrupt key (the password came from --password-file wrong-pass.txt)"
# The prompt: sigil on a pseudo-terminal (stdin a tty, /dev/tty its controlling terminal); the
# helper answers the password prompt and prints what the terminal showed on stderr.
ON_PTY='
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out, answered, deadline = b"", False, time.monotonic() + 30
while time.monotonic() < deadline:
    if not select.select([fd], [], [], 1)[0]:
        continue
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if not answered and b"password for private key" in out:
        time.sleep(0.5)  # the prompt turns echo off with TCSAFLUSH: input sent before is dropped
        os.write(fd, b"not-the-password\n")
        answered = True
sys.stderr.write(out.decode(errors="replace"))
if time.monotonic() >= deadline:
    os.kill(pid, 9)
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
'
run env -u SIGIL_PASSWORD -u COSIGN_PASSWORD NO_COLOR=1 python3 -c "$ON_PTY" "$SIGIL" public-key --key sigil.key
expect "wrong password: the prompt named" 30 \
  "sigil: error: loading private key sigil.key: wrong password or corrupt key (the password came from the terminal prompt)"
run "$SIGIL" public-key --key - 
expect "--key - refused" 2 "not supported"
run "$SIGIL" public-key --key missing.key
expect "missing key file" 30 "cannot open missing.key"
export SIGIL_TEST_KEY_PEM="$(cat sigil.key)"
SIGIL_PASSWORD=$PASS run "$SIGIL" public-key --key env://SIGIL_TEST_KEY_PEM
expect "env:// key reference" 0
[[ "$OUT" == "$(cat sigil.pub)" ]] && pass "env:// key is the same key" || failed "env:// key differs"
run "$SIGIL" public-key --key env://SIGIL_TEST_UNSET_VARIABLE
expect "env:// unset variable" 30 "is not set"
unset SIGIL_TEST_KEY_PEM
echo "garbage" >garbage.key
run "$SIGIL" public-key --key garbage.key
expect "not a PEM key" 30 "no PEM block"

# --- import-key-pair
openssl ecparam -name prime256v1 -genkey -noout -out ec-sec1.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out ec-pkcs8.pem 2>/dev/null
openssl genrsa -traditional -out rsa-pkcs1.pem 2048 2>/dev/null
openssl genrsa -out rsa-1024.pem 1024 2>/dev/null
openssl genpkey -algorithm ED25519 -out ed.pem 2>/dev/null
for k in ec-sec1 ec-pkcs8 rsa-pkcs1 ed; do
  SIGIL_PASSWORD=$PASS run "$SIGIL" import-key-pair --key $k.pem --output-key-prefix imp-$k
  expect "import $k" 0 "Private key written to imp-$k.key"
  SIGIL_PASSWORD=$PASS run "$SIGIL" public-key --key imp-$k.key
  want=$(openssl pkey -in $k.pem -pubout 2>/dev/null)
  [[ "$OUT" == "$want" ]] && pass "imported $k keeps its public key" || failed "imported $k public key differs"
done
SIGIL_PASSWORD=$PASS run "$SIGIL" import-key-pair --key rsa-1024.pem --output-key-prefix small
expect "RSA 1024 refused" 30 "rsa key size not supported: 1024"
[[ ! -e small.key ]] && pass "no key written for a refused import" || failed "small.key written"
SIGIL_PASSWORD=$PASS run "$SIGIL" public-key --key ec-sec1.pem
expect "unencrypted key warns" 0 "not encrypted"
chmod 644 sigil.key
SIGIL_PASSWORD=$PASS run "$SIGIL" public-key --key sigil.key
expect "readable key file warns" 0 "chmod 600 sigil.key"

# --- CLI usage
run "$SIGIL" generate-key-pair --no-such-flag
expect "unknown flag" 2 "no-such-flag"
run "$SIGIL" no-such-command
expect "unknown command: not quoted (it may be a secret), the list of commands is one --help away" 2 \
  "sigil: error: unknown command (not shown: it may be a secret) (run 'sigil --help' for usage)"
expect_no "unknown command: not quoted" "no-such-command"
run "$SIGIL" verify https://registry.example/app@sha256:0 --key sigil.pub
expect "an image given as a URL: references have no scheme" 2 \
  "sigil: error: invalid image reference \"https://registry.example/app@sha256:0\": image references have no scheme: drop \"https://\" and write host/repository:tag or host/repository@sha256:<hex>"
run "$SIGIL" verfy
expect "a misspelt command: named, with the nearest command and its own --help" 2 \
  "sigil: error: unknown command verfy; did you mean verify? (run 'sigil verify --help' for usage)"
run "$SIGIL" verify --kye k.pub registry.example/app@sha256:0
expect "a misspelt option: the nearest option, and the command's own --help" 2 \
  "sigil: error: unknown option --kye (values not shown: they may be secrets); did you mean --key? (run 'sigil verify --help' for usage)"
run "$SIGIL" download signature --max-atempts 3 registry.example/app@sha256:0
expect "a misspelt option of a nested command: its --help" 2 \
  "did you mean --max-attempts? (run 'sigil download signature --help' for usage)"
run "$SIGIL" attest registry.example/app@sha256:0 --key k.key
expect "a missing option: the command's --help" 2 "sigil: error: --predicate is required (run 'sigil attest --help' for usage)"
run "$SIGIL" version -o json
expect "version -o json" 0
echo "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["version"] and d["openssl"] and d["libcurl"] and d["gitCommit"]' \
  && pass "version JSON has version, commit, openssl, libcurl" || failed "version JSON"
# A mistyped secret option never echoes its value in the usage error (DESIGN.md §4): the
# value after (or attached with '=' to) an option named password/passwd/token/secret, or -p.
LEAK=s3cret-XYZ
secret "$LEAK"
usage_hides_value() { # usage_hides_value NAME WANT_IN_STDERR ARGS...
  local name=$1 want=$2
  shift 2
  run "$SIGIL" "$@"
  expect "$name: usage error" 2 "sigil: error: "
  expect "$name: names what was wrong" 2 "$want"
  expect_no "$name: the value is not printed" "$LEAK"
}
# (login -p/--password is an option, as docker's: with --password-stdin too it is a usage error.)
usage_hides_value "login --password VALUE after the registry" "--password and --password-stdin are mutually exclusive" \
  login -u me registry.example --password-stdin --password "$LEAK"
usage_hides_value "login --password=VALUE" "--password and --password-stdin are mutually exclusive" \
  login -u me --password="$LEAK" registry.example --password-stdin
usage_hides_value "login --password VALUE, no user" "--username is required" login --password "$LEAK" registry.example
usage_hides_value "login --password VALUE twice" "--password: At Most 1" login -u me --password "$LEAK" --password "$LEAK" registry.example
usage_hides_value "login --passwd VALUE" "unknown option --passwd (values not shown: they may be secrets); did you mean --password? (run 'sigil login --help' for usage)" \
  login -u me registry.example --passwd "$LEAK"
usage_hides_value "login -p VALUE" "--password and --password-stdin are mutually exclusive" login -u me registry.example --password-stdin -p "$LEAK"
usage_hides_value "login -pVALUE" "--password and --password-stdin are mutually exclusive" login -u me registry.example --password-stdin "-p$LEAK"
usage_hides_value "sign --registry-password VALUE, no key" "nothing to sign with: pass --key KEY" sign --registry-password "$LEAK" x
usage_hides_value "sign --registry-password VALUE, stray argument" "unknown option --bogus (values not shown" \
  sign --key k.key --registry-password "$LEAK" --bogus x
usage_hides_value "verify --identity-token VALUE" "unknown option --identity-token (values not shown" \
  verify --key k.pub x --identity-token "$LEAK"
usage_hides_value "verify --identity-token=VALUE" "unknown option --identity-token (" \
  verify --key k.pub x --identity-token="$LEAK"
usage_hides_value "verify --registry-token=VALUE twice" "--registry-token: At Most 1" \
  verify --key k.pub x --registry-token="$LEAK" --registry-token="$LEAK"
usage_hides_value "sigil --client-secret VALUE" "unknown option --client-secret (" --client-secret "$LEAK"
usage_hides_value "a command's own usage error quoting the value" 'annotation "***" is not key=value' \
  verify --key k.pub --registry-password "$LEAK" -a "$LEAK" registry.example/app@sha256:0
# Misspelt secret options are unknown options: no list of secret names catches them, so no
# argument CLI11 could not place is ever quoted; unknown options are named without values.
usage_hides_value "verify --registry-passwor=VALUE (misspelt)" "unknown option --registry-passwor (values not shown" \
  verify --key k.pub --registry-passwor="$LEAK" x
usage_hides_value "clean --pasword VALUE (misspelt)" "unknown option --pasword (" clean --pasword "$LEAK" reg.example/x -f
usage_hides_value "login --pass=VALUE (a prefix)" "unknown option --pass (" login -u me reg.example --pass="$LEAK"
usage_hides_value "verify --auth=VALUE (another word)" "unknown option --auth (" verify --key k.pub x y --auth="$LEAK"
usage_hides_value "verify -zVALUE (unknown short option)" "unknown option -z (" verify --key k.pub x "-z$LEAK"
run "$SIGIL" login -u me registry.example --password-stdin extra-arg
expect "a stray argument is not quoted (it may be a secret)" 2 "unexpected arguments (not shown: one may be a secret)"
expect_no "a stray argument is not quoted: extra-arg" "extra-arg"

for cmd in version generate-key-pair import-key-pair public-key sign-blob verify-blob; do
  run "$SIGIL" $cmd --help
  [[ $RC == 0 && "$OUT" == *"Examples:"* ]] && pass "$cmd --help has Examples" || failed "$cmd --help lacks Examples"
done

# --- secrets never printed
if grep -qF "$PASS" "$TEST_TMP/all-output.log"; then failed "password appeared in output"; else pass "password never printed"; fi
key_b64=$(openssl pkey -in ec-pkcs8.pem -outform DER 2>/dev/null | base64 -w0 | cut -c 20-60)
if grep -qF "$key_b64" "$TEST_TMP/all-output.log"; then failed "private key bytes in output"; else pass "private key bytes never printed"; fi

# The suite-wide secret scan (lib.sh `finish`) finds what is planted for it: a password in a
# file, a private key line in output; and leaves a password file and a key file alone.
scan_found=$(
  TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sigil-scan.XXXXXX") && trap 'rm -rf "$TEST_TMP"' EXIT
  SIGIL_SECRET_SCAN_DIR="" && secret "planted-password-0123"
  mkdir -p "$TEST_TMP/w" && cp ec-pkcs8.pem "$TEST_TMP/w/key.pem"
  printf 'planted-password-0123\n' >"$TEST_TMP/w/pass.txt"
  printf '{"note":"planted-password-0123"}\n' >"$TEST_TMP/w/bundle.json"
  { echo '$ sigil --registry-password planted-password-0123'; sed -n 2p ec-pkcs8.pem; } >"$TEST_TMP/all-output.log"
  _secret_scan | grep -c '^FAIL - secret scan:'
)
check "secret scan: finds the planted password and key line, not the password or key file" eq "$scan_found" 2
finish
