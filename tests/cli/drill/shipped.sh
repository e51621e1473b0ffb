# Every shipped drill scenario loads and starts: a scenario that does not
# parse would only be found in front of the people it was meant to train.
source "$CLI_LIB"
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../playbooks/scenarios" && pwd)
n=0
for f in "$dir"/*.yaml; do
  id=$(basename "$f" .yaml)
  expect_status 0 casefile drill start -d "d-$id" "$id"
  expect_status 0 casefile drill inject -d "d-$id"
  n=$((n + 1))
done
[ "$n" -ge 3 ] || die "expected at least three shipped scenarios, found $n"
