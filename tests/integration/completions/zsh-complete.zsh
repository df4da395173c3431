#!/usr/bin/env zsh
# Prints what zsh's completion system offers for a command line, one candidate a line:
#   zsh -f zsh-complete.zsh FPATH_DIR 'sigil ver'
# Runs an interactive zsh in a pseudo-terminal (zsh/zpty) with compinit and FPATH_DIR first in
# $fpath, replaces compadd by a function that prints the candidates between two markers, types
# the command line and a TAB, and reads the markers back. Bounded: gives up after 10 s.
zmodload zsh/zpty || { print -u2 "zsh/zpty is missing"; exit 2 }
[[ $# -eq 2 ]] || { print -u2 "usage: zsh -f zsh-complete.zsh FPATH_DIR 'command line'"; exit 2 }
local dir=$1 cmdline=$2

zpty sh zsh -f -i || exit 2
zpty -w sh "PS1= PS2= RPS1=; unsetopt zle_bracketed_paste 2>/dev/null; setopt no_beep"
zpty -w sh "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w sh 'compadd() {
  local -a __hits __opts
  if [[ ${argv[(I)-[OAD]]} -ne 0 ]]; then builtin compadd "$@"; return; fi
  builtin compadd -A __hits "$@"
  (( $#__hits )) || return 1
  print -rl -- "__HI""T__"${^__hits}
  builtin compadd "$@"
}'
zpty -w sh 'zstyle ":completion:*" list-prompt ""; zstyle ":completion:*" select-prompt ""'
zpty -w sh 'zstyle ":completion:*" menu no; LISTMAX=100000'
zpty -w sh 'finish() { print "__EN""D__" }; zle -N finish; bindkey "^X" finish'
zpty -n -w sh "$cmdline"$'\t\x18'

local out line
integer deadline=$(( SECONDS + 10 ))
while (( SECONDS < deadline )); do
  zpty -r -t sh line || { sleep 0.05; continue }
  out+=$line
  [[ $out == *__END__* ]] && break
done
zpty -d sh
[[ $out == *__END__* ]] || { print -u2 "no answer from zsh within 10 s"; exit 2 }
local -a hits
for line in ${(f)${out//$'\r'/}}; do
  [[ $line == *__HIT__* ]] && hits+=("${line##*__HIT__}")
done
(( $#hits )) && print -rl -- ${(ou)hits}
