# The `previous` chain across archives given together: a good chain
# passes in any order; a fork, a gap, a missing predecessor and a first
# archive that does not start at 1 are named on collection.json.
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
body() {
  make_ref a1.tar.zst
  make_ref a2.tar.zst -p a1.tar.zst
  make_ref a3.tar.zst -p a2.tar.zst
  verify_json a1.tar.zst a2.tar.zst a3.tar.zst; expect_ok
  verify_json a3.tar.zst a1.tar.zst a2.tar.zst; expect_ok
  # the same archive given twice is not a fork
  verify_json a1.tar.zst a2.tar.zst a2.tar.zst; expect_ok

  # a fork: two archives after a1
  make_ref b2.tar.zst -p a1.tar.zst
  verify_json a1.tar.zst a2.tar.zst b2.tar.zst
  expect_problem chain-fork casefile/collection.json 1
  expect_problem chain-fork casefile/collection.json 2
  jq -e '.archives[0].ok' v.json >/dev/null || die "a1 itself is fine"

  # a missing predecessor: a3 without a2 (and a2 without a1)
  verify_json a1.tar.zst a3.tar.zst
  expect_problem chain-missing casefile/collection.json 1
  verify_json a2.tar.zst a3.tar.zst
  expect_problem chain-missing casefile/collection.json 0

  # a gap in the numbering: sequence 4 right after 2
  make_ref g.tar.zst -p a2.tar.zst -n 4
  verify_json a1.tar.zst a2.tar.zst g.tar.zst
  expect_problem chain-gap casefile/collection.json 2
  # a first archive that is not sequence 1
  make_ref f.tar.zst -n 2
  verify_json f.tar.zst a2.tar.zst
  expect_problem chain-gap casefile/collection.json 0
  # two first archives
  make_ref c1.tar.zst
  verify_json a1.tar.zst c1.tar.zst
  expect_problem chain-fork casefile/collection.json 1
}
for_each_maker body
