#!/bin/sh
# The sample pipeline's build job (test_templates.sh), standing in for buildah or kaniko: builds
# a random two-platform OCI image, pushes it to $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA with
# skopeo, and writes the pushed digest to build.env, the job's dotenv report.
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$SIGIL_TEST_REGISTRY_TOOLS/make_oci_layout.py" "$work/oci" app --index >/dev/null
skopeo --insecure-policy copy --all --retry-times 0 --dest-cert-dir "$SIGIL_TEST_CERT_DIR" \
  --dest-creds "$CI_REGISTRY_USER:$CI_REGISTRY_PASSWORD" --digestfile "$work/digest" \
  "oci:$work/oci:app" "docker://$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA" >/dev/null
echo "IMAGE_DIGEST=$(cat "$work/digest")" >build.env
echo "built and pushed $CI_REGISTRY_IMAGE@$(cat "$work/digest")"
