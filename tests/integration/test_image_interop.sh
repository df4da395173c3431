#!/usr/bin/env bash
# Image signing interop: sigil against real cosign 2.5 and skopeo 1.18 (Debian trixie builds,
# fetched by scripts/lib/peers.sh) on a real registry (Debian docker-registry 2.8, anonymous HTTP,
# behind the fault proxy for request logs). Usage: test_image_interop.sh PATH_TO_SIGIL
#
#  1. cosign sign --key --tlog-upload=false        -> sigil verify (digest, tag, -a, other key: 12)
#  2. skopeo copy --sign-by-sigstore-private-key   -> sigil verify (other key: 12)
#  3. sigil sign -> cosign verify --key --insecure-ignore-tlog=true, and a skopeo policy.json
#     (sigstoreSigned, keyPath, signedIdentity matchRepository) checked by `skopeo copy`;
#     another key is rejected by both. signedIdentity matchRepoDigestOrExact is measured too:
#     it never accepts the name-only identity cosign and sigil write (only skopeo's tagged
#     one, pulled by that tag or by digest). A signature copied to another repository.
#  4. keys: sigil generate-key-pair keys sign in cosign and skopeo (--sign-passphrase-file);
#     cosign's, skopeo's and the fixture keys (shared/fixtures/keys) sign in sigil; the other
#     algorithms (Ed25519, RSA, P-384) both ways.
#  5. multi-arch: sigil sign --recursive on an index -> sigil, cosign and skopeo (copy --all,
#     --override-arch arm64, the system's platform) for the index and each platform;
#     without --recursive the platforms are unsigned (skopeo refuses); platforms signed but not
#     the index (skopeo --all accepts: its policy is per platform manifest);
#     skopeo copy --all --sign-by-sigstore-private-key and cosign sign --recursive -> sigil.
#  6. sigil --format bundle / both: what cosign 2.5 and skopeo 1.18 make of them.
#
# Peer cases are skipped, loudly, when the peers cannot be fetched (SIGIL_REQUIRE_PEERS=1 turns
# that into a failure). Measured peer limitations are skips with the reason, never passes.
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"
REPO_DIR=$(cd "$HERE/../.." && pwd)

unset SIGIL_PASSWORD COSIGN_PASSWORD SIGIL_REPOSITORY COSIGN_REPOSITORY SSL_CERT_FILE \
  CI_REGISTRY CI_REGISTRY_USER CI_REGISTRY_PASSWORD CI_JOB_TOKEN

# --- peers and registry ----------------------------------------------------------------------
COSIGN=""
SKOPEO=""
PEERS_SKIP_REASON=""
# shellcheck source=../../scripts/lib/peers.sh
if source "$REPO_DIR/scripts/lib/peers.sh" && ensure_peers; then
  COSIGN=$PEERS_COSIGN
  SKOPEO=$PEERS_SKOPEO
else
  PEERS_SKIP_REASON="cosign 2.5 / skopeo 1.18 could not be fetched (see 'peers:' messages above)"
  echo "NOTE: $PEERS_SKIP_REASON; every peer case will be SKIPPED" >&2
fi
# The registry infrastructure pushes test images with Debian 12's skopeo; trixie's will do too.
if [[ ! -x $REGISTRY_SKOPEO && -n $SKOPEO ]]; then
  REGISTRY_SKOPEO=$SKOPEO
fi
require_tools "$REGISTRY_BIN" "$REGISTRY_SKOPEO" "$REGISTRY_PYTHON" openssl curl
skip_suite_if_missing "image interop" --peers
if ! start_registry REG anon || ! start_fault_proxy PX "$REG_URL"; then
  RC=1 OUT="" ERR=""
  failed "start the registry and the proxy"
  finish
  exit
fi
H=$PX_HOST # every tool talks to the registry through the proxy (request log)

# Nothing of the user's: no docker config, no containers auth, no sigstore TUF cache.
export HOME=$TEST_TMP/home
mkdir -p "$HOME"
export DOCKER_CONFIG=$PX_DOCKER_CONFIG REGISTRY_AUTH_FILE=$PX_AUTH_FILE TUF_ROOT=$TEST_TMP/tuf
W=$TEST_TMP/w
mkdir -p "$W"
RD=$W/registries.d # skopeo reads and writes .sig tags only when told so
mkdir -p "$RD"
echo 'default-docker: {use-sigstore-attachments: true}' >"$RD/default.yaml"
# Key-based verification needs no Sigstore trust material; never reach for the public-good root.
EMPTY_TRUSTED_ROOT=$W/trusted-root.json
echo '{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}' >"$EMPTY_TRUSTED_ROOT"

# --- helpers ---------------------------------------------------------------------------------
T_START=$EPOCHREALTIME

sig() { run timeout 120 "$SIGIL" "$@" </dev/null; }
sig_pw() { # PASSWORD ARGS...
  local pw=$1
  shift
  run env SIGIL_PASSWORD="$pw" timeout 120 "$SIGIL" "$@" </dev/null
}
cos() { run timeout 120 "$COSIGN" "$@" </dev/null; }
cos_pw() { # PASSWORD ARGS... (COSIGN_PASSWORD is read verbatim)
  local pw=$1
  shift
  run env COSIGN_PASSWORD="$pw" timeout 120 "$COSIGN" "$@" </dev/null
}
sko() { run timeout 120 "$SKOPEO" --registries.d "$RD" "$@" </dev/null; }
# skopeo_sign KEY PASSFILE REF [copy options]: signs REF in place (same digest) while re-pushing.
skopeo_sign() {
  local key=$1 pass=$2 ref=$3
  shift 3
  sko --insecure-policy copy --retry-times 0 --src-tls-verify=false --dest-tls-verify=false \
    --preserve-digests --sign-by-sigstore-private-key "$key" --sign-passphrase-file "$pass" "$@" \
    "docker://$ref" "docker://$ref"
}
# skopeo_pull POLICY REF [global options]: the policy-checked pull; global options (e.g.
# --override-arch) go before `copy`, copy options after a literal --.
skopeo_pull() {
  local policy=$1 ref=$2 out
  shift 2
  local -a global=() copy=()
  while (($#)); do
    if [[ $1 == -- ]]; then
      shift
      copy=("$@")
      break
    fi
    global+=("$1")
    shift
  done
  out=$(mktemp -d "$W/pull.XXXXXX")
  sko --policy "$policy" "${global[@]}" copy --retry-times 0 --src-tls-verify=false "${copy[@]}" \
    "docker://$ref" "dir:$out"
}
# write_policy FILE REPO PUBKEY IDENTITY: only REPO's images, only sigstore signatures by PUBKEY.
write_policy() {
  printf '{"default":[{"type":"reject"}],"transports":{"docker":{"%s":[{"type":"sigstoreSigned","keyPath":"%s","signedIdentity":{"type":"%s"}}]}}}\n' \
    "$2" "$3" "$4" >"$1"
}

have_peers() {
  [[ -n $COSIGN && -n $SKOPEO ]] && return 0
  if [[ ${SIGIL_REQUIRE_PEERS:-} == 1 ]]; then
    RC=1 OUT="" ERR=""
    failed "$1 (SIGIL_REQUIRE_PEERS=1: $PEERS_SKIP_REASON)"
  else
    skip "$1 ($PEERS_SKIP_REASON)"
  fi
  return 1
}
# platform_digest INFO_JSON ARCH: the digest of that platform in an index pushed with --info.
platform_digest() {
  "$REGISTRY_PYTHON" -c '
import json, sys
for m in json.load(open(sys.argv[1]))["manifests"]:
    if m["platform"]["architecture"] == sys.argv[2]:
        print(m["digest"])' "$1" "$2"
}
# Last line of stderr (the peers' one-line verdicts), for skip reasons.
last_err() { printf '%s' "$ERR" | grep -v '^WARNING' | tail -n1 | sed 's/^time="[^"]*" level=[a-z]* msg=//'; }

# --- keys ------------------------------------------------------------------------------------
PW=$'interop pass 1'
printf '%s\n' "$PW" >"$W/pw.txt" # skopeo: first line; sigil --password-file: one newline stripped
sig_pw "$PW" generate-key-pair --output-key-prefix "$W/sigil"
expect "setup: sigil generate-key-pair" 0
sig_pw "$PW" generate-key-pair --output-key-prefix "$W/other"
expect "setup: a second sigil key pair (the 'other key')" 0
SIGIL_KEY=$W/sigil.key SIGIL_PUB=$W/sigil.pub OTHER_PUB=$W/other.pub

# =============================================================================================
section "1. cosign sign -> sigil verify"
if have_peers "1 cosign-signed images"; then
  run env -C "$W" COSIGN_PASSWORD="$PW" timeout 120 "$COSIGN" generate-key-pair --output-key-prefix cosign </dev/null
  expect "1 cosign generate-key-pair" 0
  if new_image D1 interop/cosign-signed v1; then
    cos_pw "$PW" sign --key "$W/cosign.key" --tlog-upload=false -y "$H/interop/cosign-signed@$D1"
    expect "1 cosign sign --key --tlog-upload=false" 0
    sig verify "$H/interop/cosign-signed@$D1" --key "$W/cosign.pub"
    expect "1 sigil verify: cosign signature, by digest" 0 &&
      expect_out "1 sigil verify prints cosign's payload" "\"docker-manifest-digest\":\"$D1\""
    sig verify "$H/interop/cosign-signed:v1" --key "$W/cosign.pub"
    expect "1 sigil verify: cosign signature, by tag" 0 "is a tag" &&
      expect_out "1 sigil verify prints the payload cosign signed" "\"docker-reference\":\"$H/interop/cosign-signed\""
    sig verify "$H/interop/cosign-signed@$D1" --key "$W/cosign.pub" --check-docker-reference
    expect "1 sigil verify --check-docker-reference: cosign names the repository" 0
    sig verify "$H/interop/cosign-signed@$D1" --key "$OTHER_PUB"
    expect "1 sigil verify: cosign signature, another key, exit 12" 12 "none verified"
    sig verify "$H/interop/cosign-signed@$D1" --key "$OTHER_PUB" --key "$W/cosign.pub"
    expect "1 sigil verify: key rotation, the second key is cosign's" 0
  fi
  if new_image D1A interop/cosign-annotated v1; then
    cos_pw "$PW" sign --key "$W/cosign.key" --tlog-upload=false -y -a git-sha=abc123 -a team=payments \
      "$H/interop/cosign-annotated@$D1A"
    expect "1 cosign sign -a git-sha=abc123 -a team=payments" 0
    sig verify "$H/interop/cosign-annotated@$D1A" --key "$W/cosign.pub" -a git-sha=abc123 -a team=payments
    expect "1 sigil verify -a: cosign's annotations match" 0
    sig verify "$H/interop/cosign-annotated@$D1A" --key "$W/cosign.pub" -a git-sha=other
    expect "1 sigil verify -a: a different annotation value, exit 12" 12
  fi
fi

# =============================================================================================
section "2. skopeo copy --sign-by-sigstore-private-key -> sigil verify"
if have_peers "2 skopeo-signed images"; then
  sko generate-sigstore-key --output-prefix "$W/skopeo" --passphrase-file "$W/pw.txt"
  expect "2 skopeo generate-sigstore-key" 0
  if new_image D2 interop/skopeo-signed v1; then
    skopeo_sign "$W/skopeo.private" "$W/pw.txt" "$H/interop/skopeo-signed:v1"
    expect "2 skopeo copy --sign-by-sigstore-private-key (in place)" 0
    sig verify "$H/interop/skopeo-signed@$D2" --key "$W/skopeo.pub"
    expect "2 sigil verify: skopeo signature, by digest" 0 &&
      expect_out "2 skopeo signed its tagged identity" "\"docker-reference\":\"$H/interop/skopeo-signed:v1\""
    sig verify "$H/interop/skopeo-signed:v1" --key "$W/skopeo.pub"
    expect "2 sigil verify: skopeo signature, by tag" 0
    sig verify "$H/interop/skopeo-signed@$D2" --key "$W/skopeo.pub" --check-docker-reference
    expect "2 sigil verify --check-docker-reference: skopeo's name:tag names the repository" 0
    sig verify "$H/interop/skopeo-signed@$D2" --key "$OTHER_PUB"
    expect "2 sigil verify: skopeo signature, another key, exit 12" 12 "none verified"
    sig verify "$H/interop/skopeo-signed@$D2" --key "$W/skopeo.pub" -a creator="containers/image 5.34.2"
    expect "2 sigil verify -a creator=...: skopeo's optional.creator" 0
  fi
fi

# =============================================================================================
section "3. sigil sign -> cosign verify and skopeo policy"
if new_image D3 interop/sigil-signed v1; then
  sig_pw "$PW" sign "$H/interop/sigil-signed@$D3" --key "$SIGIL_KEY" -a ci=1
  expect "3 sigil sign" 0
  sig verify "$H/interop/sigil-signed@$D3" --key "$SIGIL_PUB"
  expect "3 sigil verify: own signature" 0
  if have_peers "3 peers verify sigil's signature"; then
    cos verify --key "$SIGIL_PUB" --insecure-ignore-tlog=true "$H/interop/sigil-signed@$D3"
    expect "3 cosign verify: sigil signature, by digest" 0 &&
      expect_out "3 cosign prints sigil's payload" "\"docker-reference\":\"$H/interop/sigil-signed\""
    cos verify --key "$SIGIL_PUB" --insecure-ignore-tlog=true "$H/interop/sigil-signed:v1"
    expect "3 cosign verify: sigil signature, by tag" 0
    cos verify --key "$SIGIL_PUB" --insecure-ignore-tlog=true -a ci=1 "$H/interop/sigil-signed@$D3"
    expect "3 cosign verify -a ci=1: sigil's annotation" 0
    cos verify --key "$SIGIL_PUB" --insecure-ignore-tlog=true -a ci=2 "$H/interop/sigil-signed@$D3"
    expect_fail "3 cosign verify -a ci=2 rejects" "annotation"
    cos verify --key "$OTHER_PUB" --insecure-ignore-tlog=true "$H/interop/sigil-signed@$D3"
    expect_fail "3 cosign verify: sigil signature, another key, rejected" "no matching signatures"

    P3=$W/policy-sigil-repo.json
    write_policy "$P3" "$H/interop/sigil-signed" "$SIGIL_PUB" matchRepository
    skopeo_pull "$P3" "$H/interop/sigil-signed:v1"
    expect "3 skopeo policy (matchRepository): sigil signature, by tag" 0
    skopeo_pull "$P3" "$H/interop/sigil-signed@$D3"
    expect "3 skopeo policy (matchRepository): sigil signature, by digest" 0
    write_policy "$W/policy-other.json" "$H/interop/sigil-signed" "$OTHER_PUB" matchRepository
    skopeo_pull "$W/policy-other.json" "$H/interop/sigil-signed:v1"
    expect_fail "3 skopeo policy: sigil signature, another key, rejected" "cryptographic signature verification failed"
    # matchRepoDigestOrExact (skopeo's default): a name-only identity never matches
    # (c/image: reference.IsNameOnly -> false), and sigil writes the repository like cosign.
    write_policy "$W/policy-exact.json" "$H/interop/sigil-signed" "$SIGIL_PUB" matchRepoDigestOrExact
    skopeo_pull "$W/policy-exact.json" "$H/interop/sigil-signed:v1"
    expect_fail "3 skopeo matchRepoDigestOrExact refuses sigil's name-only identity (by tag)" "is not accepted"
    skopeo_pull "$W/policy-exact.json" "$H/interop/sigil-signed@$D3"
    expect_fail "3 skopeo matchRepoDigestOrExact refuses sigil's name-only identity (by digest)" "is not accepted"
    if [[ -n ${D1:-} ]]; then # control: cosign's signatures are refused the same way
      write_policy "$W/policy-exact-cosign.json" "$H/interop/cosign-signed" "$W/cosign.pub" matchRepoDigestOrExact
      skopeo_pull "$W/policy-exact-cosign.json" "$H/interop/cosign-signed@$D1"
      expect_fail "3 control: matchRepoDigestOrExact refuses cosign's identity too" "is not accepted"
      write_policy "$W/policy-repo-cosign.json" "$H/interop/cosign-signed" "$W/cosign.pub" matchRepository
      skopeo_pull "$W/policy-repo-cosign.json" "$H/interop/cosign-signed@$D1"
      expect "3 control: matchRepository accepts cosign's signature" 0
    fi
    if [[ -n ${D2:-} ]]; then # skopeo's own tagged identity: by that tag or by digest
      sko --insecure-policy copy --retry-times 0 --src-tls-verify=false --dest-tls-verify=false \
        --preserve-digests "docker://$H/interop/skopeo-signed:v1" "docker://$H/interop/skopeo-signed:v2"
      expect "3 skopeo: tag the skopeo-signed image v2 as well" 0
      write_policy "$W/policy-exact-skopeo.json" "$H/interop/skopeo-signed" "$W/skopeo.pub" matchRepoDigestOrExact
      skopeo_pull "$W/policy-exact-skopeo.json" "$H/interop/skopeo-signed:v1"
      expect "3 matchRepoDigestOrExact accepts skopeo's identity pulled by its tag" 0
      skopeo_pull "$W/policy-exact-skopeo.json" "$H/interop/skopeo-signed@$D2"
      expect "3 matchRepoDigestOrExact accepts skopeo's identity pulled by digest" 0
      skopeo_pull "$W/policy-exact-skopeo.json" "$H/interop/skopeo-signed:v2"
      expect_fail "3 matchRepoDigestOrExact refuses skopeo's identity pulled by another tag" "is not accepted"
    fi

    # The signature travels with the image to another repository (skopeo copies .sig tags).
    sko --insecure-policy copy --retry-times 0 --src-tls-verify=false --dest-tls-verify=false \
      --preserve-digests "docker://$H/interop/sigil-signed:v1" "docker://$H/interop/sigil-copied:v1"
    expect "3 skopeo copies image and signature to another repository" 0
    write_policy "$W/policy-copied.json" "$H/interop/sigil-copied" "$SIGIL_PUB" matchRepository
    skopeo_pull "$W/policy-copied.json" "$H/interop/sigil-copied:v1"
    expect_fail "3 skopeo refuses the signature in another repository (identity names the first)" "is not accepted"
    cos verify --key "$SIGIL_PUB" --insecure-ignore-tlog=true "$H/interop/sigil-copied@$D3"
    expect "3 cosign accepts it (cosign does not check the repository)" 0
    sig verify "$H/interop/sigil-copied@$D3" --key "$SIGIL_PUB"
    expect "3 sigil accepts it by default (docker-reference ignored, like cosign)" 0
    sig verify "$H/interop/sigil-copied@$D3" --key "$SIGIL_PUB" --check-docker-reference
    expect "3 sigil --check-docker-reference refuses it, exit 12" 12 "does not name repository"
  fi
  # No signature at all: every tool says so.
  if new_image D3U interop/unsigned v1; then
    sig verify "$H/interop/unsigned@$D3U" --key "$SIGIL_PUB"
    expect "3 sigil verify: unsigned image, exit 10" 10
    if have_peers "3 peers on an unsigned image"; then
      cos verify --key "$SIGIL_PUB" --insecure-ignore-tlog=true "$H/interop/unsigned@$D3U"
      expect_fail "3 cosign verify: unsigned image" "no signatures found"
      write_policy "$W/policy-unsigned.json" "$H/interop/unsigned" "$SIGIL_PUB" matchRepository
      skopeo_pull "$W/policy-unsigned.json" "$H/interop/unsigned:v1"
      expect_fail "3 skopeo policy: unsigned image" "no signature exists"
    fi
  fi
fi

# =============================================================================================
section "4. keys across tools"
if have_peers "4 keys across tools"; then
  # sigil's key in cosign and skopeo; sigil and the peers verify.
  if new_image D4 interop/sigil-key v1; then
    cos_pw "$PW" sign --key "$SIGIL_KEY" --tlog-upload=false -y "$H/interop/sigil-key@$D4"
    expect "4 cosign sign with sigil's key" 0
    sig verify "$H/interop/sigil-key@$D4" --key "$SIGIL_PUB"
    expect "4 sigil verify: cosign's signature with sigil's key" 0
  fi
  if new_image D4S interop/sigil-key-skopeo v1; then
    skopeo_sign "$SIGIL_KEY" "$W/pw.txt" "$H/interop/sigil-key-skopeo:v1"
    expect "4 skopeo --sign-by-sigstore-private-key with sigil's key (--sign-passphrase-file)" 0
    sig verify "$H/interop/sigil-key-skopeo@$D4S" --key "$SIGIL_PUB"
    expect "4 sigil verify: skopeo's signature with sigil's key" 0
    cos verify --key "$SIGIL_PUB" --insecure-ignore-tlog=true "$H/interop/sigil-key-skopeo@$D4S"
    expect "4 cosign verify: skopeo's signature with sigil's key" 0
  fi
  # cosign's and skopeo's keys in sigil sign; the peer that made the key verifies.
  if [[ -s $W/cosign.key ]] && new_image D4C interop/cosign-key v1; then
    sig_pw "$PW" sign "$H/interop/cosign-key@$D4C" --key "$W/cosign.key"
    expect "4 sigil sign with cosign's key" 0
    cos verify --key "$W/cosign.pub" --insecure-ignore-tlog=true "$H/interop/cosign-key@$D4C"
    expect "4 cosign verify: sigil's signature with cosign's key" 0
  fi
  if [[ -s $W/skopeo.private ]] && new_image D4K interop/skopeo-key v1; then
    sig sign "$H/interop/skopeo-key@$D4K" --key "$W/skopeo.private" --password-file "$W/pw.txt"
    expect "4 sigil sign --password-file with skopeo's key" 0
    write_policy "$W/policy-skopeo-key.json" "$H/interop/skopeo-key" "$W/skopeo.pub" matchRepository
    skopeo_pull "$W/policy-skopeo-key.json" "$H/interop/skopeo-key:v1"
    expect "4 skopeo policy: sigil's signature with skopeo's key" 0
  fi
fi
# The fixture keys (cosign 2.5, skopeo 1.18, two independent implementations) in sigil sign.
if have_shared; then
  shopt -s nullglob
  fixture_keys=("$SHARED_DIR"/fixtures/keys/*.key "$SHARED_DIR"/fixtures/keys/*.private)
  shopt -u nullglob
  if ((${#fixture_keys[@]} >= 4)); then pass "4 found ${#fixture_keys[@]} fixture keys"; else
    RC=1 OUT="" ERR=""
    failed "4 found ${#fixture_keys[@]} fixture keys (want at least 4)"
  fi
  for key in "${fixture_keys[@]}"; do
    base=${key%.*}
    name=$(basename "$base")
    pw=""
    IFS= read -r pw <"$base.pass" || true # first line; cosign-2.5.pass has no newline
    new_image DF "interop/fixture-$name" v1 || continue
    # Read in place, readable by everyone (0444): signing needs the explicit flag.
    sig_pw "$pw" sign "$H/interop/fixture-$name@$DF" --key "$key" --allow-insecure-key-permissions
    expect "4 $name: sigil sign with the fixture key" 0 "can be read or written by other users (mode 0444)" || continue
    sig verify "$H/interop/fixture-$name@$DF" --key "$base.pub"
    expect "4 $name: sigil verify with $name.pub" 0
    if have_peers "4 $name: peers verify"; then
      cos verify --key "$base.pub" --insecure-ignore-tlog=true "$H/interop/fixture-$name@$DF"
      expect "4 $name: cosign verify with $name.pub" 0
      write_policy "$W/policy-$name.json" "$H/interop/fixture-$name" "$base.pub" matchRepository
      skopeo_pull "$W/policy-$name.json" "$H/interop/fixture-$name:v1"
      expect "4 $name: skopeo policy with $name.pub" 0
    fi
  done
else
  skip "4 fixture keys: $SHARED_DIR/fixtures not present (set SIGIL_SHARED_DIR)"
fi
# Other algorithms, both ways. P-384: cosign 2.5 and containers/image 5.34 sign and verify
# with SHA-256 for every ECDSA curve, and so does sigil for image signatures.
for alg in ed25519 rsa-3072 ecdsa-p384; do
  have_peers "4 $alg across tools" || break
  sig_pw "$PW" generate-key-pair --algorithm "$alg" --output-key-prefix "$W/alg-$alg"
  expect "4 $alg: sigil generate-key-pair" 0 || continue
  write_policy "$W/policy-$alg.json" "$H/interop/alg-$alg" "$W/alg-$alg.pub" matchRepository
  new_image DA "interop/alg-$alg" v1 || continue
  sig_pw "$PW" sign "$H/interop/alg-$alg@$DA" --key "$W/alg-$alg.key"
  expect "4 $alg: sigil sign" 0
  for peer in cosign skopeo; do
    if [[ $peer == cosign ]]; then
      cos verify --key "$W/alg-$alg.pub" --insecure-ignore-tlog=true "$H/interop/alg-$alg@$DA"
    else
      skopeo_pull "$W/policy-$alg.json" "$H/interop/alg-$alg:v1"
    fi
    if [[ $RC == 0 ]]; then
      pass "4 $alg: $peer verifies sigil's signature"
    else
      failed "4 $alg: $peer verifies sigil's signature"
    fi
  done
  new_image DB "interop/alg-$alg" v2 || continue
  cos_pw "$PW" sign --key "$W/alg-$alg.key" --tlog-upload=false -y "$H/interop/alg-$alg@$DB"
  expect "4 $alg: cosign sign with sigil's key" 0 &&
    { sig verify "$H/interop/alg-$alg@$DB" --key "$W/alg-$alg.pub"; expect "4 $alg: sigil verifies cosign's signature" 0; }
  new_image DC "interop/alg-$alg" v3 || continue
  skopeo_sign "$W/alg-$alg.key" "$W/pw.txt" "$H/interop/alg-$alg:v3"
  expect "4 $alg: skopeo signs with sigil's key" 0 &&
    { sig verify "$H/interop/alg-$alg@$DC" --key "$W/alg-$alg.pub"; expect "4 $alg: sigil verifies skopeo's signature" 0; }
done

# =============================================================================================
section "5. multi-arch indexes"
# check_all_verify LABEL REPO INDEX AMD64 ARM64 PUB: sigil and cosign verify all three digests.
check_all_verify() {
  local label=$1 repo=$2 index=$3 amd=$4 arm=$5 pub=$6 what d
  for what in index amd64 arm64; do
    case $what in index) d=$index ;; amd64) d=$amd ;; arm64) d=$arm ;; esac
    sig verify "$H/$repo@$d" --key "$pub"
    expect "5 $label: sigil verify ($what)" 0
    if have_peers "5 $label: cosign verify ($what)"; then
      cos verify --key "$pub" --insecure-ignore-tlog=true "$H/$repo@$d"
      expect "5 $label: cosign verify ($what)" 0
    fi
  done
}
if new_image DI interop/multi-sigil v1 --index --info "$W/multi-sigil.json"; then
  AMD=$(platform_digest "$W/multi-sigil.json" amd64)
  ARM=$(platform_digest "$W/multi-sigil.json" arm64)
  sig_pw "$PW" sign "$H/interop/multi-sigil@$DI" --key "$SIGIL_KEY" --recursive
  expect "5 sigil sign --recursive (index)" 0 &&
    expect "5 sigil sign --recursive reports the platforms" 0 "$ARM"
  check_all_verify "sigil --recursive" interop/multi-sigil "$DI" "$AMD" "$ARM" "$SIGIL_PUB"
  sig verify "$H/interop/multi-sigil:v1" --key "$SIGIL_PUB"
  expect "5 sigil verify by tag (the index)" 0
  if have_peers "5 skopeo on sigil's recursive signatures"; then
    PM=$W/policy-multi.json
    write_policy "$PM" "$H/interop/multi-sigil" "$SIGIL_PUB" matchRepository
    proxy_reset_log PX
    skopeo_pull "$PM" "$H/interop/multi-sigil:v1" -- --all
    expect "5 skopeo copy --all: every platform's signature accepted" 0
    for d in "$AMD" "$ARM"; do
      n=$(proxy_count PX GET "/manifests/sha256-${d#sha256:}\\.sig$" 200)
      if ((n >= 1)); then pass "5 skopeo copy --all read ${d:0:19}…'s .sig"; else
        RC=1 OUT="" ERR=""
        failed "5 skopeo copy --all read ${d:0:19}…'s .sig"
      fi
    done
    proxy_reset_log PX
    skopeo_pull "$PM" "$H/interop/multi-sigil:v1" --override-arch arm64 --override-variant v8
    expect "5 skopeo --override-arch arm64: the arm64 manifest's signature accepted" 0
    n=$(proxy_count PX GET "/manifests/sha256-${ARM#sha256:}\\.sig$" 200)
    m=$(proxy_count PX GET "/manifests/sha256-${AMD#sha256:}\\.sig$")
    if ((n >= 1 && m == 0)); then pass "5 skopeo --override-arch arm64 verified the arm64 signature only"; else
      RC=1 OUT="arm64 .sig GETs: $n, amd64 .sig GETs: $m" ERR=""
      failed "5 skopeo --override-arch arm64 verified the arm64 signature only"
    fi
    skopeo_pull "$PM" "$H/interop/multi-sigil:v1" --override-arch amd64
    expect "5 skopeo --override-arch amd64" 0
    skopeo_pull "$PM" "$H/interop/multi-sigil:v1"
    expect "5 skopeo copy of the index, this system's platform" 0
    write_policy "$W/policy-multi-other.json" "$H/interop/multi-sigil" "$OTHER_PUB" matchRepository
    skopeo_pull "$W/policy-multi-other.json" "$H/interop/multi-sigil:v1" -- --all
    expect_fail "5 skopeo copy --all, another key: rejected" "cryptographic signature verification failed"
  fi
fi
# Without --recursive only the index is signed: skopeo, which verifies the platform manifest it
# pulls, refuses; sigil and cosign find no signature on the platforms.
if new_image DN interop/multi-index-only v1 --index --info "$W/multi-index-only.json"; then
  ARM_N=$(platform_digest "$W/multi-index-only.json" arm64)
  sig_pw "$PW" sign "$H/interop/multi-index-only@$DN" --key "$SIGIL_KEY"
  expect "5 sigil sign (index only)" 0
  sig verify "$H/interop/multi-index-only@$DN" --key "$SIGIL_PUB"
  expect "5 index only: sigil verify (index)" 0
  sig verify "$H/interop/multi-index-only@$ARM_N" --key "$SIGIL_PUB"
  expect "5 index only: sigil verify (arm64), no signatures, exit 10" 10
  if have_peers "5 index only: peers"; then
    write_policy "$W/policy-index-only.json" "$H/interop/multi-index-only" "$SIGIL_PUB" matchRepository
    skopeo_pull "$W/policy-index-only.json" "$H/interop/multi-index-only:v1" -- --all
    expect_fail "5 index only: skopeo copy --all refuses (platforms unsigned)" "no signature exists"
    skopeo_pull "$W/policy-index-only.json" "$H/interop/multi-index-only:v1" --override-arch arm64 --override-variant v8
    expect_fail "5 index only: skopeo arm64 refuses" "no signature exists"
    cos verify --key "$SIGIL_PUB" --insecure-ignore-tlog=true "$H/interop/multi-index-only@$ARM_N"
    expect_fail "5 index only: cosign verify (arm64) finds no signature" "no signatures found"
  fi
fi
# The reverse: platforms signed, the index not. skopeo evaluates its policy per platform
# manifest, also with --all (the index's .sig is copied along, never required).
if new_image DP interop/multi-platforms-only v1 --index --info "$W/multi-platforms-only.json"; then
  for arch in amd64 arm64; do
    sig_pw "$PW" sign "$H/interop/multi-platforms-only@$(platform_digest "$W/multi-platforms-only.json" $arch)" \
      --key "$SIGIL_KEY"
    expect "5 platforms only: sigil sign ($arch)" 0
  done
  sig verify "$H/interop/multi-platforms-only@$DP" --key "$SIGIL_PUB"
  expect "5 platforms only: sigil verify (index), no signatures, exit 10" 10
  if have_peers "5 platforms only: skopeo"; then
    write_policy "$W/policy-platforms-only.json" "$H/interop/multi-platforms-only" "$SIGIL_PUB" matchRepository
    skopeo_pull "$W/policy-platforms-only.json" "$H/interop/multi-platforms-only:v1" -- --all
    expect "5 platforms only: skopeo copy --all accepts (it does not require the index's signature)" 0
  fi
fi
# skopeo signs every platform and the index with --all.
if have_peers "5 skopeo copy --all --sign-by-sigstore-private-key" && [[ -s $W/skopeo.private ]] &&
  new_image DS interop/multi-skopeo v1 --index --info "$W/multi-skopeo.json"; then
  skopeo_sign "$W/skopeo.private" "$W/pw.txt" "$H/interop/multi-skopeo:v1" --all
  expect "5 skopeo copy --all --sign-by-sigstore-private-key" 0
  check_all_verify "skopeo --all" interop/multi-skopeo "$DS" "$(platform_digest "$W/multi-skopeo.json" amd64)" \
    "$(platform_digest "$W/multi-skopeo.json" arm64)" "$W/skopeo.pub"
  sig verify "$H/interop/multi-skopeo@$DS" --key "$OTHER_PUB"
  expect "5 skopeo --all: sigil verify with another key, exit 12" 12
fi
# cosign sign --recursive signs the index and every platform.
if have_peers "5 cosign sign --recursive" && [[ -s $W/cosign.key ]] &&
  new_image DC5 interop/multi-cosign v1 --index --info "$W/multi-cosign.json"; then
  cos_pw "$PW" sign --key "$W/cosign.key" --tlog-upload=false -y --recursive "$H/interop/multi-cosign@$DC5"
  expect "5 cosign sign --recursive" 0
  check_all_verify "cosign --recursive" interop/multi-cosign "$DC5" "$(platform_digest "$W/multi-cosign.json" amd64)" \
    "$(platform_digest "$W/multi-cosign.json" arm64)" "$W/cosign.pub"
fi

# =============================================================================================
section "6. sigil --format bundle and both"
if new_image D6 interop/sigil-bundle v1; then
  sig_pw "$PW" sign "$H/interop/sigil-bundle@$D6" --key "$SIGIL_KEY" --format bundle
  expect "6 sigil sign --format bundle" 0
  sig verify "$H/interop/sigil-bundle@$D6" --key "$SIGIL_PUB" --explain
  expect "6 sigil verify: own bundle referrer" 0 "accepted referrer"
  sig verify "$H/interop/sigil-bundle@$D6" --key "$OTHER_PUB"
  expect "6 sigil verify: bundle, another key, exit 12" 12
  if have_peers "6 peers on sigil's bundle"; then
    # cosign 2.5 `verify` does not pass --new-bundle-format/--trusted-root on to its verifier
    # (cmd/cosign/cli/verify.go), whose bundle path says "bundle support for image signatures is
    # not yet implemented" anyway: it looks for the .sig tag only.
    cos verify --key "$SIGIL_PUB" --insecure-ignore-tlog=true --new-bundle-format \
      --trusted-root "$EMPTY_TRUSTED_ROOT" "$H/interop/sigil-bundle@$D6"
    if [[ $RC == 0 ]]; then
      pass "6 cosign verify --new-bundle-format: sigil's bundle"
    else
      skip "6 cosign 2.5 verify --new-bundle-format cannot verify image signature bundles (it reads only the .sig tag: $(last_err))"
    fi
    # What cosign 2.5 can do: read the bundle as an attestation (referrers, OCI tag fallback).
    cos verify-attestation --key "$SIGIL_PUB" --insecure-ignore-tlog=true --new-bundle-format \
      --trusted-root "$EMPTY_TRUSTED_ROOT" --type https://sigstore.dev/cosign/sign/v1 "$H/interop/sigil-bundle@$D6"
    expect "6 cosign verify-attestation --new-bundle-format --type https://sigstore.dev/cosign/sign/v1: sigil's bundle" 0 &&
      expect_out "6 cosign prints the DSSE envelope of sigil's statement" '"payloadType":"application/vnd.in-toto+json"'
    cos verify-attestation --key "$OTHER_PUB" --insecure-ignore-tlog=true --new-bundle-format \
      --trusted-root "$EMPTY_TRUSTED_ROOT" --type https://sigstore.dev/cosign/sign/v1 "$H/interop/sigil-bundle@$D6"
    expect_fail "6 cosign verify-attestation: sigil's bundle, another key, rejected"
    write_policy "$W/policy-bundle.json" "$H/interop/sigil-bundle" "$SIGIL_PUB" matchRepository
    skopeo_pull "$W/policy-bundle.json" "$H/interop/sigil-bundle:v1"
    if [[ $RC == 0 ]]; then
      pass "6 skopeo policy: sigil's bundle"
    else
      skip "6 skopeo 1.18 (containers/image 5.34) reads only .sig signatures, not bundle referrers ($(last_err))"
    fi
  fi
fi
if new_image D6B interop/sigil-both v1; then
  sig_pw "$PW" sign "$H/interop/sigil-both@$D6B" --key "$SIGIL_KEY" --format both
  expect "6 sigil sign --format both" 0
  sig verify "$H/interop/sigil-both@$D6B" --key "$SIGIL_PUB"
  expect "6 sigil verify: --format both" 0
  if have_peers "6 peers on --format both"; then
    cos verify --key "$SIGIL_PUB" --insecure-ignore-tlog=true "$H/interop/sigil-both@$D6B"
    expect "6 --format both: cosign verify (legacy .sig)" 0
    cos verify-attestation --key "$SIGIL_PUB" --insecure-ignore-tlog=true --new-bundle-format \
      --trusted-root "$EMPTY_TRUSTED_ROOT" --type https://sigstore.dev/cosign/sign/v1 "$H/interop/sigil-both@$D6B"
    expect "6 --format both: cosign verify-attestation (bundle)" 0
    write_policy "$W/policy-both.json" "$H/interop/sigil-both" "$SIGIL_PUB" matchRepository
    skopeo_pull "$W/policy-both.json" "$H/interop/sigil-both:v1"
    expect "6 --format both: skopeo policy (legacy .sig)" 0
  fi
fi

section "done"
finish
