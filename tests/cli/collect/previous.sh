# --previous links archives: previous.sha256sums is the SHA-256 of the
# previous archive's SHA256SUMS (read by streaming it), sequence counts up.
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
echo one > f
casefile collect --quiet -o a.tar.zst --key k.key --case-id IR-7 f || die "a"
casefile collect --quiet -o b.tar.zst --key k.key --case-id IR-7 --previous a.tar.zst f || die "b"
casefile collect --quiet -o c.tar.gz --compress gzip --key k.key --previous b.tar.zst --json f > c.json || die "c"
sums() { tar -xOf "$1" SHA256SUMS | sha256sum | cut -d' ' -f1; }
member a.tar.zst casefile/collection.json | jq -e '.previous == null and .sequence == 1 and .case_id == "IR-7"' >/dev/null || die "a fields"
member b.tar.zst casefile/collection.json | jq -e --arg h "$(sums a.tar.zst)" \
  '.previous.sha256sums == $h and .previous.sequence == 1 and .sequence == 2' >/dev/null || die "b link"
tar -xOzf c.tar.gz casefile/collection.json | jq -e --arg h "$(sums b.tar.zst)" \
  '.previous.sha256sums == $h and .sequence == 3' >/dev/null || die "c link"
# the digest printed is the archive's identity
jq -e --arg h "$(sums c.tar.gz)" '.sha256sums == $h and .sequence == 3' c.json >/dev/null || die "json digest"
# a previous that is not an evidence archive prevents the job
echo junk > junk.tar.zst
expect_status 3 casefile collect -o d.tar.zst --key k.key --previous junk.tar.zst f
expect_grep "junk.tar.zst" err
tar -cf plain.tar f
expect_status 3 casefile collect -o d.tar.zst --key k.key --previous plain.tar f
expect_grep "not an evidence archive" err
[ ! -e d.tar.zst ] || die "wrote d"

# the chain links only to an archive that verifies: signed by another key,
# it is refused unless that key is trusted with --trust
newkey other
casefile collect --quiet -o o.tar.zst --key other.key f || die "o"
expect_status 3 casefile collect -o e.tar.zst --key k.key --previous o.tar.zst f
expect_grep "does not verify \(untrusted-signer" err
expect_grep "trust" err
[ ! -e e.tar.zst ] || die "chained to an untrusted archive"
expect_status 0 casefile collect --quiet -o e.tar.zst --key k.key --previous o.tar.zst \
  --trust other.pub f
expect_status 2 casefile collect -o x.tar.zst --key k.key --trust other.pub f
# a previous archive altered after signing is refused, naming the member
mkdir t && tar -xf a.tar.zst -C t && echo tampered >> "t/$(tar -tf a.tar.zst | grep '^evidence/' | head -1)"
(cd t && tar --format=pax -cf ../bad.tar $(tar -tf ../a.tar.zst))
expect_status 3 casefile collect -o g.tar.zst --key k.key --previous bad.tar f
expect_grep "does not verify \((hash|pax)-mismatch evidence/" err
[ ! -e g.tar.zst ] || die "chained to a tampered archive"
