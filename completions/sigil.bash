# bash completion for sigil                                   -*- shell-script -*-
#
# Commands, options and option values are read from `sigil --help` and `sigil COMMAND --help`
# of the binary being completed, so completion always matches the installed sigil. Values
# offered: the choices an option lists ({legacy,bundle,both}), true/false for booleans (true|false in --help), file
# names for TEXT and FILE options and for positional arguments. Installed as
# share/bash-completion/completions/sigil; works without the bash-completion package too.

# _sigil_help_table BIN [COMMAND...]: one line per command ("cmd<TAB>name<TAB>description") and
# per option ("opt<TAB>-s,--long<TAB>TYPE<TAB>choice,choice<TAB>description") of that help.
_sigil_help_table() {
  "$@" --help 2>/dev/null | LC_ALL=C awk '
    /^[A-Za-z][A-Za-z ]*:$/ { section = $0; next }
    {
      desc = ""
      if (length($0) > 30 && substr($0, 30, 1) == " " && substr($0, 31, 1) != " ") desc = substr($0, 31)
    }
    section == "Subcommands:" && /^  [a-z]/ { print "cmd\t" $1 "\t" desc; next }
    /^  -/ {
      line = substr($0, 3)
      n = index(line, " ")
      names = n ? substr(line, 1, n - 1) : line
      rest = n ? substr(line, n) : ""
      type = ""; choices = ""
      if (rest ~ /^ ([A-Z][A-Z0-9_]*|true\|false)([:= ]|$)/) {
        t = substr(rest, 2); m = index(t, " "); if (m) t = substr(t, 1, m - 1)
        type = t; sub(/[:=].*/, "", type); if (type == "true|false") type = "BOOLEAN"
        if (t ~ /:\{/) { choices = t; sub(/^[^{]*\{/, "", choices); sub(/\}.*/, "", choices) }
      }
      print "opt\t" names "\t" type "\t" choices "\t" desc
    }'
}

_sigil() {
  local bin=$1 cur=${COMP_WORDS[COMP_CWORD]} i word
  local -a path=() # the command and subcommand typed so far
  COMPREPLY=()

  # --opt=value arrives as "--opt" "=" "value" (COMP_WORDBREAKS has "=").
  local prev="" prev_is_assign=""
  if ((COMP_CWORD >= 1)); then prev=${COMP_WORDS[COMP_CWORD - 1]}; fi
  if [[ $prev == "=" && $COMP_CWORD -ge 2 ]]; then
    prev=${COMP_WORDS[COMP_CWORD - 2]}
    prev_is_assign=1
  elif [[ $cur == "=" ]]; then
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    prev_is_assign=1
    cur=""
  fi

  # Find the (sub)command words before the cursor; skip options and their values.
  local table
  table=$(_sigil_help_table "$bin")
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    [[ $word == -* || $word == "=" ]] && continue
    # Values of options and positional arguments are never listed as commands.
    if printf '%s\n' "$table" | grep -qF -- "cmd	$word	"; then
      path+=("$word")
      table=$(_sigil_help_table "$bin" "${path[@]}")
    fi
  done

  # The value of an option?
  if [[ $prev == -* ]]; then
    local spec
    spec=$(printf '%s\n' "$table" | awk -F'\t' -v o="$prev" '
      $1 == "opt" { n = split($2, a, ","); for (k = 1; k <= n; k++) if (a[k] == o) { print $3 "\t" $4; exit } }')
    if [[ -n $spec ]]; then
      local type=${spec%%	*} choices=${spec#*	}
      if [[ -n $choices ]]; then
        mapfile -t COMPREPLY < <(compgen -W "${choices//,/ }" -- "$cur")
        return 0
      elif [[ $type == BOOLEAN ]]; then
        mapfile -t COMPREPLY < <(compgen -W "true false" -- "$cur")
        return 0
      elif [[ $type == TEXT || $type == FILE || $type == PATH ]]; then
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        compopt -o filenames 2>/dev/null
        return 0
      elif [[ -n $type ]]; then
        return 0 # a number, an image reference: nothing to offer
      fi
    fi
  fi
  [[ -n $prev_is_assign ]] && return 0

  if [[ $cur == -* ]]; then
    local opts
    opts=$(printf '%s\n' "$table" | awk -F'\t' '$1 == "opt" { n = split($2, a, ","); for (k = 1; k <= n; k++) print a[k] }')
    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
    return 0
  fi

  local cmds
  cmds=$(printf '%s\n' "$table" | awk -F'\t' '$1 == "cmd" { print $2 }')
  if [[ -n $cmds ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$cmds" -- "$cur")
    return 0
  fi
  # Positional arguments: files (images are typed or pasted).
  mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  compopt -o filenames 2>/dev/null
  return 0
}

complete -F _sigil sigil
