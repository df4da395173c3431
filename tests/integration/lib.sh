# Shared helpers for sigil's shell-driven integration tests.
# Usage: source this file; set SIGIL to the binary under test (first argument of each test).
# Each test script calls `run_case NAME command...` / expect_* helpers and ends with `finish`.
set -uo pipefail

SIGIL=${SIGIL:-${1:-}}
if [[ -z "$SIGIL" || ! -x "$SIGIL" ]]; then
  echo "usage: $0 PATH_TO_SIGIL" >&2
  exit 2
fi
SHARED_DIR=${SIGIL_SHARED_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared}
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sigil-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT
PASSED=0
FAILED=0
SKIPPED=0
# Output of the last `run`: $OUT (stdout), $ERR (stderr), $RC (exit status).
OUT=""
ERR=""
RC=0

run() {
  "$@" >"$TEST_TMP/.out" 2>"$TEST_TMP/.err"
  RC=$?
  OUT=$(cat "$TEST_TMP/.out")
  ERR=$(cat "$TEST_TMP/.err")
  # Every output a test produced is collected, so secret-leak checks can grep it all.
  { echo "\$ $*"; cat "$TEST_TMP/.out" "$TEST_TMP/.err"; } >>"$TEST_TMP/all-output.log"
}

pass() { PASSED=$((PASSED + 1)); echo "ok   - $1"; }
failed() {
  FAILED=$((FAILED + 1))
  echo "FAIL - $1"
  echo "       rc=$RC"
  [[ -n "$OUT" ]] && echo "$OUT" | sed 's/^/       stdout: /' | head -20
  [[ -n "$ERR" ]] && echo "$ERR" | sed 's/^/       stderr: /' | head -20
}
skip() { SKIPPED=$((SKIPPED + 1)); echo "skip - $1"; }

# expect NAME RC [STDERR_SUBSTRING]: checks the last run's status and (optionally) stderr text.
expect() {
  local name=$1 want_rc=$2 want_err=${3:-}
  if [[ "$RC" != "$want_rc" ]]; then
    failed "$name (want exit $want_rc)"
    return 1
  fi
  if [[ -n "$want_err" && "$ERR" != *"$want_err"* ]]; then
    failed "$name (stderr lacks: $want_err)"
    return 1
  fi
  pass "$name"
}

# expect_out NAME SUBSTRING: checks the last run's stdout.
expect_out() {
  if [[ "$OUT" != *"$2"* ]]; then
    failed "$1 (stdout lacks: $2)"
    return 1
  fi
  pass "$1"
}

# check NAME COMMAND...: passes when COMMAND succeeds; eq/le/ge/between say what differed.
check() {
  local name=$1
  shift
  if "$@"; then pass "$name"; else failed "$name"; fi
}
eq() { [[ "$1" == "$2" ]] || { echo "       want '$2', got '$1'"; return 1; }; }
le() { (($1 <= $2)) || { echo "       want <= $2, got $1"; return 1; }; }
ge() { (($1 >= $2)) || { echo "       want >= $2, got $1"; return 1; }; }
between() { (($1 >= $2 && $1 <= $3)) || { echo "       want $2..$3, got $1"; return 1; }; }

have_shared() { [[ -d "$SHARED_DIR/fixtures" && -d "$SHARED_DIR/conformance" ]]; }

finish() {
  echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
  [[ $FAILED -eq 0 ]]
}
