# Mutation suite for custody logs: an entry edited, removed, inserted,
# reordered, re-signed by an untrusted key, a torn last line: each is
# named at its entry; the untouched log passes. The signatures are checked
# with openssl too, as SPEC section 5 promises anyone can.
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
casefile key generate k >/dev/null 2>&1 && casefile key generate other >/dev/null 2>&1 ||
  die "keys"
make_source root
"$MAKE_ARCHIVE" -o a1.tar.zst -k k.key -C root $SOURCES || die "archive 1"
"$MAKE_ARCHIVE" -o a2.tar.zst -k k.key -C root -p a1.tar.zst $SOURCES || die "archive 2"
"$MAKE_ARCHIVE" -o bad.tar.zst -k other.key -C root $SOURCES || die "archive 3"
casefile init --key k.key --case-id CASE-7 --examiner "Dana Examiner" case >/dev/null ||
  die "init"
casefile add -C case a1.tar.zst >/dev/null || die "add 1"
casefile add -C case a2.tar.zst >/dev/null || die "add 2"
expect_status 1 casefile add -C case bad.tar.zst
[ ! -e case/evidence/bad.tar.zst ] || die "a failing archive was kept"
log=case/custody.jsonl
[ "$(wc -l <$log)" = 4 ] || die "expected 4 entries"
jq -e -s 'map(.action) == ["init","add","add","add-refused"]' $log >/dev/null ||
  die "actions"

casefile verify --trust k.pub --custody case --json >v.json || die "untouched log fails"
jq -e '.ok and .entries == 4 and (.head | length) == 64' v.json >/dev/null || die "report"

# Every entry's signature verifies with openssl over the line without "sig".
n=0
while IFS= read -r line; do
  n=$((n + 1))
  printf '%s' "$line" | sed 's/,"sig":"[0-9a-f]*"}$/}/' | tr -d '\n' >msg
  printf '%s' "$line" | sed 's/.*,"sig":"\([0-9a-f]*\)"}$/\1/' | xxd -r -p >sig.bin
  openssl pkeyutl -verify -pubin -inkey k.pub -rawin -in msg -sigfile sig.bin \
    >/dev/null || die "openssl rejects entry $n"
done <$log

# check NAME KIND ENTRY: the custody log NAME fails at ENTRY with KIND.
check() {
  casefile verify --trust k.pub --custody "$1" --json >v.json 2>v.err
  local rc=$?
  [ $rc = 1 ] || { cat v.json v.err >&2; die "$1: status $rc, expected 1"; }
  jq -e --arg k "$2" --argjson e "$3" '.ok == false and .kind == $k and .first_bad == $e' \
    v.json >/dev/null || { cat v.json >&2; die "$1: expected $2 at entry $3"; }
}
cp $log edited; sed -i '2s/"note":"evidence/"note":"Evidence/' edited; check edited bad-signature 2
cp $log removed; sed -i 2d removed; check removed seq-gap 2
cp $log reordered; sed -i '2{h;d};3G' reordered; check reordered seq-gap 2
cp $log dup; sed -i '2p' dup; check dup seq-gap 3
# An entry from another case, validly signed with the same key: not chained.
casefile init --key k.key --case-id OTHER other-case >/dev/null || die "init 2"
casefile add -C other-case a1.tar.zst >/dev/null || die "add other"
cp $log inserted; sed -n 2p other-case/custody.jsonl >line2
sed -i -e '2r line2' -e 2d inserted; check inserted prev-mismatch 2
# Re-signed by another key after an edit: an untrusted signer.
fp=$(casefile key fingerprint other.pub)
sed -n 3p $log | sed "s/\"signer\":\"[^\"]*\"/\"signer\":\"$fp\"/; s/\"actor\":\"[^\"]*\"/\"actor\":\"Mallory\"/" |
  sed 's/,"sig":"[0-9a-f]*"}$/}/' | tr -d '\n' >msg
openssl pkeyutl -sign -inkey other.key -rawin -in msg -out sig.bin || die "sign"
printf '%s,"sig":"%s"}\n' "$(sed 's/}$//' msg)" "$(xxd -p sig.bin | tr -d '\n')" >line3
cp $log resigned; sed -i -e '3r line3' -e 3d resigned; check resigned untrusted-signer 3
# The same line passes once that key is trusted too (the re-signing itself
# was well formed), and fails the chain at the next entry.
casefile verify --trust k.pub --trust other.pub --custody resigned --json >v.json
[ $? = 1 ] && jq -e '.kind == "prev-mismatch" and .first_bad == 4' v.json >/dev/null ||
  { cat v.json >&2; die "resigned entry should break the chain at entry 4"; }
# A torn last line: reported, and appends refuse to go on.
cp -r case torn; truncate -s -1 torn/custody.jsonl; check torn/custody.jsonl torn-line 4
expect_status 3 casefile add -C torn a1.tar.zst
expect_grep 'torn' err

# The untouched log still passes.
casefile verify --trust k.pub --custody case >/dev/null || die "original fails"
