# `drill list` names every shipped scenario (the files in
# playbooks/scenarios) with its title and playbook, sorted by id; --json
# gives {"scenarios":[{"id","title","playbook","path"}]}; it takes no
# argument. Each listed id starts a drill.
. "$CLI_LIB"
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../playbooks/scenarios" && pwd)
want=$(cd "$dir" && ls *.yaml | sed 's/\.yaml$//' | sort)
[ -n "$want" ] || die "no shipped scenarios"
expect_status 0 casefile drill list
got=$(awk '{print $1}' out)
[ "$got" = "$want" ] || die "drill list: got '$got', want '$want'"
expect_grep '^insider-snooping-celebrity +A nurse looks up a celebrity patient.s chart \(playbook insider-snooping\)$' out
expect_status 0 casefile drill list --json
jq -e '.scenarios | length > 0 and all(has("id") and has("title") and has("playbook") and has("path"))' out \
  >/dev/null || { cat out; die "drill list --json"; }
[ "$(jq -r '.scenarios[].id' out)" = "$want" ] || die "drill list --json ids"
expect_status 2 casefile drill list extra
expect_status 2 casefile drill list -d somewhere
for id in $want; do
  expect_status 0 casefile drill start -d "d-$id" "$id"
done
