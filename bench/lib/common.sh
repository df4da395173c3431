# shellcheck shell=bash disable=SC2034 # variables set here are used by the scripts sourcing this
# Shared helpers for sigil's benchmark scripts (bench/*). Not a test library: benchmarks print
# tables and exit 0; they never decide pass/fail.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#   bench_init NAME           # temp dir, private copy of sigil, cleanup on exit
#   bench_registry            # starts an anonymous docker-registry (REG_*), via registry_lib.sh
#   bench_peers               # cosign 2.5 / skopeo 1.18 from scripts/lib/peers.sh
#
# Environment:
#   SIGIL         the sigil binary (default: <repo>/build/cli/sigil); copied to a temp dir at the
#                 start, since the build tree may be relinked while a benchmark runs
#   BENCH_TMP     parent for temp files (default ${TMPDIR:-/tmp})
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_ROOT=$(cd "$BENCH_DIR/.." && pwd)
BENCH_PY=${BENCH_PY:-/usr/bin/python3}

bench_log() { echo "bench: $*" >&2; }
bench_die() { echo "bench: error: $*" >&2; exit 1; }

# The load while we measure: other work on the machine makes numbers noisy.
bench_load() {
  printf 'load %s (1-min avg over %s cores)' "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)"
}

bench_header() {
  echo "== $1 =="
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "sigil: $("$SIGIL" version 2>/dev/null | head -1) ($("$SIGIL" version 2>/dev/null | sed -n 's/^git commit: //p'))"
  echo "$(bench_load) at start"
}

bench_init() {
  local name=$1
  local src=${SIGIL:-$BENCH_ROOT/build/cli/sigil}
  [[ -x $src ]] || bench_die "no sigil binary at $src (build: cmake --build build -j2, or set SIGIL)"
  BENCH_WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/sigil-bench-$name.XXXXXX")
  # registry_lib.sh chains onto this trap and removes its servers first.
  trap 'rm -rf "$BENCH_WORK"' EXIT
  mkdir -p "$BENCH_WORK/bin"
  cp "$src" "$BENCH_WORK/bin/sigil"
  SIGIL=$BENCH_WORK/bin/sigil
  # The timing launcher (see lib/runproc.c: why not Python's own spawn).
  gcc -O2 -static -o "$BENCH_WORK/bin/runproc" "$BENCH_DIR/lib/runproc.c" 2>"$BENCH_WORK/runproc.log" ||
    gcc -O2 -o "$BENCH_WORK/bin/runproc" "$BENCH_DIR/lib/runproc.c" ||
    bench_die "could not build bench/lib/runproc.c"
  BENCH_RUNPROC=$BENCH_WORK/bin/runproc
  export SIGIL BENCH_WORK BENCH_RUNPROC
  TEST_TMP=$BENCH_WORK
}

bench_registry() {
  # shellcheck source=../../tests/integration/registry_lib.sh
  source "$BENCH_ROOT/tests/integration/registry_lib.sh"
  start_registry REG anon || bench_die "could not start docker-registry"
}

bench_peers() {
  # shellcheck source=../../scripts/lib/peers.sh
  source "$BENCH_ROOT/scripts/lib/peers.sh"
  ensure_peers || bench_die "could not fetch cosign/skopeo (scripts/lib/peers.sh)"
  COSIGN=$PEERS_COSIGN
  SKOPEO=$PEERS_SKOPEO
}

# A P-256 key pair in cosign's encrypted format, made by sigil: $BENCH_WORK/k.key, k.pub.
bench_keypair() {
  BENCH_PASSWORD=bench-password
  (cd "$BENCH_WORK" && SIGIL_PASSWORD=$BENCH_PASSWORD "$SIGIL" generate-key-pair --output-key-prefix k \
    >/dev/null 2>&1) || bench_die "generate-key-pair failed"
  printf '%s\n' "$BENCH_PASSWORD" >"$BENCH_WORK/pass"
  KEY=$BENCH_WORK/k.key
  PUB=$BENCH_WORK/k.pub
}

# measure ARGS...: bench/lib/measure.py
measure() { "$BENCH_PY" "$BENCH_DIR/lib/measure.py" "$@"; }
