# SPDX-License-Identifier: Apache-2.0
# report takes trusted keys with --trust and the signing key with --key
# (SPEC section 1). The old spellings, --key PUB for a trusted key and
# --sign KEY for the signing key, still work with deprecation warnings;
# --key KEY alone signs the entry and verifies the log with its public half.
. "$CLI_LIB"
expect_status 0 casefile key generate ex
expect_status 0 casefile key generate other
mkdir src && printf 'line\n' >src/app.log
expect_status 0 casefile collect -o a.tar.zst --key ex.key src/app.log
expect_status 0 casefile init --case-id CASE-9 --examiner "J. Doe" --key ex.key case
expect_status 0 casefile add -C case a.tar.zst
verified() { jq -e '.custody.verification.ok == true' out >/dev/null || die "not verified: $(cat out)"; }
# new spelling
expect_status 0 casefile report custody --case case --trust ex.pub --key ex.key -o r1.json --json
verified
grep -q deprecated err && die "new spelling warned: $(cat err)"
# --key KEY alone: signs, and its public half verifies the log
expect_status 0 casefile report custody --case case --key ex.key -o r2.json --json
verified
# old spellings
expect_status 0 casefile report custody --case case --key ex.pub --sign ex.key -o r3.json --json
verified
expect_grep '^casefile report custody: warning: --key PUB is deprecated for a trusted public key; use --trust PUB$' err
expect_grep '^casefile report custody: warning: --sign KEY is deprecated; use --key KEY$' err
# --sign alone keeps its old meaning: it signs, and verifies nothing
expect_status 0 casefile report custody --case case --sign ex.key -o r3b.json --json
jq -e '.custody.verification == null' out >/dev/null || die "--sign verified: $(cat out)"
expect_status 0 casefile verify --trust ex.pub --custody case
[ "$(wc -l <case/custody.jsonl)" = 6 ] || die "not every report was recorded: $(wc -l <case/custody.jsonl)"
# the signing key is the one given: a foreign --key signs an entry that
# the examiner's key then does not verify
expect_status 0 casefile report custody --case case --trust ex.pub --key other.key -o r4.json
expect_status 1 casefile verify --trust ex.pub --custody case
expect_status 0 casefile verify --trust ex.pub --trust other.pub --custody case
# errors
expect_status 3 casefile report custody --case case --trust ex.key -o r5.json
expect_grep "'ex.key' is a private key, not a trusted public key" err
expect_status 2 casefile report custody --case case --key ex.key --sign ex.key -o r5.json
expect_status 3 casefile report custody --case case --key nope.key -o r5.json
expect_grep "cannot open key 'nope.key'" err
[ ! -e r5.json ] || die "an error wrote the report"
expect_status 2 casefile report breach --scope s.json --incident i.yaml -o p --trust ex.pub
expect_grep 'go with --case' err
exit 0
