# Members removed, added, duplicated, renamed or reordered are each
# detected and named with the right kind and member.
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
body() {
  make_ref ref.tar -c none
  mkdir x && tar -xf ref.tar -C x || die "extract failed"
  all=$(names ref.tar)

  # every member removed in turn (GNU tar --delete keeps the rest intact)
  for m in $all; do
    cp ref.tar m.tar && pad_record m.tar && tar --delete -f m.tar -- "$m" ||
      die "delete $m"
    zstd -qf m.tar -o m.tar.zst
    verify_json m.tar.zst
    expect_problem missing-member "$m"
  done

  # an added member, at the end and in the middle
  echo "planted" >x/planted.txt
  cp ref.tar m.tar && tar --format=pax -rf m.tar -C x planted.txt
  verify_json m.tar
  expect_problem added-member planted.txt
  expect_problem reordered-member planted.txt
  mid=$(echo "$all" | sed '2a planted.txt')
  rebuild m.tar x $mid
  verify_json m.tar
  expect_problem added-member planted.txt

  # a duplicated member (the same name twice, same or other content)
  hosts=$(member ref.tar etc/hosts)
  for m in "$hosts" casefile/collection.json SHA256SUMS; do
    rebuild m.tar x $(echo "$all" | sed "\\|^$m\$|p")
    verify_json m.tar
    expect_problem duplicate-member "$m"
  done

  # a renamed member: the old name is missing, the new one added
  rebuild m.tar x $(echo "$all" | sed "s|^$hosts\$|&=${hosts}z|")
  verify_json m.tar
  expect_problem missing-member "$hosts"
  expect_problem added-member "${hosts}z"

  # two evidence members swapped; collection.json not first; signature not last
  rebuild m.tar x $(echo "$all" | sed '2{h;d};3G')
  verify_json m.tar
  expect_problem reordered-member "$(echo "$all" | sed -n 2p)"
  rebuild m.tar x $(echo "$all" | sed '1{h;d};2G')
  verify_json m.tar
  expect_problem reordered-member casefile/collection.json
  rebuild m.tar x $(echo "$all" | sed '$!d'; echo "$all" | sed '$d')
  verify_json m.tar
  expect_problem reordered-member SHA256SUMS

  # the rebuild itself is faithful: in the same order it passes
  rebuild m.tar x $all
  verify_json m.tar; expect_ok
}
for_each_maker body
