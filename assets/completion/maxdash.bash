# bash completion for maxdash                                  -*- shell-script -*-
# Installed by `make install` as $(PREFIX)/share/bash-completion/completions/maxdash, where
# bash-completion loads it on first use. Subcommands and options are read from maxdash's own
# --help, so they are always those of the installed binary.

# The long options of `maxdash [SUB] --help`, with " ARG" after those that take a value.
_maxdash_options()
{
    "$1" ${2:+"$2"} --help 2>/dev/null |
        sed -n 's/^  \(-[A-Za-z], \)\{0,1\} *\(--[a-z][a-z-]*\)\( [A-Z][A-Z]*\)\{0,1\}.*/\2\3/p'
}

_maxdash()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
    fi
    local prog=${words[0]} sub= i
    local commands
    commands=$("$prog" --help 2>/dev/null |
        sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' | tr '\n' ' ')
    for ((i = 1; i < cword; i++)); do
        case " $commands " in *" ${words[i]} "*) sub=${words[i]}; break ;; esac
    done
    local opts
    opts=$(_maxdash_options "$prog" "$sub")
    # The value of an option that takes one.
    local arg= o a
    while read -r o a; do
        [ "$o" = "$prev" ] && arg=$a
    done <<<"$opts"
    [ "$prev" = -c ] && arg=FILE
    if [ -n "$arg" ]; then
        case $prev:$arg in
            --base-url:*) mapfile -t COMPREPLY < <(compgen -W 'production staging' -- "$cur") ;;
            --key-env:*) mapfile -t COMPREPLY < <(compgen -v -- "$cur") ;;
            *:FILE)
                if declare -F _filedir >/dev/null 2>&1; then _filedir; else
                    mapfile -t COMPREPLY < <(compgen -f -- "$cur"); fi ;;
            *) COMPREPLY=() ;;
        esac
        return
    fi
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(printf '%s\n' "$opts" | cut -d' ' -f1)" -- "$cur")
    elif [ -z "$sub" ]; then
        mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
    fi
} &&
    complete -F _maxdash maxdash
