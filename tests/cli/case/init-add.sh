# init creates the case folder and its first custody entry; add verifies an
# archive, keeps it read-only in evidence/, and records it; keys come from
# --key, $CASEFILE_KEY or case.json, passphrases from a file.
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
printf 'correct horse\n' >pass
casefile key generate --passphrase-file pass k >/dev/null 2>&1 || die "key"
make_source root
"$MAKE_ARCHIVE" -o a1.tar.zst -k k.key -C root $SOURCES 2>/dev/null || true
# make-archive cannot read an encrypted key: sign with a plain copy.
openssl pkey -in k.key -passin file:pass -out plain.pem 2>/dev/null || die "decrypt"
chmod 600 plain.pem
"$MAKE_ARCHIVE" -o a1.tar.zst -k plain.pem -C root $SOURCES || die "archive"

expect_status 3 casefile init --key k.key c0
expect_grep 'encrypted: give --passphrase-file' err
[ ! -e c0/case.json ] || die "case created without a key"
CASEFILE_PASSPHRASE_FILE=pass casefile init --key k.key --case-id C-1 \
  --examiner Ann c1 --json >out || die "init"
jq -e '.id == "C-1" and .examiner == "Ann" and (.signer | startswith("SHA256:"))' out \
  >/dev/null || die "init json"
jq -e '.id == "C-1" and (.key | startswith("/"))' c1/case.json >/dev/null || die "case.json"
[ -d c1/evidence ] || die "evidence/"
expect_status 3 casefile init --key k.key --passphrase-file pass c1
expect_grep 'already holds a case' err

# add from inside the case, with the key recorded in case.json.
cd c1/evidence
CASEFILE_PASSPHRASE_FILE=../../pass casefile add ../../a1.tar.zst >../../out ||
  { cat ../../out; die "add"; }
cd ../..
[ "$(stat -c %a c1/evidence/a1.tar.zst)" = 440 ] || die "kept copy is not read-only"
cmp -s a1.tar.zst c1/evidence/a1.tar.zst || die "copy differs"
ls c1/evidence | grep -q partial && die "partial file left"
digest=$(tar --zstd -xOf a1.tar.zst SHA256SUMS | sha256sum | cut -c1-64)
tail -n 1 c1/custody.jsonl | jq -e --arg d "$digest" '.action == "add" and .subject == $d' \
  >/dev/null || die "custody entry lacks the sha256sums digest"
# Again: identical, recorded, not duplicated.
CASEFILE_PASSPHRASE_FILE=pass casefile add -C c1 a1.tar.zst >out || die "re-add"
expect_grep 'already in the case' out
[ "$(ls c1/evidence | wc -l)" = 1 ] || die "duplicate copy"
# A different archive under the same name is refused.
mkdir other && cp a1.tar.zst other/ && printf 'x' >>other/a1.tar.zst
expect_status 3 env CASEFILE_PASSPHRASE_FILE=pass casefile add -C c1 other/a1.tar.zst
casefile verify --trust k.pub --custody c1 >/dev/null || die "custody"
# Usage errors.
expect_status 2 casefile init
expect_status 2 casefile add -C c1
expect_status 2 casefile init --bogus x
