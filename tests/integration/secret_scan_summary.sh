#!/usr/bin/env bash
# Adds up the secret-scan summaries the shell tests wrote (lib.sh `finish`): one line per
# test, "NAME SECRETS FILES BYTES LEAKS". Fails when a test found a leak or none reported.
# Usage: secret_scan_summary.sh DIR
set -uo pipefail
dir=${1:?usage: secret_scan_summary.sh DIR}
shopt -s nullglob
files=("$dir"/*.summary)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "secret scan: no test wrote a summary to $dir (did any shell test run?)" >&2
  exit 1
fi
cat "${files[@]}" | sort | awk '
  { printf "  %-28s %6d secrets %6d files %12d bytes %3d leaks\n", $1, $2, $3, $4, $5
    n++; s += $2; f += $3; b += $4; l += $5 }
  END { printf "secret scan: %d test suites, %d known secrets, %d files, %d bytes searched, %d leaks\n", n, s, f, b, l
        exit (l > 0) }'
