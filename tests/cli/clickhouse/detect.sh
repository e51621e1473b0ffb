# SPDX-License-Identifier: Apache-2.0
# `timeline detect` gives the same findings on a two-shard ClickHouse
# cluster as on SQLite, from the same evidence, and --store keeps the same
# findings table in both (the faulty-model demo: the shipped pack finds
# sepsis-risk version 7). Event ids are each store's own row numbers, so
# they are left out of the comparison. Uses the cluster .ci/run started
# (CASEFILE_CLICKHOUSE) or starts one of its own on loopback.
source "$CLI_LIB"
source "$(dirname "${BASH_SOURCE[0]}")/../../clickhouse/use-cluster.bash"

expect_status 0 casefile demo d --generate-only --scenario faulty-model-version --seed 3
expect_status 0 casefile key generate k
expect_status 0 casefile collect -o a.tar.zst --key k.key --profile linux-ehr-ai-host --root d/host
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
expect_status 0 casefile timeline build --db "$ch" --trust k.pub a.tar.zst

# the same findings, printed
expect_status 0 casefile timeline detect --db t.db --json
jq -S 'del(.findings[].events[].id)' out > sq.json
expect_status 0 casefile timeline detect --db "$ch" --json
jq -S 'del(.findings[].events[].id)' out > ch.json
jq -e '[.findings[] | select(.group == "model=sepsis-risk, model_version=7")] | length > 0' sq.json >/dev/null ||
  die "the faulty version is not found"
cmp -s sq.json ch.json || { diff sq.json ch.json | head -20; die "findings differ"; }
expect_status 0 casefile timeline detect --db t.db --from 2026-03-02T00:00:00Z --to 2026-03-03T00:00:00Z
cp out sq.txt
expect_status 0 casefile timeline detect --db "$ch" --from 2026-03-02T00:00:00Z --to 2026-03-03T00:00:00Z
cmp -s sq.txt out || die "windowed findings differ"

# --store: the same rows (but the run's time and the event ids)
expect_status 0 casefile timeline detect --db t.db --store
expect_status 0 casefile timeline detect --db "$ch" --store
cols="rule_id, title, level, coalesce(group_key, ''), count, first_us, last_us"
sqlite3 -separator '	' t.db "SELECT $cols FROM findings ORDER BY rule_id, first_us, coalesce(group_key, ''), count" > sq.tsv
chq "$first" "SELECT $cols FROM $db.findings ORDER BY rule_id, first_us, ifNull(group_key, ''), count FORMAT TSVRaw" > ch.tsv
[ "$(wc -l < sq.tsv)" -gt 25 ] || die "findings table: $(wc -l < sq.tsv) rows"
cmp -s sq.tsv ch.tsv || { diff sq.tsv ch.tsv | head; die "findings tables differ"; }
# the events column holds the same evidence
sqlite3 t.db "SELECT events FROM findings WHERE count > 0 ORDER BY rule_id, first_us, coalesce(group_key, '')" |
  jq -c 'map(del(.id))' > sq.ev
chq "$first" "SELECT events FROM $db.findings WHERE count > 0 ORDER BY rule_id, first_us, ifNull(group_key, '') FORMAT TSVRaw" |
  jq -c 'map(del(.id))' > ch.ev
[ -s sq.ev ] && cmp -s sq.ev ch.ev || die "stored evidence differs"
# read back (cf_db_query_findings: the scope's first alert) alike
casefile timeline scope --db t.db --incident d/incident.yaml --json > sq-scope.json || die "sqlite scope"
casefile timeline scope --db "$ch" --incident d/incident.yaml --json > ch-scope.json || die "clickhouse scope"
cmp -s sq-scope.json ch-scope.json || { diff sq-scope.json ch-scope.json | head; die "scope differs after --store"; }
# the rows are on the shards (written through the Distributed table)
n1=$(chq "${shards%%,*}" "SELECT count() FROM $db.findings_local")
n2=$(chq "${shards##*,}" "SELECT count() FROM $db.findings_local")
[ $((n1 + n2)) -eq "$(wc -l < sq.tsv)" ] || die "shards hold $((n1 + n2)) findings"

for s in ${shards//,/ }; do chq "$s" "DROP DATABASE IF EXISTS $db" >/dev/null; done
exit 0
