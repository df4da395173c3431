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
# No suite reaches the public-good TUF mirror (keyless commands without --trusted-root would):
# TUF is off unless a suite names its own 127.0.0.1 repository (test_tuf.sh), with its own cache.
export SIGIL_TUF_MIRROR=none XDG_CACHE_HOME=$TEST_TMP/cache
unset SIGIL_TUF_ROOT
PASSED=0
FAILED=0
SKIPPED=0
# Output of the last `run`: $OUT (stdout), $ERR (stderr), $RC (exit status).
OUT=""
ERR=""
RC=0

run() {
  _secrets_of_command "$@"
  "$@" >"$TEST_TMP/.out" 2>"$TEST_TMP/.err"
  RC=$?
  OUT=$(cat "$TEST_TMP/.out")
  ERR=$(cat "$TEST_TMP/.err")
  # Every output a test produced is collected, so secret-leak checks can grep it all.
  # The command on one "$ " line (%q: arguments with newlines, such as PEM text, stay on it).
  # Each output ends with a newline here, so the next "$ " line starts a line.
  { printf '$'; printf ' %q' "$@"; printf '\n%s\n%s\n' "$OUT" "$ERR"; } >>"$TEST_TMP/all-output.log"
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
# check_quiet NAME COMMAND...: check for a COMMAND that is not a `run`: a failure shows what
# COMMAND printed, never the stale output of the last `run` (rc=0, no stdout/stderr lines).
check_quiet() {
  local name=$1
  shift
  if "$@"; then pass "$name"; else OUT="" ERR="" RC=0 failed "$name"; fi
}

# Timing: `section TITLE` prints the time since T_START (the start; a test may reset it).
T_START=$EPOCHREALTIME
elapsed_ms() { echo $(((${EPOCHREALTIME/./} - ${T_START/./}) / 1000)); }
section() { echo "# $1 (at $(elapsed_ms) ms)"; }
now_us() { echo "${EPOCHREALTIME/./}"; }

# --- suite preamble ------------------------------------------------------------------------
# A suite that needs outside tools collects what is missing, then skips as a whole:
#   require_tools "$REGISTRY_BIN" openssl curl; find_probe "${2:-}"; require_probe
#   skip_suite_if_missing "registry client tests"
MISSING=""
# require_tools TOOL...: records in MISSING each TOOL that is not a command (name or path).
require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || MISSING+=" $tool"
  done
}
# require_python_module MODULE LABEL: records LABEL in MISSING when $PY cannot import MODULE.
require_python_module() { "$PY" -c "import $1" 2>/dev/null || MISSING+=" $2"; }
# find_probe [PATH]: PROBE=PATH (a test's second argument), else the probe next to $SIGIL's build.
find_probe() { PROBE=${1:-$(dirname "$SIGIL")/../tests/integration/sigil_registry_probe}; }
# require_probe: records the probe in MISSING when $PROBE is not executable.
require_probe() { [[ -x $PROBE ]] || MISSING+=" sigil_registry_probe ($PROBE)"; }
# skip_suite_if_missing DESCRIPTION [--peers]: with anything in MISSING, the whole suite is one
# skip "DESCRIPTION (missing: ...)" and the script ends here (finish, exit). --peers: with
# SIGIL_REQUIRE_PEERS=1 a missing tool is a failure as well.
skip_suite_if_missing() {
  [[ -z $MISSING ]] && return 0
  skip "$1 (missing:$MISSING)"
  [[ ${2:-} == --peers && ${SIGIL_REQUIRE_PEERS:-} == 1 ]] && failed "SIGIL_REQUIRE_PEERS=1 but missing:$MISSING"
  finish
  exit
}
# abort_suite NAME: a failed case NAME (what the suite needs could not be set up), then the
# script ends here (finish, exit).
abort_suite() {
  RC=1 OUT="" ERR=""
  failed "$1"
  finish
  exit
}
# isolate_home [VAR...]: nothing of the user's: HOME is a fresh directory in TEST_TMP, and no
# docker config, CA bundle override, CI registry or signature repository override (nor VAR...).
isolate_home() {
  export HOME=$TEST_TMP/home
  mkdir -p "$HOME"
  unset DOCKER_CONFIG SSL_CERT_FILE CI_REGISTRY CI_REGISTRY_USER CI_REGISTRY_PASSWORD CI_JOB_TOKEN \
    SIGIL_REPOSITORY COSIGN_REPOSITORY "$@"
}

# --- more expectations and helpers -----------------------------------------------------------
# expect_fail NAME [STDERR_SUBSTRING]: the last run failed (any non-zero status).
expect_fail() {
  local name=$1 want_err=${2:-}
  if [[ $RC == 0 ]]; then
    failed "$name (want failure)"
    return 1
  fi
  if [[ -n $want_err && $ERR != *"$want_err"* ]]; then
    failed "$name (stderr lacks: $want_err)"
    return 1
  fi
  pass "$name (exit $RC)"
}
# expect_no NAME TEXT: the last run printed TEXT nowhere (stdout or stderr).
expect_no() {
  if [[ $OUT == *"$2"* || $ERR == *"$2"* ]]; then
    failed "$1 (output has: $2)"
    return 1
  fi
  pass "$1"
}
# count_in TEXT NEEDLE: how many lines of TEXT contain NEEDLE.
count_in() { printf '%s\n' "$1" | grep -cF -- "$2"; }
# sig_tag DIGEST / att_tag DIGEST: the tags cosign keeps DIGEST's signatures / attestations under.
sig_tag() { echo "sha256-${1#sha256:}.sig"; }
att_tag() { echo "sha256-${1#sha256:}.att"; }
# new_image VAR REPO TAG [push_test_image options]: pushes a fresh image to $H (registry_lib.sh),
# VAR=its digest; a failed case when the push fails.
new_image() {
  local var=$1 d
  shift
  d=$(push_test_image "$H" "$@") || d=""
  printf -v "$var" '%s' "$d"
  if [[ $d != sha256:* ]]; then
    RC=1 OUT="" ERR="push_test_image $H $*"
    failed "push $H/$1:$2"
    return 1
  fi
}

have_shared() { [[ -d "$SHARED_DIR/fixtures" && -d "$SHARED_DIR/conformance" ]]; }

# --- secret scan ---------------------------------------------------------------------------
# secret VALUE...: a value that must never appear in sigil's output or in the files a test
# leaves (passwords, registry passwords, tokens). registry_lib registers its generated
# passwords and the token issuers' tokens; `finish` adds SIGIL_PASSWORD/COSIGN_PASSWORD and the
# base64 lines of every unencrypted private key PEM in TEST_TMP, then scans.
secret() {
  local v
  for v in "$@"; do
    [[ ${#v} -ge 6 ]] && printf '%s\n' "$v" >>"$TEST_TMP/.secrets"
  done
  return 0
}

# _secrets_of_command CMD...: what a command line gives sigil in confidence, registered as
# secrets: SIGIL_PASSWORD / COSIGN_PASSWORD of the caller's environment (VAR=x run ...),
# VAR=value arguments (env ... VAR=value) whose name says PASSWORD, TOKEN or SECRET, and the
# value after --registry-password / --password.
_secrets_of_command() {
  secret "${SIGIL_PASSWORD:-}" "${COSIGN_PASSWORD:-}"
  local a prev=""
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z_]*(PASSWORD|TOKEN|SECRET)[A-Za-z_]*=(.+)$ ]]; then
      secret "${BASH_REMATCH[2]}"
    elif [[ $prev == --registry-password || $prev == --password ]]; then
      secret "$a"
    fi
    prev=$a
  done
  return 0
}

# _secret_scan: searches every output of `run` (the command lines themselves excepted: they
# carry --registry-password on purpose) and every file under TEST_TMP for the known secrets.
# Not searched: the files that hold a secret by design (private keys, a password file whose
# whole content is the password, docker config.json written by `sigil login`) and the test
# servers' own state (registry storage and configuration, CA, token issuer, TLS front, the
# Sigstore stand-in's sigstore-* state directory).
# Fails the test naming the file and the kind of secret, never the secret.
_secret_scan() {
  [[ -d $TEST_TMP ]] || return 0
  "${REGISTRY_PYTHON:-/usr/bin/python3}" - "$TEST_TMP" "$(basename "$0" .sh)" "${SIGIL_SECRET_SCAN_DIR:-}" <<'PY'
import os, re, sys
root, test, summary_dir = sys.argv[1], sys.argv[2], sys.argv[3]
secrets = {}  # value -> kind
def add(value, kind):
    value = value.strip()
    if len(value) >= 6:
        secrets.setdefault(value, kind)
for name, kind in ((".secrets", "password or token"), (".secrets-tokens", "bearer token")):
    try:
        for line in open(os.path.join(root, name), encoding="utf-8", errors="replace"):
            add(line, kind)
    except FileNotFoundError:
        pass
for var in ("SIGIL_PASSWORD", "COSIGN_PASSWORD"):
    add(os.environ.get(var, ""), "key password")
skip_dirs = re.compile(r"^(registry-[^/]*|issuer-[^/]*|tls-front-[^/]*|push\.[^/]*|sigstore-[^/]*)(/|$)")
pem_re = re.compile(rb"-----BEGIN (?:EC |RSA |)PRIVATE KEY-----\s*(.*?)-----END", re.S)
files = []
for dirpath, dirnames, filenames in os.walk(root):
    rel = os.path.relpath(dirpath, root)
    if rel != "." and skip_dirs.match(rel + "/"):
        dirnames[:] = []
        continue
    for f in filenames:
        path = os.path.join(dirpath, f)
        if os.path.islink(path) or not os.path.isfile(path) or os.path.getsize(path) > (8 << 20):
            continue
        files.append(path)
contents = {}
for path in files:
    with open(path, "rb") as fh:
        data = fh.read()
    contents[path] = data
    for body in pem_re.findall(data):
        for line in body.split():
            if len(line) >= 40:
                add(line.decode("ascii", "replace"), "private key")
needles = [(v.encode(), k) for v, k in secrets.items()]
leaks, scanned_bytes = [], 0
for path, data in contents.items():
    name = os.path.basename(path)
    if name.startswith(".secrets") or name in (".out", ".err", "config.json"):
        continue
    if b"PRIVATE KEY-----" in data:
        continue  # a key file: holds its key by design
    if secrets.get(data.strip().decode("utf-8", "replace"), "private key") != "private key":
        continue  # a password file: the password and nothing else
    if name == "all-output.log":
        data = b"\n".join(l for l in data.split(b"\n") if not l.startswith(b"$ "))
    scanned_bytes += len(data)
    for needle, kind in needles:
        at = data.find(needle)
        if at >= 0:
            line_start = data.rfind(b"\n", 0, at) + 1
            before = data[line_start:at][-80:].decode("utf-8", "replace")
            if line_start < at - 80:
                before = data[line_start:line_start + 20].decode("utf-8", "replace") + " ... " + before
            leaks.append(f"{os.path.relpath(path, root)}: a {kind} ({len(needle)} bytes) after: {before!r}")
for l in leaks:
    print(f"FAIL - secret scan: {l}")
print(f"# secret scan: {len(secrets)} secrets, {len(contents)} files, {scanned_bytes} bytes searched, {len(leaks)} leaks")
if summary_dir:
    os.makedirs(summary_dir, exist_ok=True)
    with open(os.path.join(summary_dir, test + ".summary"), "w") as fh:
        fh.write(f"{test} {len(secrets)} {len(contents)} {scanned_bytes} {len(leaks)}\n")
sys.exit(1 if leaks else 0)
PY
}

finish() {
  if _secret_scan; then pass "secret scan: no known secret in any output or file"; else FAILED=$((FAILED + 1)); fi
  echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
  [[ $FAILED -eq 0 ]]
}
