#!/usr/bin/env bash
# Installation and the Debian package:
#   - `cmake --install` puts the binary, every man page (share/man/man1, man7), the bash and zsh
#     completions and the licence under the prefix; man finds the installed pages; the installed
#     bash completion completes `sigil ver`;
#   - `cpack -G DEB` builds sigil_<version>_<arch>.deb: its control fields, its file list (all
#     under /usr), a stripped binary with no build-tree RPATH, and run-time dependencies that
#     name the Debian package of every shared library the binary needs;
#   - `dpkg -x` into a temporary root, and the installed `sigil version` runs and reports the
#     project's version.
# Usage: test_packaging.sh SIGIL BUILD_DIR
source "$(dirname "$0")/lib.sh"
BUILD=${2:-$(cd "$(dirname "$SIGIL")/.." && pwd)}
VERSION=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD/CMakeCache.txt")
[[ -n $VERSION ]] && pass "project version $VERSION (from $BUILD)" || { RC=1 failed "no CMakeCache.txt in $BUILD"; finish; exit; }
PAGES=$(cd "$BUILD/man" 2>/dev/null && ls ./*.[0-9] 2>/dev/null | sed 's|^\./||')

# --- cmake --install --------------------------------------------------------------------------
PREFIX=$TEST_TMP/prefix
run cmake --install "$BUILD" --prefix "$PREFIX"
expect "cmake --install" 0
[[ -x $PREFIX/bin/sigil ]] && pass "installs bin/sigil" || failed "no bin/sigil"
missing=()
for page in $PAGES; do
  [[ -f $PREFIX/share/man/man${page##*.}/$page ]] || missing+=("$page")
done
[[ -n $PAGES && ${#missing[@]} -eq 0 ]] && pass "installs all $(wc -w <<<"$PAGES") man pages under share/man/manN" ||
  { RC=1 OUT="" ERR="not installed: ${missing[*]:-no pages built}" failed "man pages"; }
[[ -f $PREFIX/share/man/man1/sigil.1 && -f $PREFIX/share/man/man7/sigil-environment.7 ]] &&
  pass "sigil(1) in man1, sigil-environment(7) in man7" || failed "sigil.1 / sigil-environment.7 placement"
[[ -f $PREFIX/share/bash-completion/completions/sigil ]] && pass "installs the bash completion" || failed "bash completion"
[[ -f $PREFIX/share/zsh/vendor-completions/_sigil ]] && pass "installs the zsh completion" || failed "zsh completion"
[[ -f $PREFIX/share/doc/sigil/LICENSE ]] && pass "installs the licence" || failed "licence"

run env MANPATH="$PREFIX/share/man" MANWIDTH=80 man -P cat sigil-verify
[[ $RC -eq 0 && $OUT == *"sigil-verify - verify the signatures of container images"* ]] &&
  pass "man finds the installed sigil-verify(1)" || failed "man sigil-verify from the install prefix"

got=$(PATH=$PREFIX/bin:$PATH bash --norc --noprofile -c '
  source "$1/share/bash-completion/completions/sigil"
  COMP_WORDS=(sigil ver); COMP_CWORD=1; _sigil sigil ver sigil
  printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$PREFIX")
[[ $got == "verify verify-attestation verify-blob verify-blob-attestation version " ]] &&
  pass "the installed bash completion completes 'sigil ver'" || { RC=1 OUT="got: $got" ERR="" failed "installed completion"; }

# --- cpack -G DEB -----------------------------------------------------------------------------
if ! command -v dpkg-shlibdeps >/dev/null || ! command -v dpkg-deb >/dev/null; then
  skip "Debian package (dpkg-dev is not installed)"
  finish
  exit
fi
run cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$TEST_TMP/cpack"
expect "cpack -G DEB" 0
ARCH=$(dpkg --print-architecture)
DEB=$TEST_TMP/cpack/sigil_${VERSION}_$ARCH.deb
[[ -f $DEB ]] && pass "built $(basename "$DEB")" || { RC=1 failed "no $DEB"; finish; exit; }

field() { dpkg-deb -f "$DEB" "$1"; }
[[ $(field Package) == sigil && $(field Version) == "$VERSION" && $(field Architecture) == "$ARCH" ]] &&
  pass "control: Package sigil, Version $VERSION, Architecture $ARCH" || failed "control fields"
[[ -n $(field Maintainer) && -n $(field Description) && $(field Section) == utils ]] &&
  pass "control: Maintainer, Description, Section" || failed "control: Maintainer/Description/Section"

# Run-time dependencies: the package of every library the binary needs is in Depends.
DEPENDS=$(field Depends)
needed=$(objdump -p "$SIGIL" | awk '$1 == "NEEDED" { print $2 }')
undeclared=()
for lib in $needed; do
  path=$(ldd "$SIGIL" | awk -v l="$lib" '$1 == l { print $3 }')
  # The dynamic loader (NEEDED by the static libstdc++'s TLS code) is listed by ldd with its
  # path first and no "=>": it is libc6's.
  [[ -z $path && $lib == ld-linux* ]] && path=$(ldd "$SIGIL" | awk -v l="$lib" 'index($1, "/" l) { print $1 }')
  pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1)
  [[ -z $pkg ]] && pkg=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1)
  [[ -n $pkg && ",$(tr -d ' ' <<<"$DEPENDS")," == *",$pkg("* || ",$(tr -d ' ' <<<"$DEPENDS")," == *",$pkg,"* ]] ||
    undeclared+=("$lib (${pkg:-no package})")
done
[[ -n $needed && ${#undeclared[@]} -eq 0 ]] &&
  pass "Depends names the package of each of the $(wc -w <<<"$needed") shared libraries: $DEPENDS" ||
  { RC=1 OUT="Depends: $DEPENDS" ERR="not declared: ${undeclared[*]}" failed "run-time dependencies"; }

# libcurl is not in NEEDED (sigil loads libcurl.so.4 with dlopen on first network use), so
# shlibdeps cannot find it: Depends must name its package by hand.
curl_pkg=$(dpkg -S "$(readlink -f "$(/sbin/ldconfig -p | awk '$1 == "libcurl.so.4" { print $NF; exit }')")" 2>/dev/null | head -1 | cut -d: -f1)
[[ -n $curl_pkg && ",$(tr -d ' ' <<<"$DEPENDS")," == *",$curl_pkg("* ]] && ! grep -qw libcurl.so.4 <<<"$needed" &&
  pass "Depends names $curl_pkg, which sigil loads with dlopen (not in NEEDED)" ||
  { RC=1 OUT="Depends: $DEPENDS" ERR="libcurl package ${curl_pkg:-?}; NEEDED: $needed" failed "dlopened libcurl in Depends"; }

# The CI image (ci-templates/Dockerfile, not buildable here) installs the same libraries in its
# runtime stage; libc6, libgcc-s1 and libstdc++6 are part of debian:*-slim already.
DOCKERFILE=$(cd "$(dirname "$0")/../.." && pwd)/ci-templates/Dockerfile
runtime=$(sed -n '/^FROM debian:.*-slim/,$p' "$DOCKERFILE" | tr -s ' \\\n' ' ')
absent=()
for pkg in $(tr ',' '\n' <<<"$DEPENDS" | sed 's/(.*//; s/ //g'); do
  case $pkg in libc6 | libgcc-s1 | libstdc++6) continue ;; esac
  [[ " $runtime " == *" $pkg "* ]] || absent+=("$pkg")
done
[[ -n $runtime && ${#absent[@]} -eq 0 ]] && pass "the CI image's runtime stage installs every library package in Depends" ||
  { RC=1 OUT="" ERR="missing from ci-templates/Dockerfile: ${absent[*]}" failed "Dockerfile runtime libraries"; }
grep -q '^USER 10001' "$DOCKERFILE" && ! grep -q '^ENTRYPOINT' "$DOCKERFILE" &&
  pass "the CI image runs as a non-root user and has no ENTRYPOINT" || failed "Dockerfile USER/ENTRYPOINT"

run dpkg-deb -c "$DEB"
listing=$OUT
outside=$(awk '{ print $6 }' <<<"$listing" | grep -v '^\./usr/' | grep -v '^\./$')
[[ -z $outside ]] && pass "every file is under /usr" || { RC=1 OUT=$outside ERR="" failed "files outside /usr"; }
for f in ./usr/bin/sigil ./usr/share/man/man1/sigil.1 ./usr/share/man/man1/sigil-sign.1 \
  ./usr/share/man/man7/sigil-environment.7 ./usr/share/bash-completion/completions/sigil \
  ./usr/share/zsh/vendor-completions/_sigil; do
  grep -q " $f\$" <<<"$listing" || { RC=1 OUT="" ERR="" failed "the package lacks $f"; continue; }
  pass "the package has $f"
done

# --- dpkg -x and run ---------------------------------------------------------------------------
ROOT=$TEST_TMP/root
run dpkg -x "$DEB" "$ROOT"
expect "dpkg -x into a temporary root" 0
BIN=$ROOT/usr/bin/sigil
run file "$BIN"
[[ $OUT == *", stripped"* ]] && pass "the packaged binary is stripped" || failed "the packaged binary is not stripped"
run readelf -d "$BIN"
[[ $OUT != *RPATH* && $OUT != *RUNPATH* ]] && pass "the packaged binary has no RPATH into the build tree" || failed "RPATH/RUNPATH in the packaged binary"
run "$BIN" version
expect "the installed sigil version runs" 0
[[ $OUT == "sigil $VERSION"* ]] && pass "the installed sigil reports version $VERSION" || failed "installed sigil version"
run "$BIN" version -o json
[[ $OUT == *"\"version\":\"$VERSION\""* ]] && pass "sigil version -o json from the package" || failed "version -o json"

finish
