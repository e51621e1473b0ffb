# What cannot be read at all is a runtime error (status 3) naming the file,
# and the other archives are still checked; what can be read but is not an
# archive is an evidence failure (status 1). Control bytes in member names
# never reach the terminal raw.
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
make_keys && make_source root || die "set-up failed"
make_ref a.tar.zst
expect_status 3 casefile verify --trust k.pub missing.tar.zst a.tar.zst
expect_grep "^casefile verify: cannot open 'missing.tar.zst': No such file or directory$" err
expect_grep '^OK a.tar.zst signer ' out
expect_status 3 casefile verify --trust k.pub --json missing.tar.zst a.tar.zst
jq -e '.ok == false and .archives[0].problems[0].kind == "unreadable" and
       .archives[1].ok == true' out >/dev/null || die "JSON: $(cat out)"
mkdir adir
expect_status 3 casefile verify --trust k.pub adir
expect_status 3 casefile verify --trust missing.pub a.tar.zst
expect_grep 'missing.pub' err
# readable, but not an evidence archive
: >empty
head -c 100000 /dev/urandom >random.bin
printf 'hello\n' | gzip >hello.gz
for f in empty random.bin hello.gz; do
  expect_status 1 casefile verify --trust k.pub "$f"
  expect_grep "^FAIL $f: " out
done
# a member name with an escape sequence in it
mkdir e && printf x >"e/$(printf 'evil\033[2Jname')"
tar -cf esc.tar -C e .
expect_status 1 casefile verify --trust k.pub esc.tar
grep -q "$(printf '\033')" out && die "raw escape byte on stdout"
expect_grep 'evil\\x1b\[2Jname' out
exit 0
