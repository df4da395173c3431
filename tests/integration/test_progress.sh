#!/usr/bin/env bash
# The progress line on a terminal (issue 18), on a pseudo-terminal from script(1):
#  B. sign-blob / verify-blob of a 120 MiB (sparse) file draw "LABEL: DONE/TOTAL MiB, RATE MiB/s"
#     on stderr, each redraw starting with \r and ESC[K, and clear the line (\r ESC[K) before
#     the result line; from stdin ("-") the line has no total. A 1 MiB file draws nothing.
#     With stderr redirected to a file (stdout still the terminal) the file holds exactly what
#     it holds off a terminal, and the terminal shows no progress.
#  M. sign and verify of 3 images draw "sign: 0/3 images", "sign: 1/3 images" (and verify's)
#     and clear the line before the "Signed" / result lines; one image draws nothing; verify
#     -o json (asked for) draws nothing; stderr to a file: nothing extra.
# Tests never time: the 10-redraws-a-second cap is not measured here.
# Usage: test_progress.sh PATH_TO_SIGIL
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"

require_tools script truncate "$REGISTRY_BIN" "$REGISTRY_SKOPEO" openssl curl "$PY"
skip_suite_if_missing "progress tests"

isolate_home COSIGN_PASSWORD NO_COLOR
export SIGIL_PASSWORD=progress-test-password
W=$TEST_TMP/w
mkdir -p "$W"
cd "$W" || exit 1

# on_tty SHELL_COMMAND: runs it with stdin, stdout and stderr on a pseudo-terminal; TTY = what
# the terminal showed, \r as <CR> and ESC[K as <EL>.
on_tty() {
  run timeout 120 script -qfec "$1" /dev/null </dev/null
  TTY=$(printf '%s' "$OUT" | sed -e 's/\r/<CR>/g' -e 's/\x1b\[K/<EL>/g')
}
# shows NAME ERE: the terminal showed ERE (grep -E on TTY).
shows() { if grep -qE -- "$2" <<<"$TTY"; then pass "$1"; else failed "$1 (terminal lacks /$2/: $TTY)"; fi; }
shows_not() { if grep -qE -- "$2" <<<"$TTY"; then failed "$1 (terminal shows /$2/: $TTY)"; else pass "$1"; fi; }
S=$(printf '%q' "$SIGIL")

section "setup: key, a 120 MiB sparse file, a 1 MiB file"
run "$SIGIL" generate-key-pair --output-key-prefix k
expect "setup: generate-key-pair" 0 || { finish; exit; }
truncate -s 120M big && head -c 1048576 /dev/zero >small || { failed "setup: files"; finish; exit; }

section "B. sign-blob / verify-blob of a large file"
on_tty "$S sign-blob big --key k.key --bundle big.json"
expect "B: sign-blob on a terminal" 0
shows "B: sign-blob: bytes of the total and the rate, redrawn with \\r ESC[K" \
  '<CR><EL>sign-blob big: [0-9]+\.[0-9]/120\.0 MiB, [0-9]+\.[0-9] MiB/s'
shows "B: sign-blob: the line is cleared before the result" '<CR><EL>Wrote bundle to big\.json<CR>$'
on_tty "$S verify-blob big --key k.pub --bundle big.json"
expect "B: verify-blob on a terminal" 0
shows "B: verify-blob: bytes of the total and the rate" \
  '<CR><EL>verify-blob big: [0-9]+\.[0-9]/120\.0 MiB, [0-9]+\.[0-9] MiB/s'
shows "B: verify-blob: the line is cleared before the result" '<CR><EL>Verified OK<CR>$'
on_tty "$S sign-blob - --key k.key --bundle stdin.json <big"
expect "B: sign-blob - (stdin) on a terminal" 0
shows "B: stdin: bytes and rate, no total (past 64 MiB)" '<CR><EL>sign-blob -: [0-9]+\.[0-9] MiB, [0-9]+\.[0-9] MiB/s'
shows_not "B: stdin: nothing drawn before 64 MiB" 'sign-blob -: ([0-9]|[1-5][0-9]|6[0-3])\.[0-9] MiB,'
on_tty "$S sign-blob small --key k.key --bundle small.json"
expect "B: a 1 MiB file" 0
check "B: a 1 MiB file: no progress, just the result" eq "$TTY" "Wrote bundle to small.json<CR>"

run "$SIGIL" sign-blob big --key k.key --bundle plain.json
expect "B: sign-blob off a terminal" 0
PLAIN_ERR=$ERR
on_tty "$S sign-blob big --key k.key --bundle plain.json 2>err.txt"
expect "B: stderr to a file, stdout on the terminal" 0
check "B: the file holds what stderr holds off a terminal" eq "$(cat err.txt)" "$PLAIN_ERR"
check "B: ... exactly" eq "$(od -c err.txt)" "$(printf 'Wrote bundle to plain.json\n' | od -c)"
check "B: the terminal shows nothing" eq "$TTY" ""
on_tty "$S verify-blob big --key k.pub --bundle plain.json 2>err.txt"
expect "B: verify-blob, stderr to a file" 0
check "B: verify-blob: the file holds only the result" eq "$(od -c err.txt)" "$(printf 'Verified OK\n' | od -c)"

section "M. several images"
start_registry REG anon || { failed "start registry"; finish; exit; }
H=$REG_HOST
IMG=$H/app/progress
if ! { new_image A app/progress a && new_image B app/progress b && new_image C app/progress c; }; then finish; exit; fi
on_tty "$S sign $IMG@$A $IMG@$B $IMG@$C --key k.key"
expect "M: sign 3 images on a terminal" 0
shows "M: sign: 0/3, then 1/3 images" '<CR><EL>sign: 0/3 images<CR><EL>sign: 1/3 images'
shows "M: sign: the line is cleared before the results" "<CR><EL>Signed $IMG@$A<CR>"
check "M: sign: 3 Signed lines" eq "$(grep -o 'Signed ' <<<"$TTY" | wc -l)" 3
on_tty "$S verify $IMG@$A $IMG@$B $IMG@$C --key k.pub -o text"
expect "M: verify 3 images on a terminal" 0
shows "M: verify: 0/3, then 1/3 images" '<CR><EL>verify: 0/3 images<CR><EL>verify: 1/3 images'
check "M: verify: the line is cleared, then the results on the next line" eq \
  "$(awk '/images/ { if ($0 !~ /images<CR><EL><CR>$/) print "not cleared: " $0; getline; print substr($0, 1, 17) }' <<<"$TTY")" \
  "Verification for "
on_tty "$S verify $IMG@$A $IMG@$B $IMG@$C --key k.pub -o json"
expect "M: verify -o json on a terminal" 0
shows_not "M: -o json: no progress" 'images|<EL>'
on_tty "$S verify $IMG@$A --key k.pub -o text"
expect "M: verify one image" 0
shows_not "M: one image: no progress" 'images|<EL>'
run "$SIGIL" verify "$IMG@$A" "$IMG@$B" "$IMG@$C" --key k.pub -o text
PLAIN_ERR=$ERR
on_tty "$S verify $IMG@$A $IMG@$B $IMG@$C --key k.pub -o text 2>err.txt"
expect "M: verify, stderr to a file" 0
check "M: the file holds what stderr holds off a terminal" eq "$(cat err.txt)" "$PLAIN_ERR"
check "M: no \\r in the file" eq "$(tr -cd '\r' <err.txt | wc -c)" 0

finish
