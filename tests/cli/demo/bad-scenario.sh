# An unknown scenario is a usage error that names it, and nothing is written.
casefile demo gen --scenario ransomware-at-night
status=$?
[ ! -e gen ] || { echo "FAIL: gen was created" >&2; exit 9; }
exit $status
