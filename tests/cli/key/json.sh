# --json prints exactly one JSON object on stdout.
source "$CLI_LIB"
expect_status 0 casefile key generate --json k
[ "$(jq -s length out)" = 1 ] || die "not exactly one JSON value"
jq -e 'type == "object" and (.fingerprint | test("^SHA256:[0-9a-f]{64}$"))
       and .private_key == "k.key" and .public_key == "k.pub"' out >/dev/null ||
  die "unexpected object: $(cat out)"
[ -s err ] && die "stderr not empty with --json: $(cat err)"
fp=$(jq -r .fingerprint out)
expect_status 0 casefile key fingerprint --json k.pub
[ "$(jq -s length out)" = 1 ] || die "fingerprint: not exactly one JSON value"
jq -e --arg fp "$fp" '. == {"fingerprint": $fp}' out >/dev/null || die "fingerprint --json: $(cat out)"
