#!/usr/bin/env bash
# Peer tools for interop tests: real cosign 2.5 and skopeo 1.18 from Debian 13 (trixie), fetched
# on a Debian 12 machine without touching the system (see shared/reference/peer-tools.md).
#
#   source scripts/lib/peers.sh; ensure_peers   # sets PEERS_BIN, PEERS_COSIGN, PEERS_SKOPEO
#   bash scripts/lib/peers.sh                   # same, then prints the two wrapper paths
#
# How: `apt-get download` with a private apt state (its own lists, cache, status, sources list and
# hook-free configuration) whose sources list names the mirror the system already uses, suite
# `trixie main`, signed-by the system's debian-archive-keyring; then `dpkg-deb -x` into
# ${SIGIL_PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sigil/peers}/root and two wrappers in
# $SIGIL_PEERS_DIR/bin. A stamp file makes later calls return at once.
#
# Environment: SIGIL_PEERS_DIR (cache folder), SIGIL_PEERS_MIRROR (override the mirror URI),
# SIGIL_PEERS_SUITE (default trixie), SIGIL_PEERS_KEYRING (default the system archive keyring),
# SIGIL_PEERS_TIMEOUT (seconds per apt-get step, default 900).

SIGIL_PEERS_DIR=${SIGIL_PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sigil/peers}
PEERS_BIN=$SIGIL_PEERS_DIR/bin
PEERS_COSIGN=$PEERS_BIN/cosign
PEERS_SKOPEO=$PEERS_BIN/skopeo

# Bump the version when the layout or package set changes: a stale stamp forces a refetch.
_PEERS_PACKAGES="cosign skopeo libc6 libgpgme11t64 libassuan9 libgpg-error0 libsqlite3-0"
_PEERS_STAMP_TEXT="sigil-peers v1 suite=${SIGIL_PEERS_SUITE:-trixie} packages=$_PEERS_PACKAGES"

_peers_log() { echo "peers: $*" >&2; }

# The Debian mirror the system uses (first non-security URI), deb822 first, then one-line format.
_peers_mirror() {
  if [[ -n "${SIGIL_PEERS_MIRROR:-}" ]]; then
    echo "$SIGIL_PEERS_MIRROR"
    return
  fi
  local uri="" f
  for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/*.sources; do
    [[ -r "$f" ]] || continue
    uri=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f" |
      grep -v -e '-security' -e '^cdrom:' | head -n1)
    [[ -n "$uri" ]] && break
  done
  if [[ -z "$uri" ]]; then
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -r "$f" ]] || continue
      # deb [options] URI suite components...
      uri=$(sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" { print $2 }' |
        grep -v -e '-security' -e '^cdrom:' | head -n1)
      [[ -n "$uri" ]] && break
    done
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

_peers_ready() {
  [[ -f "$SIGIL_PEERS_DIR/.stamp" && "$(cat "$SIGIL_PEERS_DIR/.stamp" 2>/dev/null)" == "$_PEERS_STAMP_TEXT" &&
    -x "$PEERS_COSIGN" && -x "$PEERS_SKOPEO" && -x "$SIGIL_PEERS_DIR/root/usr/bin/cosign" &&
    -x "$SIGIL_PEERS_DIR/root/usr/bin/skopeo" ]]
}

# Runs in a subshell (set -e there does not leak into the caller).
_peers_fetch() (
  set -euo pipefail
  local suite=${SIGIL_PEERS_SUITE:-trixie}
  local keyring=${SIGIL_PEERS_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
  local limit=${SIGIL_PEERS_TIMEOUT:-900}
  local arch triplet loader mirror work
  for tool in apt-get dpkg-deb dpkg timeout; do
    command -v "$tool" >/dev/null || { _peers_log "missing $tool (Debian tools required)"; exit 1; }
  done
  [[ -r "$keyring" ]] || { _peers_log "keyring $keyring not readable"; exit 1; }
  arch=$(dpkg --print-architecture)
  case "$arch" in
    amd64) triplet=x86_64-linux-gnu loader=ld-linux-x86-64.so.2 ;;
    arm64) triplet=aarch64-linux-gnu loader=ld-linux-aarch64.so.1 ;;
    *) _peers_log "unsupported architecture $arch"; exit 1 ;;
  esac
  mirror=$(_peers_mirror)
  mkdir -p "$SIGIL_PEERS_DIR"
  work=$(mktemp -d "$SIGIL_PEERS_DIR/.work.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/state/lists/partial" "$work/cache/archives/partial" "$work/etc/preferences.d" \
    "$work/etc/trusted.gpg.d" "$work/debs" "$work/root"
  : >"$work/state/status"
  echo "deb [signed-by=$keyring] $mirror $suite main" >"$work/sources.list"
  # Read after the system configuration (-c): drop every hook so nothing outside $work is run
  # or written (apt.conf.d has e.g. an appstream refresh on update). Proxies etc. stay in effect.
  cat >"$work/apt.conf" <<EOF
#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
#clear DPkg::Pre-Invoke;
#clear DPkg::Post-Invoke;
#clear DPkg::Pre-Install-Pkgs;
EOF
  if [[ $(id -u) -eq 0 ]]; then
    # apt drops to _apt for downloads; let it write the private partial dirs.
    chmod 755 "$work"
    chown -R _apt "$work/state/lists/partial" "$work/cache/archives/partial" "$work/debs" 2>/dev/null || true
  fi
  local -a opts=(
    -c "$work/apt.conf"
    -o "Dir::State=$work/state"
    -o "Dir::State::status=$work/state/status"
    -o "Dir::Cache=$work/cache"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "Dir::Etc::SourceList=$work/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::Etc::Preferences=/dev/null"
    -o "Dir::Etc::PreferencesParts=$work/etc/preferences.d"
    -o "Dir::Etc::Trusted=$work/etc/trusted.gpg"
    -o "Dir::Etc::TrustedParts=$work/etc/trusted.gpg.d"
    -o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
    -o "Acquire::Languages=none"
    -o "Acquire::http::Timeout=30" -o "Acquire::https::Timeout=30" -o "Acquire::Retries=3"
  )
  _peers_log "fetching $_PEERS_PACKAGES from $mirror $suite into $SIGIL_PEERS_DIR"
  if ! timeout "$limit" apt-get -q --error-on=any "${opts[@]}" update >"$work/update.log" 2>&1 ||
    grep -qE '^(Err:|E: |W: Failed to fetch)' "$work/update.log" ||
    ! compgen -G "$work/state/lists/*_dists_${suite}_InRelease" >/dev/null; then
    cat "$work/update.log" >&2
    _peers_log "apt-get update of $suite failed"
    exit 1
  fi
  # apt-get update only warns on an unverifiable Release file in some setups; insist on a verified one.
  if grep -qE '^(W|E): .*(NO_PUBKEY|not signed|EXPKEYSIG|BADSIG|InRelease.*is not valid)' "$work/update.log"; then
    cat "$work/update.log" >&2
    _peers_log "trixie's Release file did not verify with $keyring"
    exit 1
  fi
  # shellcheck disable=SC2086 # package list is a fixed word list
  if ! (cd "$work/debs" && timeout "$limit" apt-get -q "${opts[@]}" download $_PEERS_PACKAGES) \
    >"$work/download.log" 2>&1; then
    cat "$work/download.log" >&2
    _peers_log "apt-get download failed"
    exit 1
  fi
  _peers_log "downloaded $(du -sh "$work/debs" | cut -f1) of packages"
  local deb
  for deb in "$work"/debs/*.deb; do
    dpkg-deb -x "$deb" "$work/root"
  done
  ls "$work"/debs >"$work/root/.packages"
  [[ -x "$work/root/usr/bin/cosign" && -x "$work/root/usr/bin/skopeo" &&
    -e "$work/root/usr/lib/$triplet/$loader" ]] || { _peers_log "extracted tree is incomplete"; exit 1; }

  # Swap the new tree in; wrappers name it by absolute path.
  rm -rf "$SIGIL_PEERS_DIR/root" "$SIGIL_PEERS_DIR/.stamp"
  mv "$work/root" "$SIGIL_PEERS_DIR/root"
  local root=$SIGIL_PEERS_DIR/root
  mkdir -p "$PEERS_BIN"
  {
    echo '#!/bin/sh'
    echo '# Generated by scripts/lib/peers.sh: cosign from Debian trixie.'
    printf 'exec %q "$@"\n' "$root/usr/bin/cosign"
  } >"$PEERS_BIN/.cosign.tmp"
  {
    echo '#!/bin/sh'
    echo "# Generated by scripts/lib/peers.sh: skopeo from Debian trixie, run by trixie's loader."
    printf 'exec %q --library-path %q %q "$@"\n' "$root/usr/lib/$triplet/$loader" \
      "$root/usr/lib/$triplet" "$root/usr/bin/skopeo"
  } >"$PEERS_BIN/.skopeo.tmp"
  chmod 755 "$PEERS_BIN/.cosign.tmp" "$PEERS_BIN/.skopeo.tmp"
  mv -f "$PEERS_BIN/.cosign.tmp" "$PEERS_COSIGN"
  mv -f "$PEERS_BIN/.skopeo.tmp" "$PEERS_SKOPEO"
  "$PEERS_COSIGN" version >/dev/null 2>&1 || { _peers_log "cosign wrapper does not run"; exit 1; }
  "$PEERS_SKOPEO" --version >/dev/null 2>&1 || { _peers_log "skopeo wrapper does not run"; exit 1; }
  echo "$_PEERS_STAMP_TEXT" >"$SIGIL_PEERS_DIR/.stamp"
  _peers_log "ready: $(sed 's/\.deb$//' "$root/.packages" | tr '\n' ' ')"
)

# ensure_peers: make $PEERS_COSIGN / $PEERS_SKOPEO (in $PEERS_BIN) usable; returns non-zero with a
# message on stderr when they cannot be fetched. Safe to call concurrently (flock) and repeatedly.
ensure_peers() {
  export SIGIL_PEERS_DIR PEERS_BIN PEERS_COSIGN PEERS_SKOPEO
  _peers_ready && return 0
  mkdir -p "$SIGIL_PEERS_DIR" || return 1
  local rc=0
  if command -v flock >/dev/null; then
    (
      flock -w "${SIGIL_PEERS_TIMEOUT:-900}" 9 || { _peers_log "timed out waiting for the lock"; exit 1; }
      _peers_ready || _peers_fetch
    ) 9>"$SIGIL_PEERS_DIR/.lock" || rc=$?
  else
    _peers_fetch || rc=$?
  fi
  return "$rc"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  ensure_peers || exit 1
  printf '%s\n' "$PEERS_COSIGN" "$PEERS_SKOPEO"
fi
