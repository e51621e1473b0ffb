# Hostile archives from libarchive's own tests (absolute names, traversal,
# links, negative sizes, malformed pax and ACL, zip files): each is a
# failure with a clear reason (status 1, never a crash), and verify writes
# nothing, neither where it runs nor beside the archive.
. "$CLI_LIB"
edge=$FIXTURES/libarchive-edge/decoded
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null &&
  openssl pkey -in k.pem -pubout -out k.pub || die "key"
mkdir run && cd run
before=$(ls -la --time-style=full-iso "$edge" | sha256sum)
for f in "$edge"/*; do
  n=$(basename "$f")
  casefile verify --trust ../k.pub --json "$f" >../out.json 2>../err
  rc=$?
  [ $rc = 1 ] || { cat ../err; die "$n: status $rc, expected 1"; }
  jq -e '.ok == false and (.archives[0].problems | length > 0) and
         all(.archives[0].problems[]; (.detail | length) > 10)' ../out.json >/dev/null ||
    die "$n: no clear reason: $(cat ../out.json)"
  [ -z "$(ls -A .)" ] || die "$n: verify wrote $(ls -A .)"
done
[ "$(ls -la --time-style=full-iso "$edge" | sha256sum)" = "$before" ] ||
  die "the fixture folder changed"
cd ..
# the reasons name what is wrong
casefile verify --trust k.pub --json "$edge/test_leading_slash.tar" >o.json
jq -e '.archives[0].problems | any(.kind == "unsafe-name" and .member == "/foo/file")' o.json >/dev/null || die "absolute name"
casefile verify --trust k.pub --json "$edge/test_patterns_4.tar" >o.json
jq -e '[.archives[0].problems[] | select(.kind == "unsafe-name")] | length >= 50' o.json >/dev/null || die "traversal names"
casefile verify --trust k.pub --json "$edge/test_compat_tar_hardlink_1.tar" >o.json
jq -e '.archives[0].problems | any(.kind == "unsafe-name" and (.detail | test("hard link")))' o.json >/dev/null || die "hard link"
casefile verify --trust k.pub --json "$edge/test_read_format_tar_invalid_pax_size.tar" >o.json
jq -e '.archives[0].problems | any(.kind == "bad-header")' o.json >/dev/null || die "negative pax size"
casefile verify --trust k.pub --json "$edge/test_read_format_zip_symlink.zip" >o.json
jq -e '.archives[0].problems | any(.kind == "bad-format" or .kind == "truncated")' o.json >/dev/null || die "zip"
# a member name that is not UTF-8 (GNU tar stores the bytes as they are):
# refused by name, and the report stays valid UTF-8, the name escaped
mkdir h && printf x > "h/$(printf 'a\377')" && (cd h && tar --format=pax -cf ../raw.tar *) ||
  die "raw-name tar"
expect_status 1 casefile verify --trust k.pub --json raw.tar
iconv -f UTF-8 -t UTF-32LE out >/dev/null || die "verify's JSON is not UTF-8"
jq -e '.archives[0].problems | any(.kind == "unsafe-name" and .member == "a%FF" and
  (.detail | test("not valid UTF-8")))' out >/dev/null || die "raw name: $(cat out)"
# the text output escapes the byte rather than sending it to the terminal
expect_status 1 casefile verify --trust k.pub raw.tar
grep -qF 'FAIL raw.tar: a\xff: member name is not valid UTF-8' out || die "text: $(cat -v out)"
exit 0
