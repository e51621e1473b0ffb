# SPDX-License-Identifier: Apache-2.0
# The patient facts the breach counting needs (how a patient is reached,
# death, next of kin, birth date: tests/fixtures/timeline/counting) are
# kept by a two-shard ClickHouse cluster as by SQLite: the scope of the
# counting fixture is the same from both stores, minors and decedents
# included. A ClickHouse store created before the facts columns existed
# still reads (its patients of unknown kind: "contact") and gets the
# columns back on its next build. Uses the cluster .ci/run started (its URL
# in CASEFILE_CLICKHOUSE) or starts one of its own on loopback.
source "$CLI_LIB"
source "$(dirname "${BASH_SOURCE[0]}")/../../clickhouse/use-cluster.bash"

F=$FIXTURES/timeline/counting
counting_archive
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  expect_status 0 casefile timeline build --db "$ch" --trust k.pub a.tar.zst

casefile timeline scope --db t.db --incident "$F/incident.yaml" --json > sq.json || die "sqlite scope"
casefile timeline scope --db "$ch" --incident "$F/incident.yaml" --json > ch.json || die "clickhouse scope"
# the figures of tests/fixtures/timeline/counting/SOURCE.md
jq -e '.reach.minors.count == 1 and .reach.minors.patients == ["a6"]
  and .reach.deceased.count == 2 and .reach.deceased.next_of_kin_address == 1
  and .reach.postal == 3 and .reach.email == 1 and .reach.phone_only == 2' ch.json >/dev/null ||
  die "clickhouse reach: $(jq -c .reach ch.json)"
cmp -s <(jq -S . sq.json) <(jq -S . ch.json) ||
  { diff <(jq -S . sq.json) <(jq -S . ch.json) | head -20; die "scope differs"; }

# Each fact in a column of its own, has_contact 0/1 as before.
[ "$(chq "$first" "SELECT birth_date FROM $db.patients WHERE id = 'a6'")" = 2008-03-05 ] ||
  die "birth date of a6: $(chq "$first" "SELECT * FROM $db.patients WHERE id = 'a6'")"
[ "$(chq "$first" "SELECT max(has_contact) FROM $db.patients")" = 1 ] || die "has_contact not 0/1"
[ "$(chq "$first" "SELECT count() FROM $db.patients WHERE deceased = 1")" = 2 ] || die "deceased"

# A store written before the facts columns: drop them everywhere.
for s in ${shards//,/ }; do
  for t in patients patients_local; do
    chq "$s" "ALTER TABLE $db.$t DROP COLUMN reach, DROP COLUMN deceased,
      DROP COLUMN next_of_kin, DROP COLUMN birth_date" || die "cannot drop columns"
  done
done
casefile timeline scope --db "$ch" --incident "$F/incident.yaml" --json > old.json ||
  die "old clickhouse store: $(cat old.json)"
jq -e '.affected == 11 and .reach.minors.count == 0 and .reach.deceased.count == 0
  and .reach.postal == 0 and .reach.phone_only == 0' old.json >/dev/null ||
  die "old store reach: $(jq -c .reach old.json)"
# ... which a build (nothing new to add) brings up to date
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  expect_status 0 casefile timeline build --db "$ch" --trust k.pub a.tar.zst
for s in ${shards//,/ }; do
  n=$(chq "$s" "SELECT count() FROM system.columns WHERE database = '$db'
    AND name IN ('reach', 'deceased', 'next_of_kin', 'birth_date')")
  [ "$n" = 8 ] || die "columns not added on $s ($n)"
done

for s in ${shards//,/ }; do chq "$s" "DROP DATABASE IF EXISTS $db" >/dev/null; done
exit 0
