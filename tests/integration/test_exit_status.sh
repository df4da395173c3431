#!/usr/bin/env bash
# Exit statuses (issue 18): for every code in the documented table (sigil(1)'s EXIT STATUS,
# man/include/exit-status.scd, which test_man checks against README, `sigil --help` and
# lib/sigil/core/result.hpp), one real command that returns it, asserting the code and the
# start of its message. A code in the table without a case here fails the suite.
#   0 version; 1 a file that cannot be written (/proc); 2 an unknown command; 10 an image
#   with no signature; 11 a tag that does not exist; 12 a signature by another key; 13 a
#   key-signed bundle checked for a keyless identity; 14 no attestation of the type asked for;
#   15 an attestation whose statement fails --match; 20 a registry port nothing listens on;
#   21 a wrong registry password; 30 a public key file that does not exist; 70 scrypt without
#   the memory it needs (ulimit -v; skipped when the binary cannot start under the limit, as
#   a sanitizer build cannot).
# Usage: test_exit_status.sh PATH_TO_SIGIL
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"

require_tools "$REGISTRY_BIN" "$REGISTRY_SKOPEO" openssl curl "$PY"
skip_suite_if_missing "exit status tests"

isolate_home COSIGN_PASSWORD NO_COLOR
export SIGIL_PASSWORD=exit-status-test-password
W=$TEST_TMP/w
mkdir -p "$W"
cd "$W" || exit 1
sig() { run timeout 60 "$SIGIL" "$@"; }
# status_is CODE MESSAGE_START: the last run exited CODE and its error line (the first stderr
# line starting "sigil: error: ") starts with MESSAGE_START; for 0, its first stdout line.
status_is() {
  local code=$1 start=$2 first
  if ((code == 0)); then first=$(head -n1 <<<"$OUT"); else first=$(grep -m1 '^sigil: error: ' <<<"$ERR"); fi
  COVERED+=("$code")
  if [[ $RC != "$code" ]]; then
    failed "exit $code: want exit $code"
  elif [[ $first != "$start"* ]]; then
    failed "exit $code: the message starts: $start (got: $first)"
  else
    pass "exit $code: $start"
  fi
}
COVERED=()

section "setup: keys, a registry, images"
sig generate-key-pair --output-key-prefix k
expect "setup: key" 0 || { finish; exit; }
sig generate-key-pair --output-key-prefix other
expect "setup: another key" 0 || { finish; exit; }
start_registry REG anon || { failed "start registry"; finish; exit; }
start_registry AUTH htpasswd-tls || { failed "start registry with a password"; finish; exit; }
H=$REG_HOST
IMG=$H/app/exit
if ! { new_image SIGNED app/exit signed && new_image BARE app/exit bare; }; then finish; exit; fi
sig sign "$IMG@$SIGNED" --key k.key
expect "setup: sign" 0 || { finish; exit; }
printf '{"builder":"ci"}' >pred.json
sig attest "$IMG@$SIGNED" --key k.key --type custom --predicate pred.json
expect "setup: attest (custom)" 0 || { finish; exit; }
printf 'artifact' >blob
sig sign-blob blob --key k.key --bundle blob.json
expect "setup: sign-blob" 0 || { finish; exit; }

section "one case per documented exit status"
sig version
status_is 0 "sigil $("$SIGIL" version -o json 2>/dev/null | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["version"])' 2>/dev/null)"
sig generate-key-pair --output-key-prefix /proc/k
status_is 1 "sigil: error: writing key pair: cannot write /proc/k.key: cannot create a temporary file next to it"
sig verfy "$IMG@$SIGNED"
status_is 2 "sigil: error: unknown command verfy; did you mean verify? (run 'sigil verify --help' for usage)"
sig verify "$IMG@$BARE" --key k.pub
status_is 10 "sigil: error: no signatures found for $IMG@$BARE"
sig verify "$IMG:no-such-tag" --key k.pub
status_is 11 "sigil: error: $IMG:no-such-tag: image $IMG:no-such-tag not found"
sig verify "$IMG@$SIGNED" --key other.pub
status_is 12 "sigil: error: no matching signatures for $IMG@$SIGNED: 1 considered, none verified"
sig verify-blob blob --bundle blob.json --certificate-identity ci@example.com \
  --certificate-oidc-issuer https://issuer.example --trusted-root "$SRC/tests/unit/data/keyless/standin-attest-blob/trusted_root.json"
status_is 13 "sigil: error: verifying blob: the signature has no certificate, so no identity can match"
sig verify-attestation "$IMG@$SIGNED" --key k.pub --type slsaprovenance1
status_is 14 "sigil: error: $IMG@$SIGNED: no verified attestation of type https://slsa.dev/provenance/v1; found only: https://cosign.sigstore.dev/attestation/v1"
sig verify-attestation "$IMG@$SIGNED" --key k.pub --type custom --match /predicate/builder=other
status_is 15 "sigil: error: $IMG@$SIGNED: attestation of type https://cosign.sigstore.dev/attestation/v1 verified, but the policy failed: /predicate/builder: want other"
CLOSED=$(_registry_free_port)
sig verify "127.0.0.1:$CLOSED/app/exit@$SIGNED" --key k.pub --max-attempts 1 --timeout 5
status_is 20 "sigil: error: 127.0.0.1:$CLOSED/app/exit@$SIGNED: GET http://127.0.0.1:$CLOSED/v2/app/exit/manifests/$(sig_tag "$SIGNED"): failed to connect to 127.0.0.1 port $CLOSED"
sig verify "$AUTH_HOST/app/exit@$SIGNED" --key k.pub --ca-file "$AUTH_CA" --registry-username "$AUTH_USER" \
  --registry-password wrong-password
status_is 21 "sigil: error: $AUTH_HOST/app/exit@$SIGNED: GET https://$AUTH_HOST/v2/app/exit/manifests/$(sig_tag "$SIGNED"): 401 unauthorized: UNAUTHORIZED: authentication required: wrong user name or password (credentials: --registry-username/--registry-password, user $AUTH_USER)"
sig verify-blob blob --bundle blob.json --key missing.pub
status_is 30 "sigil: error: cannot open missing.pub: No such file or directory"
# 60 MB of address space: enough to start and parse, not for scrypt's 32 MiB work area on top.
if (ulimit -v 60000 && "$SIGIL" version >/dev/null 2>&1); then
  run bash -c 'ulimit -v 60000 && exec timeout 60 "$0" generate-key-pair --output-key-prefix small-memory' "$SIGIL"
  status_is 70 "sigil: error: writing key pair: scrypt key derivation failed (out of memory?)"
  check "exit 70: nothing written half-way" eq "$(ls small-memory* 2>/dev/null)" ""
else
  COVERED+=(70)
  skip "exit 70: the binary does not start under ulimit -v (a sanitizer build)"
fi

section "every documented code has a case"
documented=$(sed -n 's/^|  *\([0-9][0-9]*\)$/\1/p' "$SRC/man/include/exit-status.scd" | sort -n | xargs)
covered=$(printf '%s\n' "${COVERED[@]}" | sort -n | uniq | xargs)
check "the cases cover exactly the documented codes ($documented)" eq "$covered" "$documented"

finish
