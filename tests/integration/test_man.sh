#!/usr/bin/env bash
# Man pages and shell completions against the CLI they document:
#   - every command and subcommand in `sigil --help` has a page, and every long option its
#     --help prints appears in that page (drift test: fails with the list of what is missing);
#     every page names a command that exists;
#   - section-1 pages have EXAMPLES and EXIT STATUS; sigil(1) lists every command;
#   - sigil-environment(7) lists exactly the variables of the core/env table (from `sigil env
#     -o json`), secret ones marked "(secret)";
#   - mandoc -T lint is clean and `man -l` renders each page without warnings;
#   - bash completion: `sigil ver` gives the verify* commands and version, options and their
#     values complete; zsh completion (when zsh is installed) gives the same through compsys;
#     --type of attest, attest-blob, verify-attestation and verify-blob-attestation offers the
#     predicate type names, exactly the names sigil accepts (each offered name attests and
#     verifies; the names an unknown type's error lists are the ones offered).
# Usage: test_man.sh SIGIL BUILD_DIR
source "$(dirname "$0")/lib.sh"
BUILD=${2:-$(cd "$(dirname "$SIGIL")/.." && pwd)}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
MAN_BUILD=$BUILD/man
MAN_SRC=$SRC/man

# --- the CLI's commands and options, from its --help -----------------------------------------
# help_section TEXT SECTION: the first words of the lines in "SECTION:" of a CLI11 help text.
subcommands() { "$SIGIL" "$@" --help | awk '/^[A-Za-z][A-Za-z ]*:$/ { s = $0; next } s == "Subcommands:" && /^  [a-z]/ { print $1 }'; }
long_options() { "$SIGIL" "$@" --help | awk '/^  -/ { n = split($1, a, ","); for (i = 1; i <= n; i++) if (a[i] ~ /^--/) print a[i] }'; }

mapfile -t COMMANDS < <(subcommands)
if ((${#COMMANDS[@]} < 10)); then
  failed "sigil --help lists ${#COMMANDS[@]} commands; expected the full set"
fi
[[ -d $MAN_BUILD ]] && compgen -G "$MAN_BUILD/*.1" >/dev/null && pass "man pages built in $MAN_BUILD" ||
  failed "no man pages in $MAN_BUILD (is scdoc installed? cmake prints a warning without it)"

# --- drift: every command has a page with every long option ----------------------------------
missing_pages=()
missing_options=()
for cmd in "${COMMANDS[@]}"; do
  page=$MAN_BUILD/sigil-$cmd.1
  if [[ ! -f $page || ! -f $MAN_SRC/sigil-$cmd.1.scd ]]; then
    missing_pages+=("sigil-$cmd(1)")
    continue
  fi
  opts=$(long_options "$cmd")
  for sub in $(subcommands "$cmd"); do opts+=$'\n'$(long_options "$cmd" "$sub"); done
  for opt in $(sort -u <<<"$opts"); do
    grep -qE -- "(^|[^a-z0-9-])$opt([^a-z0-9-]|\$)" "$page" || missing_options+=("sigil-$cmd(1): $opt")
  done
done
if ((${#missing_pages[@]} == 0)); then
  pass "every command in sigil --help has a man page (${#COMMANDS[@]} commands)"
else
  RC=1 OUT="" ERR="missing pages: ${missing_pages[*]}" failed "commands without a man page"
fi
if ((${#missing_options[@]} == 0)); then
  pass "every long option of every command's --help is in its page"
else
  RC=1 OUT=$(printf '%s\n' "${missing_options[@]}") ERR="" failed "options missing from man pages (${#missing_options[@]})"
fi

stale=()
for scd in "$MAN_SRC"/sigil-*.1.scd; do
  name=$(basename "$scd" .1.scd)
  name=${name#sigil-}
  printf '%s\n' "${COMMANDS[@]}" | grep -qxF -- "$name" || stale+=("sigil-$name(1)")
done
((${#stale[@]} == 0)) && pass "every sigil-COMMAND(1) page names an existing command" ||
  { RC=1 OUT="" ERR="pages without a command: ${stale[*]}" failed "stale man pages"; }

# --- structure ------------------------------------------------------------------------------
no_sections=()
for page in "$MAN_BUILD"/*.1; do
  grep -q '^\.SH EXAMPLES' "$page" || no_sections+=("$(basename "$page"): EXAMPLES")
  grep -q '^\.SH EXIT STATUS' "$page" || no_sections+=("$(basename "$page"): EXIT STATUS")
done
((${#no_sections[@]} == 0)) && pass "every section-1 page has EXAMPLES and EXIT STATUS" ||
  { RC=1 OUT=$(printf '%s\n' "${no_sections[@]}") ERR="" failed "pages missing sections"; }

# --- exit statuses: the codes of lib/sigil/core/result.hpp, sigil(1)'s table, README's table
# and 'sigil --help' are the same list.
codes_of_code=$( (echo 0; sed -n 's|.*// exit \([0-9]*\).*|\1|p' "$SRC/lib/sigil/core/result.hpp") | sort -n | xargs)
codes_of_man=$(sed -n 's/^|  *\([0-9][0-9]*\)$/\1/p' "$MAN_SRC/include/exit-status.scd" | sort -n | xargs)
codes_of_readme=$(sed -n '/^## Exit statuses/,/^## /s/^| \([0-9][0-9]*\) |.*/\1/p' "$SRC/README.md" | sort -n | xargs)
codes_of_help=$("$SIGIL" --help | sed -n '/^Exit statuses:/,/^$/p' | grep -oE '(^| )[0-9]+ [a-z]' | grep -oE '[0-9]+' | sort -n | xargs)
check "exit statuses: sigil(1) lists the codes the code returns ($codes_of_code)" eq "$codes_of_man" "$codes_of_code"
check "exit statuses: README lists the same codes" eq "$codes_of_readme" "$codes_of_code"
check "exit statuses: sigil --help lists the same codes" eq "$codes_of_help" "$codes_of_code"

# --- --help reads as sentences ---------------------------------------------------------------
# A command's summary in 'sigil --help' is the first line of its description: a whole sentence,
# not one cut where the source broke the line (balanced parentheses, no trailing comma or
# function word).
cut=$("$SIGIL" --help | awk '/^Subcommands:/ { s = 1; next } s && /^  [a-z]/' | python3 -c '
import sys
dangling = {"a", "an", "the", "and", "or", "of", "to", "into", "with", "without", "every", "each", "for", "from", "in", "on", "by"}
for line in sys.stdin:
    words = line.split()
    summary = " ".join(words[1:])
    if summary.count("(") != summary.count(")") or summary.endswith(",") or words[-1].lower() in dangling:
        print(words[0])')
check "sigil --help: no command summary is cut mid-sentence" eq "$cut" ""
check "sigil --help: tree's summary" eq "$("$SIGIL" --help | grep -E '^  tree ' | sed -E 's/^  tree +//')" \
  "Show what is attached to an image, as a tree (JSON with -o json)."
check "sigil --help: login's summary" eq "$("$SIGIL" --help | grep -E '^  login ' | sed -E 's/^  login +//')" \
  "Log in to a registry and save the credentials in docker's config.json."
check "sigil tree --help: the text rule" eq "$("$SIGIL" tree --help | grep -c 'Prints text whether or not stdout is a terminal')" 1
# Booleans that take a value show true/false, not CLI11's BOOLEAN=1.
booleans=$(for cmd in "${COMMANDS[@]}"; do "$SIGIL" $cmd --help; done | grep -c 'BOOLEAN')
check "--help: no option shows BOOLEAN" eq "$booleans" 0
check "verify --help: --check-claims shows true|false=true" eq \
  "$("$SIGIL" verify --help | grep -cE '^  --check-claims true\|false=true$')" 1

unlisted=()
for cmd in "${COMMANDS[@]}"; do
  grep -qE "^\*$cmd\*\$" "$MAN_SRC/sigil.1.scd" || unlisted+=("$cmd")
done
((${#unlisted[@]} == 0)) && pass "sigil(1) COMMANDS lists every command" ||
  { RC=1 OUT="" ERR="not in sigil(1): ${unlisted[*]}" failed "sigil(1) misses commands"; }

# --- sigil-environment(7) = the core/env table ----------------------------------------------
run "$SIGIL" env -o json
if [[ $RC -eq 0 ]]; then
  table=$(python3 -c 'import json,sys
for v in json.load(sys.stdin): print(v["name"], "secret" if v["secret"] else "-")' <<<"$OUT")
  table_source="sigil env -o json"
  # sigil env shows that a secret is set, never its value.
  SIGIL_PASSWORD=env-test-secret-value CI_REGISTRY=registry.example.com run "$SIGIL" env
  [[ $RC -eq 0 && $OUT != *env-test-secret-value* && $OUT == *'CI_REGISTRY: "registry.example.com"'* &&
    $OUT == *"SIGIL_PASSWORD: set (secret, not shown)"* ]] &&
    pass "sigil env shows values, and only that a secret is set" || failed "sigil env and secrets"
  SIGIL_PASSWORD=env-test-secret-value run "$SIGIL" env -o json
  [[ $RC -eq 0 && $OUT != *env-test-secret-value* && $OUT == *'"name":"SIGIL_PASSWORD"'*'"set":true'* ]] &&
    pass "sigil env -o json never prints a secret" || failed "sigil env -o json and secrets"
else
  # Before `sigil env` existed: read the table from the source.
  table=$(python3 - "$SRC/lib/sigil/core/env.cpp" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for name, secret in re.findall(r'Variable\{\s*"([A-Z0-9_]+)"\s*,.*?Secret::(yes|no)\s*\}', text, re.S):
    print(name, "secret" if secret == "yes" else "-")
PY
)
  table_source="lib/sigil/core/env.cpp (sigil env failed: $ERR)"
fi
page_table=$(sed -nE 's/^\*([A-Z][A-Z0-9_]*)\*( \((secret)\))?$/\1 \3/p' "$MAN_SRC/sigil-environment.7.scd" | sed 's/ $/ -/')
if [[ -z $table ]]; then
  RC=1 OUT="" ERR="" failed "could not read the environment table from $table_source"
elif diff <(sort <<<"$table") <(sort <<<"$page_table") >"$TEST_TMP/env.diff"; then
  pass "sigil-environment(7) lists exactly the $(wc -l <<<"$table") variables of $table_source, secrets marked"
else
  RC=1 OUT="< table ($table_source), > page"$'\n'$(grep '^[<>]' "$TEST_TMP/env.diff") ERR="" \
    failed "sigil-environment(7) differs from the environment table"
fi
[[ -f $MAN_BUILD/sigil-environment.7 ]] && pass "sigil-environment.7 built" || failed "sigil-environment.7 not built"

# --- lint and rendering ---------------------------------------------------------------------
pages=("$MAN_BUILD"/*.[17])
run mandoc -T lint "${pages[@]}"
[[ $RC -eq 0 && -z $OUT$ERR ]] && pass "mandoc -T lint is clean on ${#pages[@]} pages" || failed "mandoc -T lint"
bad=()
for page in "${pages[@]}"; do
  MANWIDTH=80 MAN_KEEP_FORMATTING= man --warnings -l "$page" >"$TEST_TMP/render.txt" 2>"$TEST_TMP/render.err" </dev/null
  if [[ $? -ne 0 || -s $TEST_TMP/render.err ]] || ! grep -q '^NAME' "$TEST_TMP/render.txt"; then
    bad+=("$(basename "$page"): $(head -c 300 "$TEST_TMP/render.err")")
  fi
done
((${#bad[@]} == 0)) && pass "man -l renders every page without warnings" ||
  { RC=1 OUT=$(printf '%s\n' "${bad[@]}") ERR="" failed "man -l"; }

# --- shell completion -----------------------------------------------------------------------
BIN_DIR=$TEST_TMP/bin
mkdir -p "$BIN_DIR" "$TEST_TMP/files"
ln -s "$(cd "$(dirname "$SIGIL")" && pwd)/$(basename "$SIGIL")" "$BIN_DIR/sigil"
touch "$TEST_TMP/files/release.key" "$TEST_TMP/files/readme.txt"
want_ver="verify verify-attestation verify-blob verify-blob-attestation version"

# bash_complete WORDS...: what bash completion offers for the words (the last one is completed).
bash_complete() {
  (cd "$TEST_TMP/files" && PATH=$BIN_DIR:$PATH bash --norc --noprofile -c '
    source "$0"
    COMP_WORDS=("${@}"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _sigil "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ $//"' "$SRC/completions/sigil.bash" "$@")
}
check_bash() {
  local want=$1 got
  shift
  got=$(bash_complete "$@")
  [[ $got == "$want" ]] && pass "bash: '$*' completes to: $want" ||
    { RC=1 OUT="got: $got" ERR="" failed "bash: '$*' should complete to: $want"; }
}
check_bash "$want_ver" sigil ver
check_bash "attestation signature" sigil download ""
check_bash "--format" sigil sign --form
check_bash "both bundle legacy" sigil sign --format ""
check_bash "ecdsa-p256 ecdsa-p384" sigil -d generate-key-pair --algorithm ecdsa
check_bash "false true" sigil sign --upload = ""
check_bash "release.key" sigil sign --key rel
check_bash "--max-attempts --max-entries" sigil download attestation --max-
all=$(printf '%s\n' "${COMMANDS[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
check_bash "$all" sigil ""

# --type: the predicate type names, not file names; offered == accepted.
TYPES="custom cyclonedx link openvex slsaprovenance slsaprovenance02 slsaprovenance1 spdx spdxjson vuln"
for cmd in attest attest-blob verify-attestation verify-blob-attestation; do
  check_bash "$TYPES" sigil "$cmd" --type ""
done
check_bash "slsaprovenance slsaprovenance02 slsaprovenance1" sigil attest --type sls
check_bash "spdx spdxjson" sigil verify-attestation --type = sp
K=$TEST_TMP/typekey
export SIGIL_PASSWORD=completion-test
run "$SIGIL" generate-key-pair --output-key-prefix "$K"
expect "--type: a key to attest with" 0
printf 'blob' >"$TEST_TMP/blob"
printf '{}' >"$TEST_TMP/pred.json"
accepted=()
for t in $(bash_complete sigil attest-blob --type ""); do
  run "$SIGIL" attest-blob "$TEST_TMP/blob" --key "$K.key" --type "$t" --predicate "$TEST_TMP/pred.json" \
    --bundle "$TEST_TMP/$t.json"
  [[ $RC == 0 ]] && run "$SIGIL" verify-blob-attestation "$TEST_TMP/blob" --key "$K.pub" --type "$t" \
    --bundle "$TEST_TMP/$t.json"
  [[ $RC == 0 ]] && accepted+=("$t")
done
check "--type: every offered name attests and verifies" eq "$(printf '%s\n' "${accepted[@]}" | sort | tr '\n' ' ')" "$TYPES "
run "$SIGIL" attest-blob "$TEST_TMP/blob" --key "$K.key" --type bogus --predicate "$TEST_TMP/pred.json" \
  --bundle "$TEST_TMP/bogus.json"
expect "--type: an unknown name is refused, the accepted names listed" 2 'unknown predicate type "bogus": use one of '
check "--type: the names the refusal lists are the names offered" eq \
  "$(sed -n 's/.*use one of \(.*\), or an absolute URI.*/\1/p' <<<"$ERR" | tr -d ',' | tr ' ' '\n' | sort | tr '\n' ' ')" "$TYPES "

if command -v zsh >/dev/null; then
  zsh_complete() {
    (cd "$TEST_TMP/files" && PATH=$BIN_DIR:$PATH timeout 20 zsh -f "$SRC/tests/integration/completions/zsh-complete.zsh" \
      "$SRC/completions" "$1" | tr '\n' ' ' | sed 's/ $//')
  }
  check_zsh() {
    local got
    got=$(zsh_complete "$2")
    [[ $got == "$1" ]] && pass "zsh: '$2' completes to: $1" ||
      { RC=1 OUT="got: $got" ERR="" failed "zsh: '$2' should complete to: $1"; }
  }
  check_zsh "$want_ver" "sigil ver"
  check_zsh "both bundle legacy" "sigil sign --format "
  check_zsh "false true" "sigil verify --check-claims="
  check_zsh "release.key" "sigil -d sign-blob --key rel"
  check_zsh "$TYPES" "sigil attest --type "
else
  skip "zsh completion (zsh not installed)"
fi

finish
