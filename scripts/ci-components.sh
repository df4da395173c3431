#!/usr/bin/env bash
# Writes the GitLab CI/CD catalog components, templates/<name>.yml at the repository root, from
# their one source, ci-templates/<name>.yml: a header line saying so, then the file unchanged.
# GitLab reads components only from templates/ at the root of the project; ci-templates/ stays
# the place to edit (and to include with include: remote/project/local), next to the README and
# the CI image's Dockerfile.
#
#   scripts/ci-components.sh            rewrites templates/*.yml
#   scripts/ci-components.sh --check    exit 0 when templates/ is what it would write; else
#                                       exit 1 naming each file that differs, is missing or
#                                       has no source
#   scripts/ci-components.sh [--check] ROOT   the same for another checkout
set -euo pipefail

check=0
if [[ ${1:-} == --check ]]; then
  check=1
  shift
fi
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
COMPONENTS=(sign attest verify gate)

# component NAME: what templates/NAME.yml must contain.
component() {
  printf '%s\n' "# GENERATED from ci-templates/$1.yml by scripts/ci-components.sh: edit that file, then run the script."
  cat "$root/ci-templates/$1.yml"
}

status=0
for name in "${COMPONENTS[@]}"; do
  src=$root/ci-templates/$name.yml
  dst=$root/templates/$name.yml
  if [[ ! -f $src ]]; then
    echo "ci-components: $src is missing" >&2
    exit 2
  fi
  if ((check)); then
    if [[ ! -f $dst ]]; then
      echo "ci-components: templates/$name.yml is missing: run scripts/ci-components.sh" >&2
      status=1
    elif ! cmp -s <(component "$name") "$dst"; then
      echo "ci-components: templates/$name.yml differs from ci-templates/$name.yml: edit ci-templates/$name.yml, then run scripts/ci-components.sh" >&2
      status=1
    fi
  else
    mkdir -p "$root/templates"
    component "$name" >"$dst.tmp"
    mv "$dst.tmp" "$dst"
  fi
done
# A component without a source would be published from nowhere.
for dst in "$root"/templates/*.yml; do
  [[ -e $dst ]] || continue
  name=$(basename "$dst" .yml)
  if [[ ! " ${COMPONENTS[*]} " =~ \ $name\  ]]; then
    echo "ci-components: templates/$name.yml has no source in ci-templates/ (components: ${COMPONENTS[*]})" >&2
    status=1
  fi
done
exit "$status"
