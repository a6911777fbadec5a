# shellcheck shell=bash
# Sourced by the install scripts `npm run <name>` starts: `--help` (or `-h`) prints the
# script's leading comment block, its usage, and exits 0 before anything is installed; any
# other argument exits 2, also before anything is done. Usage: script_args "npm run tools" "$@"
script_args() {
  local command="$1"
  shift
  case "${1:-}" in
    -h | --help)
      echo "Usage: ${command}"
      echo
      # The comment lines between the shebang and the first line of code.
      sed -n '2,/^[^#]/{/^#/{s/^# \{0,1\}//;p}}' "$0"
      exit 0
      ;;
    "") ;;
    *)
      echo "${command}: unknown argument '$1' (it takes none; --help for usage)" >&2
      exit 2
      ;;
  esac
}
