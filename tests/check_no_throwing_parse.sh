#!/usr/bin/env bash
# No exception-throwing number parse of untrusted text in lib/ or cli/: std::stoi/stol/stoll/
# stoul/stoull/stof/stod/stold throw on overflow (a registry's Content-Length once ended the
# process) and accept blanks and signs. util::parse_uint (lib/sigil/util/number.hpp) is the one
# vetted helper; nothing else is allowed.
# Usage: check_no_throwing_parse.sh SOURCE_DIR
set -u
cd "$1" || exit 1
hits=$(grep -rnE '\bsto(i|l|ll|ul|ull|f|d|ld)[[:space:]]*\(' lib cli --include='*.cpp' --include='*.hpp' |
  grep -vE '^[^:]+:[0-9]+:[[:space:]]*//' | grep -v 'lib/sigil/util/number\.hpp')
if [[ -n $hits ]]; then
  echo "throwing number parses found (use sigil::util::parse_uint):"
  echo "$hits"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "no throwing number parses in lib/ and cli/"
echo "1 passed, 0 failed"
