# SPDX-License-Identifier: Apache-2.0
# report mailing under every injected allocation, write and fsync failure
# (sweep.bash). The list is what the privacy officer mails from: a fault
# ends in exit 3 with no list (and no temporary file) left in the case
# folder, or is absorbed and the list is the one of a run without faults,
# byte for byte: never exit 0 with a row that lacks its PHI categories or
# its Part 2 flag. The evidence is tests/fixtures/mailing, as
# tests/cli/report/mailing.sh builds it.
. "$CLI_LIB"; . "$CASE_DIR/sweep.bash"
F=$FIXTURES/mailing
mailing_store
mkdir -p case/out && : >case/case.json
casefile report mailing --db t.db --incident "$F/incident.yaml" -o ref.csv 2>/dev/null &&
  die "a list written outside the case folder"
casefile report mailing --db t.db --incident "$F/incident.yaml" -o case/out/ref.csv \
  >/dev/null 2>&1 || die "reference list"
mv case/out/ref.csv ref.csv
# the reference names a category and a Part 2 flag, the parts a swallowed
# fault used to drop
grep -q 'demographics' ref.csv || die "reference list without demographics"
grep -q ',yes,' ref.csv || die "reference list without a Part 2 row"

sweep_prepare() { rm -rf case/out && mkdir case/out; }
sweep_ok() {
  cmp -s case/out/mailing.csv ref.csv ||
    { diff ref.csv case/out/mailing.csv >&2; die "$1: exit 0 but another list"; }
  [ "$(ls -A case/out)" = mailing.csv ] || { ls -la case/out >&2; die "$1: files beside the list"; }
}
sweep_failed() {
  [ -z "$(ls -A case/out)" ] || { ls -la case/out >&2; die "$1: a file left behind"; }
  # a refused allocation is reported as such, never as evidence that
  # cannot be read or an input that is wrong
  case $1 in alloc:*)
    grep -q 'Cannot allocate memory\|out of memory' sweep.err ||
      die "$1: out of memory reported as something else: $(cat sweep.err)" ;;
  esac
}
sweep casefile report mailing --db t.db --incident "$F/incident.yaml" -o case/out/mailing.csv

# The check that -o is inside a case folder comes first, after start-up:
# every allocation up to the end of a run refused there (exit 2) is
# failed in turn, so the check's own allocations are among them. Out of
# memory there is exit 3 saying so, never the usage error.
CASEFILE_FAULT=count casefile report mailing --db t.db --incident "$F/incident.yaml" \
  -o m.csv >/dev/null 2>err
[ $? = 2 ] || die "outside the case folder: not a usage error"
total=$(sed -nE 's/^casefile: fault counts: .*alloc=([0-9]+).*/\1/p' err)
[ -n "$total" ] && [ "$total" -gt 0 ] || die "no allocation count: $(cat err)"
noticed=0
for ((n = 1; n <= total + 2; n++)); do
  CASEFILE_FAULT=alloc:$n casefile report mailing --db t.db --incident "$F/incident.yaml" \
    -o case/out/mailing.csv >/dev/null 2>err
  st=$?
  case $st in
  0) ;;
  3) grep -q 'Cannot allocate memory\|out of memory' err || die "alloc:$n: exit 3: $(cat err)"
     noticed=$((noticed + 1)) ;;
  *) die "alloc:$n: exit $st (0 or 3 expected): $(cat err)" ;;
  esac
  rm -rf case/out && mkdir case/out
done
[ "$noticed" -gt 0 ] || die "no early allocation failure was noticed"
