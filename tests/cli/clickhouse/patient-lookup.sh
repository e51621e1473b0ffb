# SPDX-License-Identifier: Apache-2.0
# A patient lookup on a two-shard ClickHouse cluster reads a few hundred
# rows per part of the patients' copy of the events, not whole 8192-row
# granules of every column: what each shard read for `query --patient` is
# taken from its system.query_log (cluster.sh logs queries). A build
# merges the parts of that copy. A store made when the copy had the
# default granularity still answers, and is brought to the new layout,
# its rows copied again, by its next build. Uses the cluster .ci/run
# started (its URL in CASEFILE_CLICKHOUSE) or starts one of its own.
source "$CLI_LIB"
source "$(dirname "${BASH_SOURCE[0]}")/../../clickhouse/use-cluster.bash"
flush() { for s in ${shards//,/ }; do chq "$s" "SYSTEM FLUSH LOGS"; done; }

counting_archive
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  expect_status 0 casefile timeline build --db "$ch" --trust k.pub a.tar.zst

# 120,000 more events, in 4 inserts (4 parts on each shard), for 300
# patients named lookup-N, 400 events each; the actor is the patient's
# name, so that `--actor` reads the same events from the events table.
cols="ins, ts_us, source, actor, action, patient, message, attrs, archive, member, line, \`offset\`"
for k in 0 1 2 3; do
  chq "$first/?insert_distributed_sync=1&max_block_size=30000" "INSERT INTO $db.events ($cols)
    SELECT 1000000 + number, 1700000000000000 + number * 1000000, 'planted',
      concat('lookup-', toString(number % 300)), 'read', concat('lookup-', toString(number % 300)),
      concat('record ', toString(number), ' ', replaceAll(toString(cityHash64(number)), '1', 'x')),
      concat('{\"n\":', toString(number), '}'), 'planted', 'planted', number, 0
    FROM system.numbers WHERE number % 4 = $k LIMIT 30000" || die "cannot plant events"
done 2>/dev/null
# (the WHERE before LIMIT: 30,000 of each residue, 120,000 in all)
[ "$(chq "$first" "SELECT count() FROM $db.events WHERE source = 'planted'")" = 120000 ] ||
  die "planted $(chq "$first" "SELECT count() FROM $db.events WHERE source = 'planted'") events"

lookup() { # label: lookup-7 by patient, compared with the same by actor
  casefile timeline query --db "$ch" --patient lookup-7 --format jsonl > p.jsonl ||
    die "--patient ($1): $(cat p.jsonl)"
  casefile timeline query --db "$ch" --actor lookup-7 --format jsonl > a.jsonl ||
    die "--actor ($1)"
  [ "$(wc -l < p.jsonl)" -eq 400 ] || die "--patient lookup-7 ($1): $(wc -l < p.jsonl) events, expected 400"
  cmp -s p.jsonl a.jsonl || die "--patient and --actor differ ($1)"
}
lookup "4 parts"
# What it read, both shards together (the node asked counts the rows the
# other shard read too): each shard's share of the 400 events (about 200,
# in 4 parts of about 15,000 rows) spans one or two granules per part,
# plus the one the index cannot rule out. At 8192 rows per granule each
# part alone would cost 8192 rows or more.
flush
r=$(chq "$first" "SELECT sum(read_rows) FROM system.query_log WHERE type = 2 AND is_initial_query
  AND query LIKE '%FROM $db.events_by_patient %' AND query LIKE '%lookup-7%'")
[ -n "$r" ] && [ "$r" -gt 0 ] || die "no lookup logged ($r)"
[ "$r" -le 8192 ] || die "the lookup read $r rows"

# A build with events merges the patients' copy on every shard.
cp -r root root2
echo '{"resourceType":"AuditEvent","recorded":"2024-03-01T10:00:00Z"}' >> root2/var/log/ehr/audit.ndjson
bash "$FIXTURES/timeline/make-archive.sh" a2.tar.zst k.pem root2 \
  var/log/ehr/audit.ndjson:access-log var/lib/ehr/roster.csv:database || die make-archive 2
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  expect_status 0 casefile timeline build --db "$ch" --trust k.pub a2.tar.zst
flush
for s in ${shards//,/ }; do
  [ "$(chq "$s" "SELECT count() FROM system.query_log WHERE type = 2
    AND query = 'OPTIMIZE TABLE $db.events_by_patient_local'")" -ge 1 ] || die "not merged on $s"
done
lookup "merged"

# A store from when the copy had the default granularity (8192): the
# table, view and rows as the casefile before it made them (its DDL).
old_cols="ins UInt64, ts_us Int64, ts_desc Nullable(String), source String,
  host Nullable(String), actor Nullable(String), actor_role Nullable(String),
  action Nullable(String), outcome Nullable(String), patient String,
  resource Nullable(String), src_ip Nullable(String), model Nullable(String),
  model_version Nullable(String), decision Nullable(String),
  score Nullable(Float64), message Nullable(String), attrs Nullable(String),
  archive String, member String, line UInt64, \`offset\` UInt64"
old_sel="ins, ts_us, ts_desc, source, host, actor, actor_role, action, outcome,
  ifNull(patient, '\\0') AS patient, resource, src_ip, model, model_version,
  decision, score, message, attrs, archive, member, line, \`offset\`"
chx() { curl -fsS "http://$1/" --data-binary "$2" || die "$3"; }
for s in ${shards//,/ }; do
  for t in events_by_patient_mv events_by_patient events_by_patient_local; do
    chx "$s" "DROP TABLE $db.$t" "cannot drop $t"
  done
  chx "$s" "CREATE TABLE $db.events_by_patient_local ($old_cols) ENGINE = MergeTree()
    ORDER BY (patient, ts_us, ins)" "cannot make the old table"
  chx "$s" "CREATE TABLE $db.events_by_patient AS $db.events_by_patient_local
    ENGINE = Distributed(casefile2, $db, events_by_patient_local, rand())" "old distributed"
  chx "$s" "CREATE MATERIALIZED VIEW $db.events_by_patient_mv TO $db.events_by_patient_local
    AS SELECT $old_sel FROM $db.events_local WHERE patient != '\\0'" "old view"
  chx "$s" "INSERT INTO $db.events_by_patient_local SELECT $old_sel FROM $db.events_local
    WHERE patient != '\\0'" "old rows"
done
npat=$(chq "$first" "SELECT count() FROM $db.events WHERE isNotNull(patient)")
[ "$(chq "$first" "SELECT count() FROM $db.events_by_patient")" = "$npat" ] || die "old layout rows"
chq "$first" "SELECT engine_full FROM system.tables WHERE database = '$db'
  AND name = 'events_by_patient_local'" | grep -q 'index_granularity = 8192$' || die "not the old layout"
lookup "old layout"
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  expect_status 0 casefile timeline build --db "$ch" --trust k.pub a2.tar.zst
for s in ${shards//,/ }; do
  chq "$s" "SELECT engine_full FROM system.tables WHERE database = '$db'
    AND name = 'events_by_patient_local'" | grep -q 'index_granularity = 256$' ||
    die "old layout kept on $s"
done
[ "$(chq "$first" "SELECT count() FROM $db.events_by_patient")" = "$npat" ] ||
  die "rows of the old store not copied again"
lookup "old layout, written again"

for s in ${shards//,/ }; do chq "$s" "DROP DATABASE IF EXISTS $db" >/dev/null; done
exit 0
