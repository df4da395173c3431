#!/usr/bin/env bash
# sigil keyless signing when Fulcio or Rekor fail (the stand-in's fault modes,
# tests/integration/sigstore/README.md), 16 concurrent keyless signers on one image, and the
# message that says how to get a token.
# Usage: test_keyless_sign_faults.sh PATH_TO_SIGIL
#
#  1. retried: one Fulcio 503, one Rekor 503, a Rekor answer lost after the entry was logged
#     (the retry's 409 is followed to the entry) — signing succeeds, the request log shows the
#     retry, and the bundle verifies
#  2. not retried forever: a persistent Fulcio 503 / Rekor 500 fails after 5 attempts with one
#     line naming the service and the status; --timeout cuts the retries short
#  3. refused (4xx): one line naming the service, the server's hostile text escaped (no escape
#     sequence or newline reaches the terminal), no bundle written
#  4. images: a Rekor 500 or 400 attaches nothing (no .sig / .att tag in the registry); sign's
#     --max-attempts and attest's --timeout bound the Rekor retries; one Rekor 503 is retried and
#     the signature attached
#  5. 16 `sigil sign` keyless processes, 16 identities, released at once on one image: 16
#     signatures in the .sig manifest, each verifying for its identity
#  6. no token: the error says how to get one (GitLab id_tokens, --identity-token @FILE); on a
#     terminal a note explains there is no browser login
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/sigstore_lib.sh"
PY=$REGISTRY_PYTHON

keyless_suite_init

SIGNERS=${SIGIL_KEYLESS_CONCURRENCY_SIGNERS:-16}
SIGNER_TIMEOUT=90
W=$TEST_TMP/w
mkdir -p "$W"
if ! start_sigstore_standin "$TEST_TMP/sigstore-faults" --prefill 200; then
  abort_suite "start the sigstore stand-in"
fi
U=$SIGSTORE_STANDIN_URL
TR=$SIGSTORE_STANDIN_TRUSTED_ROOT
LOG=$SIGSTORE_STANDIN_LOG
EMAIL=signer@example.com
mode() { sigstore_mode "$@" >/dev/null || echo "# could not set mode $*" >&2; }
BLOB=$W/blob.txt
echo "an artifact signed while the services misbehave" >"$BLOB"
TOK=$(sigstore_mint_token --email "$EMAIL")
secret "$TOK"

# blob BUNDLE [options]: sigil sign-blob keyless against the stand-in.
blob() {
  local b=$1
  shift
  rm -f "$b"
  run timeout 120 "$SIGIL" sign-blob "$BLOB" --identity-token "$TOK" --fulcio-url "$U" --rekor-url "$U" \
    --trusted-root "$TR" --bundle "$b" -y "$@" </dev/null
}
verify_blob() {
  run timeout 60 "$SIGIL" verify-blob "$BLOB" --bundle "$1" --certificate-identity "$EMAIL" \
    --certificate-oidc-issuer "$U" --trusted-root "$TR" </dev/null
}
# statuses PATH_REGEX: the statuses the stand-in answered for POSTs to matching paths since the
# mark (one line, space separated).
mark() { MARK=$(wc -l <"$LOG"); }
statuses() {
  tail -n +"$((MARK + 1))" "$LOG" | "$PY" -c '
import json, re, sys
rx = re.compile(sys.argv[1])
print(" ".join(str(r["status"]) for r in map(json.loads, sys.stdin) if rx.fullmatch(r["method"] + " " + r["path"])))' "$1"
}
FULCIO='POST /api/v2/signingCert'
REKOR='POST /api/v1/log/entries'
# one_clean_line NAME: stderr has exactly one error line and no control character at all.
one_clean_line() {
  check "$1: one error line" eq "$(grep -c '^sigil: error: ' <<<"$ERR")" 1
  check "$1: no escape, bell or C1 control character reaches the terminal" "$PY" -c '
import sys
t = sys.argv[1]
bad = [c for c in t if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0]
assert not bad, repr(bad)' "$ERR"
}

# =============================================================================================
section "1. a single 5xx is retried"
mark
mode fulcio-503-once
blob "$W/f503.json"
expect "1 one Fulcio 503: signing succeeds" 0 "Logged in the transparency log at index"
check "1 one Fulcio 503: the request log shows the retry (503 then 201)" eq "$(statuses "$FULCIO")" "503 201"
verify_blob "$W/f503.json"
expect "1 one Fulcio 503: the bundle verifies" 0

mark
mode fulcio-429-retry-after-once
blob "$W/f429.json"
expect "1 a Fulcio 429 with Retry-After: signing succeeds" 0 "Logged in the transparency log at index"
check "1 a Fulcio 429: the request log shows the retry (429 then 201)" eq "$(statuses "$FULCIO")" "429 201"
# A lower bound only (a loaded machine can only lengthen it): the retry waited the 2 s asked
# for, not the 250 ms of the first backoff step.
check "1 a Fulcio 429: the retry came after the Retry-After it asked for (>= 2 s)" "$PY" -c '
import json, sys
ts = [r["ts"] for r in map(json.loads, open(sys.argv[1]).readlines()[int(sys.argv[2]):])
      if r["method"] + " " + r["path"] == "POST /api/v2/signingCert"]
assert len(ts) == 2 and ts[1] - ts[0] >= 1.95, ts' "$LOG" "$MARK"

mark
mode rekor-503-once
blob "$W/r503.json"
expect "1 one Rekor 503: signing succeeds" 0 "Logged in the transparency log at index"
check "1 one Rekor 503: the request log shows the retry (503 then 201)" eq "$(statuses "$REKOR")" "503 201"
verify_blob "$W/r503.json"
expect "1 one Rekor 503: the bundle verifies" 0

mark
mode rekor-lost-answer-once
blob "$W/lost.json"
expect "1 Rekor logged the entry but the answer was lost: signing succeeds" 0 "Logged in the transparency log at index"
check "1 ... the retry got 409 and the existing entry was fetched from its Location" eq \
  "$(statuses "(POST /api/v1/log/entries|GET /api/v1/log/entries/[0-9a-f]+)")" "503 409 200"
verify_blob "$W/lost.json"
expect "1 ... the bundle (with the entry logged by the first attempt) verifies" 0
mode normal

# =============================================================================================
section "2. a persistent 5xx fails, bounded"
mark
mode fulcio-503-always
blob "$W/f503a.json"
expect "2 Fulcio always 503: exit 20, one line naming Fulcio, the status and the attempts" 20 \
  "sigil: error: fulcio: refused with HTTP 503: fulcio is unavailable (stand-in fault fulcio-503-always) (after 5 attempts)"
one_clean_line "2 Fulcio always 503"
check "2 Fulcio always 503: 5 attempts, nothing sent to Rekor" eq "$(statuses "($FULCIO|$REKOR)")" "503 503 503 503 503"
check "2 Fulcio always 503: no bundle written" test ! -e "$W/f503a.json"

mark
mode rekor-500-always
T0=$(now_us)
blob "$W/r500a.json"
MS_FULL=$((($(now_us) - T0) / 1000))
expect "2 Rekor always 500: exit 20, one line naming Rekor, the status and the attempts" 20 \
  "rekor: refused with HTTP 500: rekor is unavailable (stand-in fault rekor-500-always) (after 5 attempts)"
one_clean_line "2 Rekor always 500"
check "2 Rekor always 500: 5 attempts" eq "$(statuses "$REKOR")" "500 500 500 500 500"
check "2 Rekor always 500: no bundle written" test ! -e "$W/r500a.json"

mark
T0=$(now_us)
blob "$W/r500t.json" --timeout 1
MS=$((($(now_us) - T0) / 1000))
expect "2 Rekor always 500 with --timeout 1: fails with Rekor's status" 20 "rekor: refused with HTTP 500"
N=$(statuses "$REKOR" | wc -w)
check "2 --timeout 1 stops the retries early (2 or 3 attempts, backoff 250 ms then 500 ms)" between "$N" 2 3
check "2 --timeout 1: done sooner than with the default budget ($MS ms vs $MS_FULL ms; backoff alone 3.75 s)" \
  le "$MS" "$((MS_FULL - 2000))"
mode normal

# =============================================================================================
section "3. a 4xx is one escaped line naming the service"
mark
mode fulcio-400-hostile
blob "$W/f400.json"
expect "3 Fulcio 400: exit 30, the server's message escaped" 30 \
  'sigil: error: fulcio: refused with HTTP 400: refused \x1b[31mRED\x1b]0;owned\x07 line1\x0aline2 \u{009b}2J end'
one_clean_line "3 Fulcio 400"
check "3 Fulcio 400: not retried" eq "$(statuses "($FULCIO|$REKOR)")" "400"
check "3 Fulcio 400: no bundle written" test ! -e "$W/f400.json"
mark
mode rekor-400-hostile
blob "$W/r400.json"
expect "3 Rekor 400: exit 30, the server's message escaped" 30 \
  'rekor: refused with HTTP 400: refused \x1b[31mRED\x1b]0;owned\x07 line1\x0aline2 \u{009b}2J end'
one_clean_line "3 Rekor 400"
check "3 Rekor 400: not retried" eq "$(statuses "$REKOR")" "400"
check "3 Rekor 400: no bundle written" test ! -e "$W/r400.json"
mode normal

# =============================================================================================
HAVE_REG=0
if [[ ! -x $REGISTRY_BIN || ! -x $REGISTRY_SKOPEO ]]; then
  skip "4, 5 images (missing $REGISTRY_BIN or $REGISTRY_SKOPEO)"
elif ! start_registry REG anon; then
  RC=1 OUT="" ERR="" failed "4 start the registry"
else
  HAVE_REG=1
  H=$REG_HOST
  export DOCKER_CONFIG=$REG_DOCKER_CONFIG
fi
ACCEPT='application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json'
# tag_status REPO TAG: the registry's HTTP status for the manifest.
tag_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Accept: $ACCEPT" "$REG_URL/v2/$1/manifests/$2"; }
# layer_count REPO TAG: layers of the manifest (-1 when unreadable).
layer_count() {
  curl -s --max-time 10 -H "Accept: $ACCEPT" "$REG_URL/v2/$1/manifests/$2" | "$PY" -c 'import json,sys
try:
    print(len(json.load(sys.stdin)["layers"]))
except Exception:
    print(-1)'
}
sign_image() {
  run timeout 120 "$SIGIL" sign "$1" --identity-token "$TOK" --fulcio-url "$U" --rekor-url "$U" --trusted-root "$TR" \
    -y "${@:2}" </dev/null
}

if ((HAVE_REG)); then
  section "4. images: nothing attached unless the log entry verified"
  if new_image IMG faults/app v1; then
    REF=$H/faults/app@$IMG
    mode rekor-500-always
    sign_image "$REF"
    expect "4 sign: Rekor always 500 fails naming Rekor" 20 "rekor: refused with HTTP 500"
    check "4 sign: Rekor always 500: no .sig tag in the registry" eq "$(tag_status faults/app "$(sig_tag "$IMG")")" 404
    mode rekor-400-hostile
    sign_image "$REF"
    expect "4 sign: Rekor 400 fails naming Rekor" 30 "rekor: refused with HTTP 400"
    one_clean_line "4 sign: Rekor 400"
    check "4 sign: Rekor 400: no .sig tag in the registry" eq "$(tag_status faults/app "$(sig_tag "$IMG")")" 404
    echo '{"buildType":"x"}' >"$W/pred.json"
    mode rekor-500-always
    mark
    sign_image "$REF" --max-attempts 2
    expect "4 sign --max-attempts 2: Rekor always 500 fails after 2 attempts" 20 \
      "rekor: refused with HTTP 500: rekor is unavailable (stand-in fault rekor-500-always) (after 2 attempts)"
    check "4 sign --max-attempts 2: the registry's attempt budget bounds Rekor too" eq "$(statuses "$REKOR")" "500 500"
    mark
    run timeout 120 "$SIGIL" attest "$REF" --predicate "$W/pred.json" --type slsaprovenance --identity-token "$TOK" \
      --fulcio-url "$U" --rekor-url "$U" --trusted-root "$TR" -y --timeout 2 </dev/null
    expect "4 attest: Rekor always 500 fails naming Rekor (registry --timeout bounds the services)" 20 \
      "rekor: refused with HTTP 500"
    check "4 attest: no .att tag in the registry" eq "$(tag_status faults/app "$(att_tag "$IMG")")" 404
    N=$(statuses "$REKOR" | wc -w)
    check "4 attest --timeout 2: fewer attempts than the default 5" between "$N" 2 4
    mode rekor-503-once
    sign_image "$REF"
    expect "4 sign: one Rekor 503 is retried and the signature attached" 0 "Logged in the transparency log at index"
    check "4 sign: one Rekor 503: one layer in the .sig manifest" eq "$(layer_count faults/app "$(sig_tag "$IMG")")" 1
    run timeout 60 "$SIGIL" verify "$REF" --certificate-identity "$EMAIL" --certificate-oidc-issuer "$U" \
      --trusted-root "$TR" </dev/null
    expect "4 sign: one Rekor 503: the attached signature verifies" 0
    mode normal
  fi

  # ===========================================================================================
  section "5. $SIGNERS concurrent keyless signers keep $SIGNERS signatures"
  if new_image IMGC faults/race v1; then
    REFC=$H/faults/race@$IMGC
    D=$W/race
    mkdir -p "$D"
    for ((i = 1; i <= SIGNERS; i++)); do
      sigstore_mint_token --email "signer$i@example.com" >"$D/tok.$i"
      chmod 600 "$D/tok.$i"
    done
    # As test_sign_concurrency.sh: every signer parks at a barrier, then all are released at once.
    pids=()
    mark
    for ((i = 1; i <= SIGNERS; i++)); do
      (
        : >"$D/ready.$i"
        deadline=$((${EPOCHREALTIME/./} + 30000000))
        until [[ -e $D/go ]]; do
          ((${EPOCHREALTIME/./} < deadline)) || exit 97
          sleep 0.002
        done
        timeout "$SIGNER_TIMEOUT" "$SIGIL" sign "$REFC" --identity-token "@$D/tok.$i" --fulcio-url "$U" --rekor-url "$U" \
          --trusted-root "$TR" -y </dev/null >"$D/out.$i" 2>&1
      ) &
      pids+=($!)
    done
    deadline=$(($(now_us) + 15000000))
    while (($(now_us) < deadline)) && (($(find "$D" -name 'ready.*' | wc -l) < SIGNERS)); do sleep 0.01; done
    T0=$(now_us)
    : >"$D/go"
    fails=0
    for ((i = 1; i <= SIGNERS; i++)); do
      if ! wait "${pids[i - 1]}"; then
        fails=$((fails + 1))
        echo "       signer $i: $(tail -1 "$D/out.$i")"
      fi
    done
    echo "# $SIGNERS keyless signers: $((($(now_us) - T0) / 1000)) ms"
    check "5 all $SIGNERS keyless signers exit 0" eq "$fails" 0
    check "5 $SIGNERS signatures in the .sig manifest" eq "$(layer_count faults/race "$(sig_tag "$IMGC")")" "$SIGNERS"
    ok=0
    for ((i = 1; i <= SIGNERS; i++)); do
      timeout 60 "$SIGIL" verify "$REFC" --certificate-identity "signer$i@example.com" --certificate-oidc-issuer "$U" \
        --trusted-root "$TR" </dev/null >/dev/null 2>&1 && ok=$((ok + 1))
    done
    check "5 sigil verify passes for each of the $SIGNERS identities" eq "$ok" "$SIGNERS"
    check "5 one Rekor entry per signer, none refused or retried" eq "$(statuses "$REKOR" | tr ' ' '\n' | sort | uniq -c | xargs)" \
      "$SIGNERS 201"
  fi
fi

# =============================================================================================
section "6. no token: how to get one"
run "$SIGIL" sign-blob "$BLOB" --bundle "$W/nt.json" --fulcio-url "$U" --rekor-url "$U" --trusted-root "$TR" </dev/null
expect "6 no --identity-token, no SIGSTORE_ID_TOKEN: a usage error saying how to get a token" 2 \
  "sigil: error: nothing to sign with: pass --key KEY, or an OIDC identity token for keyless signing: in GitLab CI, give the job \`id_tokens: SIGSTORE_ID_TOKEN: aud: sigstore\`; elsewhere pass --identity-token @FILE (or set SIGSTORE_ID_TOKEN)"
check "6 without a terminal: one line, no note" eq "$(wc -l <<<"$ERR")" 1
run env SIGSTORE_ID_TOKEN="   " "$SIGIL" sign "127.0.0.1:9/x/y@sha256:$(printf '0%.0s' {1..64})" </dev/null
expect "6 sign: SIGSTORE_ID_TOKEN blank counts as no token" 2 "in GitLab CI, give the job \`id_tokens: SIGSTORE_ID_TOKEN: aud: sigstore\`"
if command -v script >/dev/null; then
  run script -qec "$(printf '%q ' "$SIGIL" sign-blob "$BLOB" --bundle "$W/nt.json")" /dev/null
  OUT=$(tr -d '\r' <<<"$OUT") # script(1) puts both streams on the terminal: stdout
  check "6 on a terminal: exit 2" eq "$RC" 2
  check "6 on a terminal: a note says there is no browser login and how to pass a token" grep -qF \
    'sigil opens no browser to log in: get an OIDC ID token whose audience is "sigstore" from your identity provider' <<<"$OUT"
  check "6 on a terminal: ... then the error" grep -qF 'nothing to sign with: pass --key KEY' <<<"$OUT"
else
  skip "6 on a terminal (script from util-linux missing)"
fi

finish
