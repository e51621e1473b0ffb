# SPDX-License-Identifier: Apache-2.0
# A proof's "text" is the one UTF-8 rule of the core (src/utf8.c): a line
# whose bytes hold an overlong form ("\xc0\xaf" for '/'), a surrogate or a
# code point above U+10FFFF gets no "text" from disclose, only data_b64, and
# verify --proof refuses a "text" carrying such bytes even when it equals
# the proven bytes, since a lenient viewer would show something else.
. "$CLI_LIB"
casefile key generate k >/dev/null 2>&1 || die "keys"
{ echo "plain line"
  printf 'overlong \xc0\xaf etc\n'
  printf 'surrogate \xed\xa0\x80 here\n'
  printf 'beyond \xf4\x90\x80\x80 here\n'
  printf 'caf\xc3\xa9\n'; } >a.log
casefile seal --key k.key a.log >/dev/null || die "seal"
casefile disclose --log a.log --lines 1-5 --key k.pub -o p.json >/dev/null || die "disclose"
expect_status 0 casefile verify --key k.pub --proof p.json
# text only for the two lines that are UTF-8
n=$(grep -c '"text":' p.json)
[ "$n" = 2 ] || { cat p.json; die "$n lines carry text, not 2"; }
grep -q $'"text":\t"caf\xc3\xa9"' p.json || die "the UTF-8 line lost its text"
grep -q $'\xc0\xaf' p.json && die "overlong bytes written as text"

# A "text" with the overlong line's very bytes, put where the writer
# would put it: refused, status 1.
b64=$(printf 'overlong \xc0\xaf etc' | base64)
grep -q "\"data_b64\":.\"$b64\"" p.json || die "line 2's data_b64 not found"
sed "s|\(\"data_b64\":.\"$b64\",\)|\1 \"text\": \"overlong "$'\xc0\xaf'" etc\",|" p.json >bad.json
cmp -s bad.json p.json && die "the mutation did not apply"
expect_status 1 casefile verify --key k.pub --proof bad.json
expect_grep 'line 2: "text" is not printable UTF-8' err
# the same with a surrogate
b64=$(printf 'surrogate \xed\xa0\x80 here' | base64)
sed "s|\(\"data_b64\":.\"$b64\",\)|\1 \"text\": \"surrogate "$'\xed\xa0\x80'" here\",|" p.json >bad2.json
cmp -s bad2.json p.json && die "the second mutation did not apply"
expect_status 1 casefile verify --key k.pub --proof bad2.json
expect_grep 'line 3: "text" is not printable UTF-8' err
