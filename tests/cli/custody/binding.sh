# SPDX-License-Identifier: Apache-2.0
# Custody is bound to its case and its files (issue 17): entry 1 is the
# init of this case.json, every entry names the case id, every add entry
# names its file and the file's SHA-256. Each attack below fails with
# exit 1 naming the entry or the file: entry 1 removed or replaced,
# case.json edited, a foreign log copied in, an empty log, an entry of
# another case, an evidence file deleted, planted or swapped for another
# valid archive; and no command appends after a forged entry. A log made
# before binding still verifies, saying that it predates binding.
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
casefile key generate k >/dev/null 2>&1 || die "key"
make_source root
"$MAKE_ARCHIVE" -o a1.tar.zst -k k.key -C root $SOURCES || die "archive 1"
"$MAKE_ARCHIVE" -o a2.tar.zst -k k.key -C root -p a1.tar.zst $SOURCES || die "archive 2"
casefile init --key k.key --case-id CASE-7 case >/dev/null || die "init"
casefile add -C case a1.tar.zst >/dev/null || die "add 1"
casefile add -C case a2.tar.zst >/dev/null || die "add 2"
casefile init --key k.key --case-id OTHER other >/dev/null || die "init other"
casefile add -C other a1.tar.zst >/dev/null || die "add other"
log=custody.jsonl
jq -e -s --arg d "$(sha256sum case/case.json | cut -c1-64)" \
  '.[0].action == "init" and .[0].subject == $d and all(.[]; .case == "CASE-7")' \
  case/$log >/dev/null || die "entries do not carry the case binding"
tail -n1 case/$log | jq -e --arg d "$(sha256sum a2.tar.zst | cut -c1-64)" \
  '.file == {"name": "a2.tar.zst", "sha256": $d}' >/dev/null || die "add lacks its file"
casefile verify --trust k.pub --custody case >out 2>err || { cat out err; die "intact case fails"; }

# sign LINE: LINE (the JSON without "sig") signed with k.key, as a log line.
sign() {
  printf '%s' "$1" >msg
  openssl pkeyutl -sign -inkey k.key -rawin -in msg -out sig.bin || die "sign"
  printf '%s,"sig":"%s"}\n' "${1%\}}" "$(xxd -p sig.bin | tr -d '\n')"
}
# check DIR KIND ENTRY: verify --custody DIR fails with KIND at ENTRY.
check() {
  casefile verify --trust k.pub --custody "$1" --json >v.json 2>v.err
  local rc=$?
  [ $rc = 1 ] || { cat v.json v.err >&2; die "$1: status $rc, expected 1"; }
  jq -e --arg k "$2" --argjson e "$3" '.ok == false and .kind == $k and .first_bad == $e' \
    v.json >/dev/null || { cat v.json >&2; die "$1: expected $2 at entry $3"; }
  casefile verify --trust k.pub --custody "$1" >out 2>err
  grep -q "entry $3: $2" err || { cat err >&2; die "$1: message does not name entry $3"; }
}
# fresh NAME: a copy of the intact case.
fresh() { rm -rf "$1"; cp -a case "$1"; chmod -R u+w "$1"; }

# Entry 1 removed, or replaced by the init of another case.
fresh c1; sed -i 1d c1/$log; check c1 seq-gap 1
fresh c2; sed -i "1s/.*/$(sed -n 1p other/$log | sed 's/[&/\]/\\&/g')/" c2/$log
check c2 case-mismatch 1
# Entry 1 replaced by a well-signed entry that is not an init.
fresh c3
sign "$(sed -n 1p c3/$log | jq -c 'del(.sig) | .action = "add"')" >line1
sed -i -e '1r line1' -e 1d c3/$log; check c3 not-init 1
# case.json edited (another case id), or replaced.
fresh c4; sed -i 's/"CASE-7"/"CASE-8"/' c4/case.json; check c4 case-mismatch 1
fresh c5; printf '\n' >>c5/case.json; check c5 case-json-mismatch 1
# A foreign log copied in; an emptied log. Neither takes a new entry.
fresh c6; cp other/$log c6/$log; check c6 case-mismatch 1
expect_status 1 casefile add -C c6 a1.tar.zst
expect_grep 'entry 1: case-mismatch' err
cmp -s other/$log c6/$log || die "an entry was appended to a foreign log"
fresh c7; : >c7/$log; check c7 empty 1
expect_status 1 casefile add -C c7 a1.tar.zst
expect_grep 'is empty' err
[ ! -s c7/$log ] || die "an entry was appended to an empty log"
# A well-signed, well-chained entry that names another case.
fresh c8
prev=$(tail -n1 c8/$log | tr -d '\n' | sha256sum | cut -c1-64)
sign "$(tail -n1 c8/$log | jq -c --arg p "$prev" \
  'del(.sig) | .seq += 1 | .case = "OTHER" | .action = "note" | .file = null | .subject = null | .prev = $p')" >>c8/$log
check c8 case-mismatch 4

# Evidence: deleted, planted, swapped for another valid archive.
# checkf DIR KIND FILE: verify and report custody fail naming FILE as KIND.
checkf() {
  casefile verify --trust k.pub --custody "$1" --json >v.json 2>v.err
  local rc=$?
  [ $rc = 1 ] || { cat v.json v.err >&2; die "$1: status $rc, expected 1"; }
  jq -e --arg k "$2" --arg f "$3" '.ok == false and .first_bad == 0 and
    any(.files[]; .kind == $k and .file == $f)' v.json >/dev/null ||
    { cat v.json >&2; die "$1: expected $3 $2"; }
  expect_status 1 casefile verify --trust k.pub --custody "$1"
  expect_grep "evidence/$3: $2" err
  expect_status 1 casefile report custody --case "$1" --trust k.pub -o "$1.md"
  expect_grep "evidence/$3: $2" err
  expect_grep "\\| $3 \\| .* \\| $2 \\|" "$1.md"
}
fresh e1; rm -f e1/evidence/a1.tar.zst; checkf e1 missing a1.tar.zst
fresh e2; cp a1.tar.zst e2/evidence/planted.tar.zst; checkf e2 extra planted.tar.zst
fresh e3; rm -f e3/evidence/a2.tar.zst; cp a1.tar.zst e3/evidence/a2.tar.zst
checkf e3 replaced a2.tar.zst

# No command appends after a forged entry: the last entry edited (its
# signature breaks), or one in the middle (the chain breaks).
fresh f1; sed -i '3s/"note":"evidence/"note":"Evidence/' f1/$log; cp f1/$log before
expect_status 1 casefile add -C f1 a1.tar.zst
expect_grep 'entry 3: bad-signature' err
expect_status 1 casefile report custody --case f1 -o f1.md
expect_grep 'entry 3: bad-signature' err
cmp -s before f1/$log || die "an entry was appended after a forged one"
fresh f2; sed -i '2s/"note":"evidence/"note":"Evidence/' f2/$log; cp f2/$log before
expect_status 1 casefile add -C f2 a1.tar.zst
expect_grep 'entry 3: prev-mismatch' err
cmp -s before f2/$log || die "an entry was appended after a forged one"
# With --trust, report custody sees the forgery itself and records nothing.
expect_status 1 casefile report custody --case f2 --trust k.pub -o f2.md
expect_grep 'not recorded' err
cmp -s before f2/$log || die "report custody appended after a forged entry"

# A log made before binding (no "case", no "file"): verified as a chain
# bound to case.json through entry 1, and said to predate binding.
rm -rf old; mkdir old old/evidence; cp case/case.json old/
fp=$(casefile key fingerprint k.pub)
d=$(sha256sum old/case.json | cut -c1-64)
sign "{\"seq\":1,\"time\":\"2025-01-02T03:04:05.000000Z\",\"actor\":\"Dana\",\"signer\":\"$fp\",\"action\":\"init\",\"subject\":\"$d\",\"note\":\"case created\",\"prev\":\"$(printf '0%.0s' $(seq 64))\"}" >old/$log
prev=$(head -n1 old/$log | tr -d '\n' | sha256sum | cut -c1-64)
sign "{\"seq\":2,\"time\":\"2025-01-02T03:05:05.000000Z\",\"actor\":\"Dana\",\"signer\":\"$fp\",\"action\":\"report-custody\",\"subject\":null,\"note\":\"wrote r.md\",\"prev\":\"$prev\"}" >>old/$log
expect_status 0 casefile verify --trust k.pub --custody old
expect_grep 'predate case binding' err
expect_grep 'OK, 2 entries.*predates case binding' out
expect_status 0 casefile verify --trust k.pub --custody old --json
jq -e '.ok and .unbound == 2 and .evidence_checked == false' out >/dev/null || die "old json"
# It still takes entries (bound ones), and an edited old case.json fails.
expect_status 0 casefile add -C old a1.tar.zst
expect_status 0 casefile verify --trust k.pub --custody old --json
jq -e '.ok and .unbound == 2 and .entries == 3' out >/dev/null || die "old after add"
printf ' \n' >>old/case.json; check old case-json-mismatch 1
