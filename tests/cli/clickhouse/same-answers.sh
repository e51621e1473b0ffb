# The same evidence built into a two-shard ClickHouse cluster and into SQLite
# gives the same query and scope answers, with rows on both shards; building
# again adds nothing; rows of a build that died half-way are removed before
# the archive is built again. Uses the cluster .ci/run started (its URL in
# CASEFILE_CLICKHOUSE) or starts one of its own on loopback.
source "$CLI_LIB"
source "$(dirname "${BASH_SOURCE[0]}")/../../clickhouse/use-cluster.bash"

expect_status 0 casefile demo d --generate-only --scenario faulty-model-version --seed 7
expect_status 0 casefile key generate k
expect_status 0 casefile collect -o a1.tar.zst --key k.key --profile linux-ehr-ai-host --root d/host

expect_status 0 casefile timeline build --db t.db --trust k.pub a1.tar.zst
expect_status 0 casefile timeline build --db "$ch" --trust k.pub a1.tar.zst

# Identical answers: every event, one patient, one actor, and the scope.
casefile timeline query --db t.db --format jsonl > sq.jsonl || die "sqlite query"
casefile timeline query --db "$ch" --format jsonl > ch.jsonl || die "clickhouse query"
[ -s sq.jsonl ] || die "no events"
cmp -s sq.jsonl ch.jsonl || { diff <(head -5 sq.jsonl) <(head -5 ch.jsonl); die "query answers differ"; }
p=$(jq -r 'select(.patient != null) | .patient' sq.jsonl | head -1)
a=$(jq -r 'select(.actor != null) | .actor' sq.jsonl | sed -n 100p)
for f in "--patient $p" "--actor $a"; do
  casefile timeline query --db t.db $f --format csv > sq.csv || die "sqlite $f"
  casefile timeline query --db "$ch" $f --format csv > ch.csv || die "clickhouse $f"
  [ "$(wc -l < sq.csv)" -gt 1 ] || die "nothing for $f"
  cmp -s sq.csv ch.csv || die "answers for $f differ"
done
casefile timeline scope --db t.db --incident d/incident.yaml --json > sq-scope.json || die "sqlite scope"
casefile timeline scope --db "$ch" --incident d/incident.yaml --json > ch-scope.json || die "clickhouse scope"
cmp -s sq-scope.json ch-scope.json || die "scope differs"
jq -e --slurpfile t d/ground-truth.json '.affected == $t[0].affected' ch-scope.json >/dev/null ||
  die "scope does not match the ground truth"

# The breach report computed from either store is the same.
casefile report breach --db t.db --incident d/incident.yaml -o rep-sq --format json >/dev/null 2>&1 ||
  die "report from sqlite"
casefile report breach --db "$ch" --incident d/incident.yaml -o rep-ch --format json >/dev/null 2>&1 ||
  die "report from clickhouse"
cmp -s <(jq -S 'del(.generated_at)' rep-sq/report.json) <(jq -S 'del(.generated_at)' rep-ch/report.json) ||
  die "breach reports differ"

# The rows are spread over both shards.
n1=$(chq "${shards%%,*}" "SELECT count() FROM $db.events_local")
n2=$(chq "${shards##*,}" "SELECT count() FROM $db.events_local")
total=$(wc -l < sq.jsonl)
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] || die "rows not on both shards ($n1, $n2)"
[ $((n1 + n2)) -eq "$total" ] || die "shards hold $((n1 + n2)) rows, expected $total"

# The events of each patient, ordered by patient, are on both shards too,
# every event that names a patient once; patient lookups read them and
# answer as SQLite does (the busiest patient, and one whose decisions the
# lineage join updated after they were copied).
p1=$(chq "${shards%%,*}" "SELECT count() FROM $db.events_by_patient_local")
p2=$(chq "${shards##*,}" "SELECT count() FROM $db.events_by_patient_local")
np=$(jq -c 'select(.patient != null)' sq.jsonl | wc -l)
[ "$p1" -gt 0 ] && [ "$p2" -gt 0 ] || die "patients' rows not on both shards ($p1, $p2)"
[ $((p1 + p2)) -eq "$np" ] || die "patients' rows: $((p1 + p2)), expected $np"
chq "${shards%%,*}" "SELECT sorting_key FROM system.tables WHERE database = '$db' AND name = 'events_by_patient_local'" |
  grep -q '^patient, ts_us, ins$' || die "not ordered by patient"
busiest=$(jq -r 'select(.patient != null) | .patient' sq.jsonl | sort | uniq -c | sort -n | tail -1 | awk '{print $2}')
decided=$(jq -r 'select(.source == "model-decision" and .patient != null and .attrs.model_run != null) | .patient' sq.jsonl | head -1)
[ -n "$decided" ] || die "no decision joined to its lineage"
samepatients() {
  for pt in "$busiest" "$decided" nobody; do
    casefile timeline query --db t.db --patient "$pt" --format jsonl > sq.p || die "sqlite --patient $pt"
    casefile timeline query --db "$ch" --patient "$pt" --format jsonl > ch.p || die "clickhouse --patient $pt"
    cmp -s sq.p ch.p || { diff sq.p ch.p | head -5; die "answers for --patient $pt differ ($1)"; }
  done
}
samepatients "first build"

# Building the same archive again adds nothing.
expect_status 0 casefile timeline build --db "$ch" --trust k.pub a1.tar.zst
[ "$(chq "$first" "SELECT count() FROM $db.events")" -eq "$total" ] || die "re-ingest added rows"

# A build that died half-way left rows of the next archive without its
# archives row: they are removed, not doubled.
echo "extra line" >> d/host/var/log/syslog
expect_status 0 casefile collect -o a2.tar.zst --key k.key --profile linux-ehr-ai-host --root d/host --previous a1.tar.zst
digest=$(tar --zstd -xOf a2.tar.zst SHA256SUMS | sha256sum | cut -d' ' -f1)
printf '1\t0\t\\N\tstale\t\\N\t\\N\t\\N\t\\N\t\\N\tstale-p\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t%s\tstale\t1\t0\n' "$digest" |
  curl -sS "http://$first/?insert_distributed_sync=1&query=INSERT%20INTO%20$db.events%20FORMAT%20TabSeparated" --data-binary @- ||
  die "cannot plant a stale row"
expect_status 0 casefile timeline build --db t.db --trust k.pub a2.tar.zst
expect_status 0 casefile timeline build --db "$ch" --trust k.pub a2.tar.zst
[ "$(chq "$first" "SELECT count() FROM $db.events WHERE source = 'stale'")" -eq 0 ] || die "stale rows kept"
casefile timeline query --db t.db --format jsonl > sq2.jsonl || die "sqlite query 2"
casefile timeline query --db "$ch" --format jsonl > ch2.jsonl || die "clickhouse query 2"
cmp -s sq2.jsonl ch2.jsonl || die "answers differ after the second archive"
[ "$(chq "$first" "SELECT count() FROM $db.events_by_patient WHERE patient = 'stale-p'")" -eq 0 ] ||
  die "stale rows kept among the patients' rows"
samepatients "second archive"

# A store from before the patients' table answers from the events, and
# gets the table, with the rows it holds, on its next write.
for s in ${shards//,/ }; do
  chq "$s" "DROP TABLE $db.events_by_patient_mv" >/dev/null
  chq "$s" "DROP TABLE $db.events_by_patient" >/dev/null
  chq "$s" "DROP TABLE $db.events_by_patient_local" >/dev/null
done
samepatients "old store"
expect_status 0 casefile timeline build --db "$ch" --trust k.pub a2.tar.zst
[ "$(chq "$first" "SELECT count() FROM $db.events_by_patient")" -eq "$(jq -c 'select(.patient != null)' sq2.jsonl | wc -l)" ] ||
  die "the old store's patients' rows were not copied"
samepatients "old store, written again"

for s in ${shards//,/ }; do chq "$s" "DROP DATABASE IF EXISTS $db" >/dev/null; done
exit 0
