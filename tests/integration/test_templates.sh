#!/usr/bin/env bash
# GitLab CI templates (ci-templates/): GitLab's schema, the expanded pipeline, and real runs.
#   1. each template's spec: header validates against GitLab's CI JSON schema (templates/ci.json,
#      see templates/README.md for its source) with ajv-cli; a broken header is rejected;
#   2. `gitlab-ci-local --preview` of the sample pipeline (templates/gitlab-ci.yml) equals the
#      golden file, and the expanded config (every template's job with its inputs filled in)
#      validates against ci.json, as does a pipeline that includes the templates with no inputs;
#   3. the sample pipeline runs with the shell executor and the built sigil on PATH against a
#      real registry (htpasswd + TLS; credentials only through CI_REGISTRY_*): build pushes an
#      image and writes its digest to a dotenv report, sign signs it, attest attests SLSA
#      provenance, the verify gate passes and deploy runs; sigil verify outside CI agrees;
#   4. a second run in which a job corrupts the signature: the gate fails with exit status 12,
#      deploy does not run, gitlab-ci-local exits 1;
#   5. a third run with a wrong key password: the sign job fails with exit status 30, and neither
#      the gate nor deploy runs; the sign job without the build job's digest fails with a clear
#      message;
#   6. the key's password and the registry password appear in no job log; no template uses
#      after_script: or set -x.
# Usage: test_templates.sh SIGIL [BUILD_DIR]. SIGIL_UPDATE_GOLDEN=1 rewrites the golden file.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$SRC/tests/integration/templates
GOLDEN=$DATA/preview.golden.yml
SCHEMA=$DATA/ci.json
TEMPLATES=(sign attest verify)

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
for t in "${TEMPLATES[@]}"; do
  f=$SRC/ci-templates/$t.yml
  if [[ $(grep -c '^---$' "$f") != 1 ]]; then
    RC=1 failed "$t.yml: expected a spec: header, one '---' line, then the jobs"
    continue
  fi
  sed '/^---$/,$d' "$f" >"$V/$t.header.yml"
  grep -q '^spec:$' "$V/$t.header.yml" || RC=1 failed "$t.yml has no spec: header"
done
# A header with a mistyped input type must be rejected, or the check proves nothing.
sed 's/^      type: string$/      type: strin/' "$V/sign.header.yml" >"$V/broken.header.yml"
# The READMEs' copy-paste pipelines are GitLab CI too.
python3 - "$V" "$SRC/ci-templates/README.md" "$SRC/README.md" <<'PY'
import re, sys
n = 0
for path in sys.argv[2:]:
    for block in re.findall(r"```yaml\n(.*?)```", open(path).read(), re.S):
        open(f"{sys.argv[1]}/readme-{n}.yml", "w").write(block)
        n += 1
PY
readme_blocks=("$V"/readme-*.yml)

# --- a project repository for gitlab-ci-local ---------------------------------------------------
REPO=$TEST_TMP/project
mkdir -p "$REPO/ci"
cp -r "$SRC/ci-templates" "$REPO/ci-templates"
cp "$DATA/gitlab-ci.yml" "$REPO/.gitlab-ci.yml"
cp "$DATA/build-image.sh" "$DATA/tamper_signature.py" "$REPO/ci/"
cat >"$REPO/defaults.yml" <<'YAML'
include:
  - local: ci-templates/sign.yml
  - local: ci-templates/attest.yml
  - local: ci-templates/verify.yml
build:
  stage: build
  script:
    - echo IMAGE_DIGEST=sha256:0000000000000000000000000000000000000000000000000000000000000000 >build.env
  artifacts:
    reports:
      dotenv: build.env
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

# The expanded configs: the sample pipeline, and the templates with no inputs (both at once).
gcl --preview >"$V/preview.yml" 2>"$TEST_TMP/preview.err" &
preview_pid=$!
gcl --file defaults.yml --preview >"$V/defaults.yml" 2>"$TEST_TMP/defaults.err" &
defaults_pid=$!
wait "$preview_pid"
preview_rc=$?
wait "$defaults_pid"
defaults_rc=$?

# --- 1. GitLab's schema, one ajv run over everything ----------------------------------------------
data=("$V"/{sign,attest,verify,broken}.header.yml "$V/preview.yml" "$V/defaults.yml" "${readme_blocks[@]}")
run "$AJV" validate -s "$SCHEMA" --spec=draft7 --strict=false --all-errors -c ajv-formats "${data[@]/#/-d=}"
verdicts=$OUT$ERR
valid() { grep -q "$V/$1 valid" <<<"$verdicts"; }
for t in "${TEMPLATES[@]}"; do
  valid "$t.header.yml" && pass "$t.yml spec: header validates against GitLab's ci.json" ||
    { OUT=$(grep -A20 "$t.header.yml invalid" <<<"$verdicts") failed "$t.yml spec: header against ci.json"; }
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
# sigil refuses such a key; the templates make the job's copy private first.
cp "$TEST_TMP/keys/sigil.key" "$TEST_TMP/keys/file-variable.key"
chmod 666 "$TEST_TMP/keys/file-variable.key"

# The CI variables a project would set (the key as a File-type variable: a path; the public key
# as a variable holding the PEM), and the registry in place of GitLab's.
CI_VARS=(
  --variable "CI_REGISTRY=$REG_HOST"
  --variable "CI_REGISTRY_IMAGE=$REG_HOST/grp/proj"
  --variable "CI_REGISTRY_USER=$REG_USER"
  --variable "CI_REGISTRY_PASSWORD=$REG_PASSWORD"
  --variable "CI_COMMIT_REF_PROTECTED=true"
  --variable "CI_RUNNER_ID=42"
  --variable "CI_CONFIG_PATH=.gitlab-ci.yml"
  --ignore-predefined-vars CI_REGISTRY,CI_REGISTRY_IMAGE,CI_COMMIT_REF_PROTECTED
  --variable "SSL_CERT_FILE=$REG_CA"
  --variable "SIGIL_PRIVATE_KEY=$TEST_TMP/keys/file-variable.key"
  --variable "SIGIL_PUBLIC_KEY=$PUBLIC_PEM"
  --variable "SIGIL_TEST_REGISTRY_TOOLS=$REGISTRY_TOOLS_DIR"
  --variable "SIGIL_TEST_CERT_DIR=$REG_CERT_DIR"
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
check "run 1: the jobs made the 0666 key file variable private" eq "$(stat -c %a "$TEST_TMP/keys/file-variable.key")" 600
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

# --- 6. secrets and shell hygiene ------------------------------------------------------------
logs=$(cat "$TEST_TMP"/run[1234].log "$REPO"/.gitlab-ci-local*/output/*.log 2>/dev/null)
[[ $(wc -l <<<"$logs") -gt 100 ]] || failed "too few job log lines to check for secrets"
grep -qF -- "$KEY_PASSWORD" <<<"$logs" && failed "the key's password appears in a job log" ||
  pass "the key's password appears in no job log"
grep -qF -- "$REG_PASSWORD" <<<"$logs" && failed "the registry password appears in a job log" ||
  pass "the registry password appears in no job log"
for t in "${TEMPLATES[@]}"; do
  if grep -nE '^\s*after_script:|set -[a-z]*x' "$SRC/ci-templates/$t.yml"; then
    failed "$t.yml uses after_script: (cannot fail a job) or set -x (echoes secrets)"
  else
    pass "$t.yml signs in script:, never after_script:, and has no set -x"
  fi
done

finish
