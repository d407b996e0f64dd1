# Sourced before README.md's walk-through by scripts/check-readme.mjs: strict mode, and a curl
# that records each call's status, failing a call without -f unless it is a 4xx problem+json.
set -euo pipefail
trap 'echo "README check: failed at line $((LINENO - PREAMBLE_LINES)) of the block: $BASH_COMMAND" >&2' ERR
curl() {
  local checked=0 a out status
  for a in "$@"; do [[ $a =~ ^-[a-zA-Z]*f ]] && checked=1; done
  out=$(command curl -w '\n%{http_code} %{content_type}' "$@") || {
    echo "README check: curl failed (exit $?): curl $*" >&2
    return 1
  }
  status=${out##*$'\n'}
  printf '%s\n' "${out%$'\n'*}"
  echo "$status checked=$checked" >>"$CURL_LOG"
  if [[ $checked == 0 && ! $status =~ ^4[0-9][0-9]\ application/problem\+json ]]; then
    echo "README check: a curl without -f answered $status (expected a 4xx problem): curl $*" >&2
    return 1
  fi
}
