# bash completion for spotsim (installed by cmake --install into
# share/bash-completion/completions/spotsim).
# Options and enum values are read from the binary itself - `spotsim CMD
# --help` and the "expected one of" list of a rejected value - so they never
# fall behind the program.
_spotsim()
{
    local cur prev bin cmd
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev=""
    [ "$COMP_CWORD" -gt 0 ] && prev="${COMP_WORDS[COMP_CWORD-1]}"
    bin="${COMP_WORDS[0]}"
    local cmds
    cmds="$("$bin" --help 2>/dev/null </dev/null | awk '/^Commands:/ {f = 1; next} f && /^  [a-z]/ {print $1} f && /^$/ {f = 0}') help"
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
        return 0
    fi
    cmd="${COMP_WORDS[1]}"
    if [ "$cmd" = help ]; then
        COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
        return 0
    fi
    case "$prev" in
        --db|--out|--timeline|--zone-map|--snapshot)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --format|--method|--by|--section)
            local vals
            vals=$("$bin" "$cmd" "$prev" __none__ 2>&1 </dev/null | sed -n 's/.*expected one of //p' | tr -d ',')
            if [ -n "$vals" ]; then
                COMPREPLY=($(compgen -W "$vals" -- "$cur"))
                return 0
            fi
            ;;
    esac
    if [[ "$cur" == -* ]]; then
        local opts
        opts=$("$bin" "$cmd" --help 2>/dev/null </dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return 0
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
}
complete -o filenames -F _spotsim spotsim
