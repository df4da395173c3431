#!/usr/bin/env bash
# GitLab CI templates (ci-templates/) and the CI/CD catalog components generated from them
# (templates/): GitLab's schema, the expanded pipelines, and real runs.
#   1. each template's and each component's spec: header validates against GitLab's CI JSON
#      schema (templates/ci.json, see templates/README.md for its source) with ajv-cli; a broken
#      header is rejected; templates/*.yml are what scripts/ci-components.sh writes from
#      ci-templates/ (--check), and the check fails on an edited component or source;
#   2. `gitlab-ci-local --preview` of the sample pipeline (templates/gitlab-ci.yml) equals the
#      golden file, and the expanded configs (every template's job with its inputs filled in;
#      the keyless sample, templates/gitlab-ci-keyless.yml, through include: component) validate
#      against ci.json, as does a pipeline that includes the templates with no inputs; only
#      keyless jobs get id_tokens;
#   3. the sample pipeline runs with the shell executor and the built sigil on PATH against a
#      real registry (htpasswd + TLS; credentials only through CI_REGISTRY_*): build pushes an
#      image and writes its digest to a dotenv report, sign signs it, attest attests SLSA
#      provenance, the verify gate passes and deploy runs; sigil verify outside CI agrees;
#      the templates have no default CI image (sigil-image is required; nothing names a sigil
#      image under a registry path the user may not control); the jobs sign with a private copy
#      of the 0666 key File variable and remove it; the rendered sign job, run as uid 10001 (the
#      CI image's user) with root's 0666 key file, signs;
#   4. a second run in which a job corrupts the signature: the gate fails with exit status 12,
#      deploy does not run, gitlab-ci-local exits 1;
#   5. a third run with a wrong key password: the sign job fails with exit status 30, and neither
#      the gate nor deploy runs; the sign job without the build job's digest fails with a clear
#      message;
#   6. keyless, with the components: the Sigstore stand-in is the private Fulcio, Rekor and TSA
#      of https://gitlab.example.com; gitlab-ci-local cannot mint id_tokens, so the test mints a
#      GitLab token for grp/proj at refs/heads/main and passes it as SIGSTORE_ID_TOKEN. Sign
#      (URLs from SIGIL_* variables) and attest (a signing config) need no key variable, the
#      gate verifies --gitlab-project grp/proj at this ref and deploy runs; sigil verify outside
#      CI agrees. The gate of another project, and of another ref, fails with exit status 12 and
#      the certificate's identity as the reason; keyless without a token, or without a trusted
#      root, fails the sign job saying what to set;
#   7. the key's password, the ID token and the registry password appear in no job log; no
#      template uses set -x, or after_script: for anything but removing the key copy.
# Usage: test_templates.sh SIGIL [BUILD_DIR]. SIGIL_UPDATE_GOLDEN=1 rewrites the golden file.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
source "$(dirname "$0")/sigstore_lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$SRC/tests/integration/templates
GOLDEN=$DATA/preview.golden.yml
SCHEMA=$DATA/ci.json
TEMPLATES=(sign attest verify gate)
GITLAB=https://gitlab.example.com # the sample project's GitLab (its git remote), a token issuer
unset SIGSTORE_ID_TOKEN SIGSTORE_ROOT_FILE SIGSTORE_REKOR_PUBLIC_KEY SIGSTORE_CT_LOG_PUBLIC_KEY_FILE \
  SIGSTORE_TSA_CERTIFICATE_FILE SIGIL_TRUSTED_ROOT SIGIL_FULCIO_URL SIGIL_REKOR_URL \
  SIGIL_TIMESTAMP_SERVER_URL SIGIL_SIGNING_CONFIG

# shellcheck source=../../scripts/lib/node-tools.sh
if ! { source "$SRC/scripts/lib/node-tools.sh" && ensure_ci_tools; }; then
  skip "GitLab CI template tests: ajv-cli/gitlab-ci-local could not be installed (see 'node-tools:' above)"
  finish
  exit
fi
for tool in git rsync skopeo python3; do
  command -v "$tool" >/dev/null || { RC=1 failed "$tool is not installed (scripts/lib/deps.sh installs it)"; finish; exit; }
done
AJV=$CI_TOOLS_BIN/ajv
GCL=$CI_TOOLS_BIN/gitlab-ci-local

# --- files to validate: spec: headers, the READMEs' examples -------------------------------------
V=$TEST_TMP/schema
mkdir -p "$V"
for t in "${TEMPLATES[@]}" "${TEMPLATES[@]/#/component-}"; do
  f=$SRC/ci-templates/$t.yml
  [[ $t == component-* ]] && f=$SRC/templates/${t#component-}.yml
  if [[ $(grep -c '^---$' "$f") != 1 ]]; then
    RC=1 failed "$f: expected a spec: header, one '---' line, then the jobs"
    continue
  fi
  sed '/^---$/,$d' "$f" >"$V/$t.header.yml"
  grep -q '^spec:$' "$V/$t.header.yml" || RC=1 failed "$f has no spec: header"
done
# A header with a mistyped input type must be rejected, or the check proves nothing.
sed 's/^      type: string$/      type: strin/' "$V/sign.header.yml" >"$V/broken.header.yml"
# The READMEs' copy-paste pipelines are GitLab CI too (a TrustPolicy block is a sigil-policy(5) file, not CI: skipped).
python3 - "$V" "$SRC/ci-templates/README.md" "$SRC/README.md" <<'PY'
import re, sys
n = 0
for path in sys.argv[2:]:
    for block in re.findall(r"```yaml\n(.*?)```", open(path).read(), re.S):
        if re.search(r"^apiVersion:", block, re.M):
            continue  # a trust policy or Kubernetes manifest, not a pipeline
        open(f"{sys.argv[1]}/readme-{n}.yml", "w").write(block)
        n += 1
PY
readme_blocks=("$V"/readme-*.yml)

# --- a project repository for gitlab-ci-local ---------------------------------------------------
REPO=$TEST_TMP/project
mkdir -p "$REPO/ci"
cp -r "$SRC/ci-templates" "$REPO/ci-templates"
cp -r "$SRC/templates" "$REPO/templates"
cp "$DATA/gitlab-ci.yml" "$REPO/.gitlab-ci.yml"
cp "$DATA/gitlab-ci-keyless.yml" "$REPO/keyless.yml"
cp "$DATA/gitlab-ci-gate.yml" "$REPO/gate.yml"
cp "$DATA/build-image.sh" "$DATA/tamper_signature.py" "$REPO/ci/"
cat >"$REPO/defaults.yml" <<'YAML'
include:
  - local: ci-templates/sign.yml
    inputs: {sigil-image: $CI_REGISTRY_IMAGE/sigil:0.1.0}
  - local: ci-templates/attest.yml
    inputs: {sigil-image: $CI_REGISTRY_IMAGE/sigil:0.1.0}
  - local: ci-templates/verify.yml
    inputs: {sigil-image: $CI_REGISTRY_IMAGE/sigil:0.1.0}
build:
  stage: build
  script:
    - echo IMAGE_DIGEST=sha256:0000000000000000000000000000000000000000000000000000000000000000 >build.env
  artifacts:
    reports:
      dotenv: build.env
YAML
# An input that would break out of the job's shell quoting: the inputs' regexes refuse it.
cat >"$REPO/bad-input.yml" <<'YAML'
include:
  - local: ci-templates/sign.yml
    inputs:
      sigil-image: sigil
      keyless: true
      fulcio-url: 'https://fulcio.example"; touch pwned; "'
YAML
# No image given: no default may name a registry path the user does not control.
cat >"$REPO/no-image.yml" <<'YAML'
include:
  - local: ci-templates/verify.yml
YAML
(
  cd "$REPO" && export GIT_CONFIG_NOSYSTEM=1 HOME=$TEST_TMP &&
    git init -q -b main && git remote add origin git@gitlab.example.com:grp/proj.git &&
    git config user.name sigil-test && git config user.email test@sigil.invalid &&
    git add -A && git commit -qm "sample project" &&
    git update-ref refs/remotes/origin/main HEAD && git symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/main
) || { RC=1 failed "could not make the sample git repository"; finish; exit; }

# gcl ARGS...: gitlab-ci-local in the sample project, bounded, with its own home directory.
gcl() {
  (cd "$REPO" && PATH=$TEST_TMP/bin:$PATH HOME=$TEST_TMP timeout 180 "$GCL" --home "$TEST_TMP/gcl-home" "$@")
}

# The expanded configs: the sample pipeline, the templates with no inputs, the keyless sample
# (its components resolved from this commit), and a bad input, all at once.
gcl --preview >"$V/preview.yml" 2>"$TEST_TMP/preview.err" &
preview_pid=$!
gcl --file defaults.yml --preview >"$V/defaults.yml" 2>"$TEST_TMP/defaults.err" &
defaults_pid=$!
gcl --file keyless.yml --state-dir .gitlab-ci-local-keyless --preview >"$V/keyless.yml" 2>"$TEST_TMP/keyless.err" &
keyless_pid=$!
gcl --file bad-input.yml --state-dir .gitlab-ci-local-bad --preview >"$TEST_TMP/bad-input.out" 2>&1 &
bad_pid=$!
gcl --file no-image.yml --state-dir .gitlab-ci-local-noimage --preview >"$TEST_TMP/no-image.out" 2>&1 &
noimage_pid=$!
wait "$preview_pid"
preview_rc=$?
wait "$defaults_pid"
defaults_rc=$?
wait "$keyless_pid"
keyless_rc=$?
wait "$bad_pid"
bad_rc=$?
wait "$noimage_pid"
noimage_rc=$?

# --- 1. GitLab's schema, one ajv run over everything ----------------------------------------------
data=("$V"/{,component-}{sign,attest,verify,gate}.header.yml "$V/broken.header.yml" "$V"/{preview,defaults,keyless}.yml
  "${readme_blocks[@]}")
run "$AJV" validate -s "$SCHEMA" --spec=draft7 --strict=false --all-errors -c ajv-formats "${data[@]/#/-d=}"
verdicts=$OUT$ERR
valid() { grep -q "$V/$1 valid" <<<"$verdicts"; }
for t in "${TEMPLATES[@]}"; do
  valid "$t.header.yml" && pass "$t.yml spec: header validates against GitLab's ci.json" ||
    { OUT=$(grep -A20 "$t.header.yml invalid" <<<"$verdicts") failed "$t.yml spec: header against ci.json"; }
  valid "component-$t.header.yml" && pass "the component templates/$t.yml: spec: header validates against ci.json" ||
    { OUT=$(grep -A20 "component-$t.header.yml invalid" <<<"$verdicts") failed "templates/$t.yml spec: header against ci.json"; }
done
grep -q "$V/broken.header.yml invalid" <<<"$verdicts" && pass "the schema rejects a header with a bad input type" ||
  failed "a broken header was not rejected"
invalid=$(grep -o 'readme-[0-9]*.yml invalid' <<<"$verdicts")
[[ ${#readme_blocks[@]} -ge 5 && -z $invalid ]] && valid readme-0.yml &&
  pass "the ${#readme_blocks[@]} YAML examples in README.md and ci-templates/README.md validate against ci.json" ||
  failed "README YAML examples against ci.json: ${invalid:-no examples found}"
undocumented=()
for t in "${TEMPLATES[@]}"; do
  for input in $(sed -n 's/^    \([a-z-]*\):$/\1/p' "$V/$t.header.yml"); do
    sed -n "/^### $t.yml/,/^##/p" "$SRC/ci-templates/README.md" | grep -q "^| \`$input\`" || undocumented+=("$t.yml: $input")
  done
done
((${#undocumented[@]} == 0)) && pass "ci-templates/README.md documents every input of every template" ||
  { RC=1 OUT=$(printf '%s\n' "${undocumented[@]}") ERR="" failed "inputs missing from ci-templates/README.md"; }

# --- 1b. the components: templates/*.yml are generated from ci-templates/*.yml ---------------------
GEN=$SRC/scripts/ci-components.sh
run "$GEN" --check
expect "templates/{sign,attest,verify,gate}.yml are what scripts/ci-components.sh writes from ci-templates/" 0
D=$TEST_TMP/drift
mkdir -p "$D"
cp -r "$SRC/ci-templates" "$SRC/templates" "$D/"
sed -i 's/^      default: sigil-sign$/      default: sigil-signer/' "$D/templates/sign.yml"
run "$GEN" --check "$D"
expect "drift check: an edited component fails it, naming the file and the fix" 1 \
  "ci-components: templates/sign.yml differs from ci-templates/sign.yml: edit ci-templates/sign.yml, then run scripts/ci-components.sh"
cp "$SRC/templates/sign.yml" "$D/templates/sign.yml"
echo "# changed" >>"$D/ci-templates/verify.yml"
touch "$D/templates/extra.yml"
run "$GEN" --check "$D"
[[ $RC == 1 && $ERR == *"templates/verify.yml differs from ci-templates/verify.yml"* &&
  $ERR == *"templates/extra.yml has no source in ci-templates/"* && $ERR != *sign.yml* ]] &&
  pass "drift check: an edited source, and a component without a source, fail it" || failed "drift check of the source"
rm "$D/templates/extra.yml"
run "$GEN" "$D"
expect "scripts/ci-components.sh regenerates the components" 0
run "$GEN" --check "$D"
expect "after regeneration the drift check passes" 0

# --- 2. expansion: the golden preview, the expanded configs against the schema --------------------
if [[ $preview_rc -ne 0 ]]; then
  RC=$preview_rc OUT=$(tail -20 "$TEST_TMP/preview.err") ERR="" failed "gitlab-ci-local --preview of the sample pipeline"
elif [[ ${SIGIL_UPDATE_GOLDEN:-} == 1 ]]; then
  cp "$V/preview.yml" "$GOLDEN"
  skip "golden file rewritten: $GOLDEN"
elif diff -u "$GOLDEN" "$V/preview.yml" >"$TEST_TMP/preview.diff"; then
  pass "--preview of the sample pipeline equals templates/preview.golden.yml"
else
  OUT=$(head -60 "$TEST_TMP/preview.diff") ERR="" RC=1 \
    failed "--preview differs from the golden file (SIGIL_UPDATE_GOLDEN=1 rewrites it after review)"
fi
[[ $preview_rc -eq 0 ]] && valid preview.yml &&
  pass "the expanded sample pipeline (all three templates' jobs) validates against ci.json" ||
  { OUT=$(grep -A20 "preview.yml invalid" <<<"$verdicts") failed "expanded sample pipeline against ci.json"; }
[[ $keyless_rc -eq 0 ]] && valid keyless.yml &&
  pass "the keyless sample (include: component, keyless: true) expands to a config that validates against ci.json" ||
  { OUT=$(tail -20 "$TEST_TMP/keyless.err"; grep -A20 "keyless.yml invalid" <<<"$verdicts") failed "keyless sample against ci.json"; }
[[ $bad_rc -ne 0 ]] && grep -qF "\`fulcio-url\` input: \`https://fulcio.example\"; touch pwned; \"\` does not match required regex" "$TEST_TMP/bad-input.out" &&
  pass "an input that would break the job's shell quoting is refused by its regex" ||
  { RC=$bad_rc OUT=$(tail -5 "$TEST_TMP/bad-input.out") ERR="" failed "fulcio-url regex"; }
# The CI image: an input every include must set (the job holds the key and its password), never
# a default under a namespace the user may not own ($CI_REGISTRY/sigil/... on gitlab.com).
[[ $noimage_rc -ne 0 ]] && grep -qF 'ci-templates/verify.yml`: `sigil-image` input: required value has not been provided' "$TEST_TMP/no-image.out" &&
  pass "a template included without the sigil-image input is refused: the CI image has no default" ||
  { RC=$noimage_rc OUT=$(tail -5 "$TEST_TMP/no-image.out") ERR="" failed "sigil-image must be required"; }
foreign=$(grep -nE '(\$\{?CI_REGISTRY\}?|registry\.gitlab\.com|docker\.io|ghcr\.io|quay\.io)/[A-Za-z0-9_.-]*sigil' \
  "$SRC"/ci-templates/*.yml "$SRC"/templates/*.yml "$SRC/ci-templates/README.md" "$SRC/README.md")
images=$(sed -sn '/^---$/,$s/^  image: *//p' "$SRC"/ci-templates/*.yml "$SRC"/templates/*.yml | sort -u)
defaults=$(for f in "$SRC"/ci-templates/*.yml "$SRC"/templates/*.yml; do sed -n '/^    sigil-image:$/,/^    [a-z-]*:$/p' "$f"; done | grep -c '^      default:')
check "no template, component or README names a sigil image under a registry path the user does not control" eq \
  "$foreign|$images|$defaults" '|$[[ inputs.sigil-image ]]|0'
# id_tokens: the keyless sign and attest jobs ask for a sigstore token; no other job does.
id_tokens() { # FILE: "job=audience" for each job with id_tokens
  python3 -c 'import sys, yaml
for name, job in (yaml.safe_load(open(sys.argv[1])) or {}).items():
    if isinstance(job, dict) and "id_tokens" in job:
        print(name + "=" + ",".join(k + ":" + str(v.get("aud")) for k, v in job["id_tokens"].items()))' "$1" 2>&1
}
check "only the keyless jobs get an ID token (SIGSTORE_ID_TOKEN, aud sigstore)" eq \
  "$(id_tokens "$V/keyless.yml" | tr '\n' ' ')|$(id_tokens "$V/preview.yml")|$(id_tokens "$V/defaults.yml")" \
  "sigil-sign=SIGSTORE_ID_TOKEN:sigstore sigil-attest=SIGSTORE_ID_TOKEN:sigstore ||"
[[ $defaults_rc -eq 0 ]] && valid defaults.yml &&
  pass "the templates with default inputs expand to a config that validates against ci.json" ||
  { OUT=$(tail -20 "$TEST_TMP/defaults.err"; grep -A20 "defaults.yml invalid" <<<"$verdicts") failed "templates with default inputs against ci.json"; }

# --- 3. a real run -----------------------------------------------------------------------------
start_registry REG htpasswd-tls || { RC=1 failed "could not start the registry"; finish; exit; }
mkdir -p "$TEST_TMP/bin" "$TEST_TMP/keys"
cp "$SIGIL" "$TEST_TMP/bin/sigil" # a copy: a rebuild during the run cannot swap it
KEY_PASSWORD="tpl-$(openssl rand -hex 12)"
SIGIL_PASSWORD=$KEY_PASSWORD run "$SIGIL" generate-key-pair --output-key-prefix "$TEST_TMP/keys/sigil"
expect "test key pair" 0 || { finish; exit; }
PUBLIC_PEM=$(cat "$TEST_TMP/keys/sigil.pub")
# The File-type variable as a runner under umask 0000 writes it (docker executor): mode 0666.
# sigil refuses such a key; the templates sign with a private copy (in the jobs' TMPDIR).
cp "$TEST_TMP/keys/sigil.key" "$TEST_TMP/keys/file-variable.key"
chmod 666 "$TEST_TMP/keys/file-variable.key"
mkdir -p "$TEST_TMP/jobtmp"

# The CI variables a project would set (the key as a File-type variable: a path; the public key
# as a variable holding the PEM), and the registry in place of GitLab's.
OVERRIDDEN=CI_REGISTRY,CI_REGISTRY_IMAGE,CI_COMMIT_REF_PROTECTED # predefined ones set here
CI_BASE=(
  --variable "CI_REGISTRY=$REG_HOST"
  --variable "CI_REGISTRY_IMAGE=$REG_HOST/grp/proj"
  --variable "CI_REGISTRY_USER=$REG_USER"
  --variable "CI_REGISTRY_PASSWORD=$REG_PASSWORD"
  --variable "CI_COMMIT_REF_PROTECTED=true"
  --variable "CI_RUNNER_ID=42"
  --variable "CI_CONFIG_PATH=.gitlab-ci.yml"
  --variable "SIGIL_TUF_MIRROR=none" # the jobs never reach the public-good TUF mirror
  --ignore-predefined-vars "$OVERRIDDEN"
  --variable "SSL_CERT_FILE=$REG_CA"
  --variable "SIGIL_TEST_REGISTRY_TOOLS=$REGISTRY_TOOLS_DIR"
  --variable "SIGIL_TEST_CERT_DIR=$REG_CERT_DIR"
  --variable "TMPDIR=$TEST_TMP/jobtmp"
)
CI_VARS=("${CI_BASE[@]}"
  --variable "SIGIL_PRIVATE_KEY=$TEST_TMP/keys/file-variable.key"
  --variable "SIGIL_PUBLIC_KEY=$PUBLIC_PEM"
)

# job_passed NAME / job_failed NAME: from gitlab-ci-local's closing summary.
job_passed() { grep -Eq "^ PASS +$1( |\$)" <<<"$OUT"; }
job_failed() { grep -Eq "^ FAIL +$1( |\$)" <<<"$OUT"; }
digest_of_run() { grep -o 'IMAGE_DIGEST=sha256:[0-9a-f]*' "$REPO/build.env" 2>/dev/null | cut -d= -f2; }

run gcl --force-shell-executor --no-json-schema-validation "${CI_VARS[@]}" --variable "SIGIL_PASSWORD=$KEY_PASSWORD"
cat "$TEST_TMP/.out" "$TEST_TMP/.err" >"$TEST_TMP/run1.log"
expect "the sample pipeline passes (build, sign, attest, verify, deploy)" 0
for job in build sigil-sign sigil-attest sigil-verify deploy; do
  job_passed "$job" && pass "run 1: job $job passed" || failed "run 1: job $job did not pass"
done
grep -q "tamper" <<<"$OUT" && failed "run 1: the tamper job ran without SIGIL_TEST_TAMPER" || pass "run 1: no tamper job"
check "run 1: the jobs signed with a private copy of the 0666 key file variable, left it as it was and removed the copy" eq \
  "$(stat -c %a "$TEST_TMP/keys/file-variable.key") $(ls -A "$TEST_TMP/jobtmp" | grep -c sigil-key)" "666 0"
DIGEST=$(digest_of_run)
IMAGE=$REG_HOST/grp/proj@$DIGEST
grep -q "sigil-verify: $IMAGE is signed and attested (slsaprovenance1) by a trusted key" <<<"$OUT" &&
  pass "run 1: the gate reports the image signed and attested" || failed "run 1: gate message"

# The signatures and attestation the pipeline pushed, checked outside CI.
REGISTRY_FLAGS=(--ca-file "$REG_CA" --registry-username "$REG_USER" --registry-password "$REG_PASSWORD")
COMMIT=$(git -C "$REPO" rev-parse HEAD)
run "$SIGIL" verify "$IMAGE" --key "$TEST_TMP/keys/sigil.pub" "${REGISTRY_FLAGS[@]}" \
  -a "org.opencontainers.image.revision=$COMMIT" -a team=supply-chain -a "org.opencontainers.image.source=https://gitlab.example.com/grp/proj"
expect "sigil verify outside CI: signed with the default and extra annotations" 0
grep -q '"com.gitlab.ci.job.url":"https://gitlab.example.com/grp/proj/-/jobs/' <<<"$OUT" &&
  grep -q '"com.gitlab.ci.pipeline.url":"https://gitlab.example.com/grp/proj/pipelines/' <<<"$OUT" &&
  pass "the signature carries the job and pipeline URLs" || failed "job/pipeline URL annotations"
# --recursive: the index and both platform manifests are signed.
run timeout 60 skopeo inspect --raw --cert-dir "$REG_CERT_DIR" --creds "$REG_USER:$REG_PASSWORD" "docker://$IMAGE"
platforms=$(python3 -c 'import json,sys; [print(m["digest"]) for m in json.load(sys.stdin)["manifests"]]' <<<"$OUT" 2>/dev/null)
[[ $(wc -w <<<"$platforms") == 2 ]] && pass "the build job pushed a two-platform index" || failed "no two-platform index at $IMAGE"
for d in $platforms; do
  run "$SIGIL" verify "$REG_HOST/grp/proj@$d" --key "$TEST_TMP/keys/sigil.pub" "${REGISTRY_FLAGS[@]}"
  expect "recursive signing: platform manifest ${d:0:19}... is signed" 0
done
run "$SIGIL" verify-attestation "$IMAGE" --key "$TEST_TMP/keys/sigil.pub" --type slsaprovenance1 \
  --source-uri gitlab.example.com/grp/proj --source-ref refs/heads/main "${REGISTRY_FLAGS[@]}"
expect "the provenance attestation verifies outside CI (source and ref of the sample project)" 0
[[ -s $REPO/sigil-provenance.json ]] && pass "the attest job keeps sigil-provenance.json" || failed "no sigil-provenance.json artifact"

# --- 3a. the deploy gate: a rendered Deployment naming the image by tag, pinned by digest --------
run gcl --file gate.yml --state-dir .gitlab-ci-local-gate --force-shell-executor --no-json-schema-validation \
  "${CI_VARS[@]}" --variable "SIGIL_PASSWORD=$KEY_PASSWORD"
cat "$TEST_TMP/.out" "$TEST_TMP/.err" >"$TEST_TMP/run-gate.log"
expect "the gate sample passes (build, sign, render, gate, deploy)" 0
for job in sigil-gate deploy; do
  job_passed "$job" && pass "gate run: job $job passed" || failed "gate run: job $job did not pass"
done
GATE_DIGEST=$(digest_of_run)
grep -q "sigil-gate: every image in rendered/ is signed by a trusted key" <<<"$OUT" &&
  grep -qF "image: \"$REG_HOST/grp/proj@$GATE_DIGEST\"" <<<"$OUT" && grep -qF "name: app # rendered" <<<"$OUT" &&
  pass "gate run: the deploy job applies the manifest pinned to the verified digest, comment kept" ||
  failed "gate run: pinned manifest not in the deploy job's log"
junit=$(find "$REPO/.gitlab-ci-local-gate" -name sigil-gate.xml | head -1)
check "gate run: the JUnit report is an artifact, one passing test case" eq \
  "$(python3 -c 'import sys, xml.etree.ElementTree as ET; s = ET.parse(sys.argv[1]).getroot().find("testsuite"); print(s.get("tests"), s.get("failures"), s.get("errors"))' "$junit" 2>&1)" "1 0 0"

# --- 3b. the rendered sign job as the CI image runs it: uid 10001, the key another user's 0666 file
uid_job() { # the expanded sigil-sign job (gitlab-ci-local cannot switch users), as uid 10001
  local d=$TEST_TMP/uid10001
  mkdir -p "$d/home" "$d/tmp" && cp "$SIGIL" "$REG_CA" "$d/" && cp "$TEST_TMP/keys/sigil.key" "$d/file-variable.key" &&
    chmod 666 "$d/file-variable.key" && chown 10001:10001 "$d/home" "$d/tmp" && chmod 711 "$TEST_TMP" "$d" &&
    python3 -c 'import sys, yaml; print("\n".join(yaml.safe_load(open(sys.argv[1]))["sigil-sign"]["script"]))' \
      "$V/preview.yml" >"$d/job.sh" && chmod 644 "$d/job.sh" || return 1
  run env -i PATH="$d:/usr/bin:/bin" HOME="$d/home" TMPDIR="$d/tmp" SSL_CERT_FILE="$d/$(basename "$REG_CA")" \
    CI_REGISTRY="$REG_HOST" CI_REGISTRY_IMAGE="$REG_HOST/grp/proj" CI_REGISTRY_USER="$REG_USER" \
    CI_REGISTRY_PASSWORD="$REG_PASSWORD" IMAGE_DIGEST="$DIGEST" CI_JOB_ID=7 CI_PIPELINE_ID=3 CI_COMMIT_SHA="$COMMIT" \
    CI_PROJECT_URL=https://gitlab.example.com/grp/proj CI_PIPELINE_URL=https://gitlab.example.com/grp/proj/pipelines/3 \
    CI_JOB_URL=https://gitlab.example.com/grp/proj/-/jobs/7 SIGIL_PRIVATE_KEY="$d/file-variable.key" \
    SIGIL_PASSWORD="$KEY_PASSWORD" "$@"
}
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null; then
  as_10001=(setpriv --reuid=10001 --regid=10001 --clear-groups)
  uid_job "${as_10001[@]}" sigil sign "$IMAGE" --key "$TEST_TMP/uid10001/file-variable.key"
  expect "uid 10001: sigil refuses root's 0666 key file and says to copy it (chmod cannot work)" 30 \
    "private key file $TEST_TMP/uid10001/file-variable.key can be read or written by other users (mode 0666); it belongs to another user (uid 0): copy it to a private file, as in: (umask 077; cat $TEST_TMP/uid10001/file-variable.key >KEY) (or pass --allow-insecure-key-permissions)"
  uid_job "${as_10001[@]}" sh -e "$TEST_TMP/uid10001/job.sh"
  expect "uid 10001: the rendered sign job signs with root's 0666 File variable (a private copy)" 0
  check "uid 10001: the File variable is left as it was, the job's copy is gone" eq \
    "$(stat -c '%a %u' "$TEST_TMP/uid10001/file-variable.key") $(ls -A "$TEST_TMP/uid10001/tmp")" "666 0 "
  chmod 700 "$TEST_TMP"
else
  skip "the sign job as uid 10001 needs root and setpriv"
fi

# --- 4. a tampered signature -------------------------------------------------------------------
run gcl --force-shell-executor --no-json-schema-validation "${CI_VARS[@]}" --variable "SIGIL_PASSWORD=$KEY_PASSWORD" \
  --variable SIGIL_TEST_TAMPER=1
cat "$TEST_TMP/.out" "$TEST_TMP/.err" >"$TEST_TMP/run2.log"
expect "run 2 (tampered signature): the pipeline fails" 1
job_passed tamper && pass "run 2: the tamper job corrupted the signature" || failed "run 2: tamper job"
job_failed sigil-verify && pass "run 2: the verify gate fails" || failed "run 2: the verify gate did not fail"
grep -q "sigil-verify: SIGNATURE VERIFICATION FAILED for $REG_HOST/grp/proj@sha256:[0-9a-f]* with exit status 12" <<<"$OUT" &&
  pass "run 2: the gate says why, with sigil's exit status 12 (none verified)" || failed "run 2: gate failure message"
job_passed deploy && failed "run 2: deploy ran after a failed gate" || pass "run 2: deploy did not run"

# --- 5. a wrong key password: signing fails the job, nothing after it runs ---------------------
run gcl --force-shell-executor --no-json-schema-validation "${CI_VARS[@]}" --variable "SIGIL_PASSWORD=not-$KEY_PASSWORD"
cat "$TEST_TMP/.out" "$TEST_TMP/.err" >"$TEST_TMP/run3.log"
expect "run 3 (wrong key password): the pipeline fails" 1
job_failed sigil-sign && grep -q "sigil-sign: signing $REG_HOST/grp/proj@sha256:[0-9a-f]* FAILED with exit status 30" <<<"$OUT" &&
  pass "run 3: the sign job fails loudly with sigil's exit status 30 (wrong password)" || failed "run 3: sign job failure"
job_passed sigil-verify || job_passed deploy && failed "run 3: verify or deploy ran after signing failed" ||
  pass "run 3: neither the gate nor deploy ran"

# The sign job alone, without the build job's dotenv report: a clear error, not a bad reference.
run gcl --file defaults.yml --state-dir .gitlab-ci-local-alone --force-shell-executor --no-json-schema-validation "${CI_VARS[@]}" \
  --variable "SIGIL_PASSWORD=$KEY_PASSWORD" sigil-sign
cat "$TEST_TMP/.out" "$TEST_TMP/.err" >"$TEST_TMP/run4.log"
[[ $RC -ne 0 ]] && grep -q "sigil-sign: no image to sign ('$REG_HOST/grp/proj@'): the build job must write IMAGE_DIGEST" <<<"$OUT$ERR" &&
  pass "without IMAGE_DIGEST the sign job fails and says where the digest should come from" ||
  failed "sign job without IMAGE_DIGEST"

# keyless_run: section 6 (a function, so that it runs only with the stand-in up).
keyless_run() {
  local image digest identity
  run kgcl "${KEYLESS_VARS[@]}" --variable "SIGSTORE_ID_TOKEN=$ID_TOKEN"
  cat "$TEST_TMP/.out" "$TEST_TMP/.err" >"$TEST_TMP/run5.log"
  expect "keyless run: the sample passes with no key variable (build, sign, attest, verify, deploy)" 0
  for job in build sigil-sign sigil-attest sigil-verify deploy; do
    job_passed "$job" && pass "keyless run: job $job passed" || failed "keyless run: job $job did not pass"
  done
  digest=$(digest_of_run)
  image=$REG_HOST/grp/proj@$digest
  grep -q "sigil-verify: $image is signed and attested (slsaprovenance1) by GitLab CI of grp/proj at refs/heads/main" <<<"$OUT" &&
    pass "keyless run: the gate names the project and ref that signed" || failed "keyless run: gate message"

  # Outside CI: the identity GitLab's token gave the certificate, signature and attestation.
  identity=$GITLAB/grp/proj//.gitlab-ci.yml@refs/heads/main
  local -a who=(--gitlab-project grp/proj --gitlab-ref main --gitlab-url "$GITLAB" --trusted-root "$SIGSTORE_STANDIN_TRUSTED_ROOT")
  run "$SIGIL" verify "$image" "${who[@]}" "${REGISTRY_FLAGS[@]}" -a "org.opencontainers.image.revision=$COMMIT"
  expect "keyless: sigil verify --gitlab-project outside CI accepts the signature" 0
  check "keyless: the certificate names $identity, issuer $GITLAB" eq \
    "$(python3 -c 'import json, sys; r = json.load(sys.stdin)[0]["sigil"]; print(r["identity"], r["issuer"])' <<<"$OUT" 2>&1)" \
    "$identity $GITLAB"
  # format: both also pushed a Sigstore bundle referrer (verify reads referrers when no .sig verifies).
  run "$SIGIL" tree "$image" "${REGISTRY_FLAGS[@]}" -o json
  check "keyless: format both pushed the .sig tag and a Sigstore bundle referrer" eq \
    "$(grep -o '"artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json"\|"kind":"signatures"' <<<"$OUT" | sort | tr '\n' ' ')" \
    '"artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json" "kind":"signatures" '
  run "$SIGIL" verify-attestation "$image" "${who[@]}" "${REGISTRY_FLAGS[@]}" --type slsaprovenance1 \
    --source-uri gitlab.example.com/grp/proj
  expect "keyless: the provenance attestation (signed through the signing config) verifies outside CI" 0
  grep -q '"path": "/api/v1/timestamp"' "$SIGSTORE_STANDIN_LOG" && pass "keyless: the timestamp authority was asked" ||
    failed "keyless: no request reached the stand-in's TSA"

  # The gate of another project, and at another ref: exit 12, the certificate says why.
  run kgcl "${KEYLESS_VARS[@]}" --input gitlab-project=grp/other sigil-verify
  cat "$TEST_TMP/.out" "$TEST_TMP/.err" >"$TEST_TMP/run6.log"
  [[ $RC == 1 ]] && job_failed sigil-verify &&
    grep -q "sigil-verify: SIGNATURE VERIFICATION FAILED for $image with exit status 12" <<<"$OUT" &&
    grep -q "$GITLAB/grp/other//.gitlab-ci.yml@refs/heads/main" <<<"$OUT" &&
    grep -q "$identity" <<<"$OUT" &&
    pass "keyless: the gate of another project (grp/other) fails with exit status 12, naming both identities" ||
    failed "keyless: verify as another project"
  OVERRIDDEN+=,CI_COMMIT_REF_NAME,CI_COMMIT_BRANCH # one --ignore-predefined-vars only: gitlab-ci-local takes one
  run kgcl "${KEYLESS_VARS[@]/#CI_REGISTRY,*/$OVERRIDDEN}" --variable CI_COMMIT_REF_NAME=release \
    --variable CI_COMMIT_BRANCH=release sigil-verify
  cat "$TEST_TMP/.out" "$TEST_TMP/.err" >"$TEST_TMP/run7.log"
  [[ $RC == 1 ]] && job_failed sigil-verify &&
    grep -q "sigil-verify: SIGNATURE VERIFICATION FAILED for $image with exit status 12" <<<"$OUT" &&
    grep -q "$GITLAB/grp/proj//.gitlab-ci.yml@refs/heads/release" <<<"$OUT" &&
    pass "keyless: the gate of another ref (refs/heads/release) fails with exit status 12, naming it" ||
    failed "keyless: verify at another ref"

  # Keyless without a token (no id_tokens), and without a trusted root: the sign job says what to set.
  run kgcl "${KEYLESS_VARS[@]}" sigil-sign
  cat "$TEST_TMP/.out" "$TEST_TMP/.err" >"$TEST_TMP/run8.log"
  [[ $RC == 1 ]] && job_failed sigil-sign &&
    grep -q "sigil-sign: keyless signing needs the ID token SIGSTORE_ID_TOKEN, which GitLab gives a job with id_tokens: SIGSTORE_ID_TOKEN: aud: sigstore; none was given" <<<"$OUT" &&
    pass "keyless without SIGSTORE_ID_TOKEN: the sign job fails and names id_tokens" || failed "keyless sign without a token"
  run kgcl "${CI_BASE[@]}" --variable "SIGIL_FULCIO_URL=$SIGSTORE_STANDIN_URL" --variable "SIGIL_REKOR_URL=$SIGSTORE_STANDIN_URL" \
    --variable "SIGSTORE_ID_TOKEN=$ID_TOKEN" sigil-sign
  cat "$TEST_TMP/.out" "$TEST_TMP/.err" >"$TEST_TMP/run9.log"
  [[ $RC == 1 ]] && job_failed sigil-sign && grep -q "pass --trusted-root FILE" <<<"$OUT" &&
    grep -q "sigil-sign: signing $image FAILED with exit status 2 " <<<"$OUT" &&
    pass "keyless without a trusted root: sigil stops with exit status 2 and names --trusted-root" ||
    failed "keyless sign without a trusted root"
}

# --- 6. keyless, with the catalog components ------------------------------------------------
# One stand-in: the private Fulcio (trusting the sample project's GitLab), Rekor and TSA.
if start_sigstore_standin "$TEST_TMP/sigstore-templates" --prefill 64 --issuer "$GITLAB"; then
  ID_TOKEN=$(sigstore_mint_token --gitlab --iss "$GITLAB" --gitlab-project grp/proj --gitlab-ref refs/heads/main)
  KEYLESS_VARS=("${CI_BASE[@]}"
    --variable "SIGIL_FULCIO_URL=$SIGSTORE_STANDIN_URL"
    --variable "SIGIL_REKOR_URL=$SIGSTORE_STANDIN_URL"
    --variable "SIGIL_TIMESTAMP_SERVER_URL=$SIGSTORE_STANDIN_TSA_URL"
    --variable "SIGIL_TRUSTED_ROOT=$SIGSTORE_STANDIN_TRUSTED_ROOT"
    --variable "SIGIL_TEST_SIGNING_CONFIG=$SIGSTORE_STANDIN_SIGNING_CONFIG"
  )
  # kgcl ARGS...: the keyless sample, in its own state directory, with the key variables absent.
  kgcl() { gcl --file keyless.yml --state-dir .gitlab-ci-local-keyless --force-shell-executor --no-json-schema-validation "$@"; }
  keyless_run
else
  RC=1 OUT="" ERR="" failed "could not start the sigstore stand-in: the keyless runs did not run"
fi

# --- 7. secrets and shell hygiene ------------------------------------------------------------
logs=$(cat "$TEST_TMP"/run[1-9]*.log "$REPO"/.gitlab-ci-local*/output/*.log 2>/dev/null)
[[ $(wc -l <<<"$logs") -gt 100 ]] || failed "too few job log lines to check for secrets"
grep -qF -- "$KEY_PASSWORD" <<<"$logs" && failed "the key's password appears in a job log" ||
  pass "the key's password appears in no job log"
grep -qF -- "$REG_PASSWORD" <<<"$logs" && failed "the registry password appears in a job log" ||
  pass "the registry password appears in no job log"
if [[ -n ${ID_TOKEN:-} ]]; then
  grep -qF -- "$ID_TOKEN" <<<"$logs" && failed "the ID token appears in a job log" ||
    pass "the ID token (SIGSTORE_ID_TOKEN) appears in no job log"
fi
for t in "${TEMPLATES[@]}"; do
  # after_script: (whose failures do not fail a job) only removes the key copy.
  after=$(sed -n '/^  after_script:$/,/^  [a-z_]*:$/p' "$SRC/ci-templates/$t.yml" | grep '^    - ')
  if grep -nE 'set -[a-z]*x|echo[^|]*\$\{?SIGSTORE_ID_TOKEN' "$SRC/ci-templates/$t.yml" ||
    [[ -n $after && $after != '    - rm -f "${TMPDIR:-/tmp}/sigil-key-${CI_JOB_ID:-job}".*' ]]; then
    failed "$t.yml runs more than the key copy's removal in after_script: (cannot fail a job), uses set -x or echoes the token"
  else
    pass "$t.yml signs in script:, uses after_script: only to remove the key copy, has no set -x and never echoes the token"
  fi
done

finish
