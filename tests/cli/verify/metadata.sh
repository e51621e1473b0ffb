# collection.json and items.jsonl must agree with SHA256SUMS even when the
# archive is correctly signed: each edit here is re-signed, so that the
# inconsistency is the only problem.
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
body() {
  make_ref ref.tar -c none
  all=$(names ref.tar)
  m=$(member ref.tar var/log/auth.log)
  edit() { # edit JQ-FILTER MEMBER: rewrite a JSON member, re-sign, rebuild
    rm -rf x && mkdir x && tar -xf ref.tar -C x || die "extract"
    case $2 in
      *.jsonl) jq -c "$1" "x/$2" >t && mv t "x/$2" ;;
      *) jq "$1" "x/$2" >t && mv t "x/$2" ;;
    esac
    resign x k.pem && rebuild m.tar x $all
    verify_json m.tar
  }
  edit "if .member == \"$m\" then .sha256 = \"$(printf '0%.0s' $(seq 64))\" else . end" casefile/items.jsonl
  expect_problem inconsistent-metadata "$m"
  edit "if .member == \"$m\" then .size = 1 else . end" casefile/items.jsonl
  expect_problem inconsistent-metadata "$m"
  edit "if .member == \"$m\" then .member = \"evidence/files/nowhere\" else . end" casefile/items.jsonl
  expect_problem inconsistent-metadata evidence/files/nowhere
  expect_problem inconsistent-metadata "$m"
  edit '.sequence = "one"' casefile/collection.json
  expect_problem inconsistent-metadata casefile/collection.json
  edit '.previous = {"sha256sums": "xyz", "sequence": 1}' casefile/collection.json
  expect_problem inconsistent-metadata casefile/collection.json
  edit '[.]' casefile/collection.json
  expect_problem inconsistent-metadata casefile/collection.json
  # valid JSON, so there is no parse error to quote (it said "unknown error")
  jq -e '.archives[0].problems[0].detail == "not a JSON object"' v.json \
    >/dev/null || { cat v.json >&2; die "detail of a JSON array"; }
  edit '.' casefile/collection.json
  expect_ok
}
for_each_maker body
