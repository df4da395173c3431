# Installs the Debian packages sigil needs, only those that are missing (so a second run is
# fast). Sourced by scripts/test and scripts/demo.

SIGIL_APT_PACKAGES=(
  g++ cmake make pkg-config git ca-certificates openssl
  libssl-dev libcurl4-openssl-dev nlohmann-json3-dev libfmt-dev libcli11-dev doctest-dev libsodium-dev libre2-dev
  libyaml-cpp-dev
  docker-registry skopeo apache2-utils python3 python3-cryptography
  scdoc mandoc man-db groff-base file dpkg-dev zsh rsync ccache
)
# scdoc builds the man pages; mandoc, man-db and groff-base check them; dpkg-dev (with file)
# lets cpack build the .deb and derive its dependencies; zsh tests the zsh completion; rsync is
# needed by gitlab-ci-local, which runs the GitLab CI templates; ccache makes the second build of
# a tree (and of any other clone on the same machine) mostly cache hits.

# Only for scripts/fuzz (and the fuzz_smoke test, which runs it): libFuzzer needs clang, and
# no Debian 12 clang compiles libstdc++'s <expected>, so the fuzz targets use clang 16 with
# libc++ 16 (see tests/fuzz/CMakeLists.txt).
SIGIL_FUZZ_APT_PACKAGES=(clang-16 libc++-16-dev libc++abi-16-dev libclang-rt-16-dev)

ensure_apt_packages() {
  local missing=() p
  for p in "${SIGIL_APT_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  echo "==> installing Debian packages: ${missing[*]}"
  local sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts a system registry on :5000 on install; sigil's tests start their own.
  if command -v systemctl >/dev/null 2>&1; then "${sudo[@]}" systemctl stop docker-registry 2>/dev/null || true; fi
}

# Configures and builds into $1 (default build) with extra cmake arguments.
build_sigil() {
  local dir=${1:-build}
  shift || true
  local launcher=()
  if command -v ccache >/dev/null 2>&1; then
    # Paths under the source tree are hashed relative to it, so clones in other folders share
    # the cache.
    export CCACHE_BASEDIR=$PWD
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  cmake -S . -B "$dir" -DSIGIL_WERROR=ON "${launcher[@]}" "$@" >/dev/null
  cmake --build "$dir" -j"$(nproc)"
}
