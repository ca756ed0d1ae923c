# bash completion for flowscope. Generated from the flag definitions by internal/clidoc; do not edit.
_flowscope() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    case $prev in
    -r|--read|--allow|-w|--write)
        COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -o|--output)
        COMPREPLY=($(compgen -W 'table json csv zeek html' -- "$cur")); return ;;
    --top|--max-flows|--max-memory|--tcp-timeout|--udp-timeout|--icmp-timeout|--other-timeout|--active-timeout|--fields|-j|--workers|--splt|--zeek-logs|--min-severity|--beacon-min|--beacon-min-count|--beacon-groups|--ipfix|--ipfix-domain|-s|--snaplen|-B|--buffer-size|-c|--count|--duration|--interval)
        return ;;
    --bytes)
        COMPREPLY=($(compgen -W 'frame ip' -- "$cur")); return ;;
    -i|--interface)
        COMPREPLY=($(compgen -W "any $(ls /sys/class/net 2>/dev/null)" -- "$cur")); return ;;
    -Z|--user)
        COMPREPLY=($(compgen -u -- "$cur")); return ;;
    --engine)
        COMPREPLY=($(compgen -W 'libpcap afpacket' -- "$cur")); return ;;
    esac
    if [[ $COMP_CWORD -eq 1 && $cur != -* ]]; then
        COMPREPLY=($(compgen -W 'check baseline help version' -- "$cur") $(compgen -f -- "$cur")); return
    fi
    case ${COMP_WORDS[1]} in
    check)
        if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W '--html --junit --max-violations --min-severity --rules --sarif --strict' -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
        return ;;
    baseline)
        if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W '--by' -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
        return ;;
    check|baseline|help|version) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '-r --read -o --output --top --wide --bytes --max-flows --max-memory --tcp-timeout --udp-timeout --icmp-timeout --other-timeout --active-timeout --fields --flows-only -j --workers --splt --allow --findings-only --zeek-logs --zeek-json --min-severity --beacon-min --beacon-min-count --beacon-groups -q --quiet -V --version --ipfix --ipfix-domain -i --interface -D --list-interfaces -s --snaplen --promisc -p --no-promisc -B --buffer-size --immediate -w --write -c --count --duration --interval -Z --user --engine' -- "$cur")); return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _flowscope flowscope
