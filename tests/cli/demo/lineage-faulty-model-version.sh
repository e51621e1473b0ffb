# The faulty-model demo's evidence holds the MLflow store's snapshot and its
# lineage.json summary: the timeline has one lineage (no event twice, the
# summary not counted), no event dated before 2000 (never 1970-01-01), and
# every decision shows its version's stage and whether a human overrode it.
source "$CLI_LIB"
expect_status 0 casefile demo d --generate-only --scenario faulty-model-version --seed 5
expect_status 0 casefile key generate k
expect_status 0 casefile collect -o a.tar.zst --key k.key --profile linux-ehr-ai-host --root d/host
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
grep -q 'mlflow-lineage-summary.*evidence/mlflow/lineage.json' err ||
  { cat err; die "lineage.json not recorded as the snapshot's summary"; }
q() { sqlite3 t.db "$1"; }
[ "$(q "SELECT count(*) FROM events WHERE source = 'mlflow'")" -gt 0 ] || die "no lineage"
[ "$(q "SELECT count(*) FROM events WHERE source = 'mlflow' AND member LIKE '%lineage.json'")" = 0 ] ||
  die "lineage.json counted beside the snapshot"
dups=$(q "SELECT count(*) FROM (SELECT 1 FROM events WHERE source = 'mlflow'
          GROUP BY ts_us, action, model, model_version, decision, resource HAVING count(*) > 1)")
[ "$dups" = 0 ] || die "$dups lineage events duplicated"
[ "$(q "SELECT count(*) FROM events WHERE ts_us < 946684800000000")" = 0 ] ||
  { q "SELECT ts_us, source, action, member FROM events WHERE ts_us < 946684800000000 LIMIT 5" >&2; die "event dated before 2000"; }
[ "$(q "SELECT count(*) FROM events WHERE action = 'alias-set'")" -gt 0 ] || die "no alias"
# Every decision: its version's stage, and acted on or overridden (who, why).
[ "$(q "SELECT count(*) FROM events WHERE source = 'model-decision'")" -gt 0 ] || die "no decisions"
[ "$(q "SELECT count(*) FROM events WHERE source = 'model-decision' AND
        (json_extract(attrs, '\$.model_stage') IS NULL OR outcome NOT IN ('success', 'overridden'))")" = 0 ] ||
  die "a decision without its stage or override state"
[ "$(q "SELECT count(*) FROM events WHERE outcome = 'overridden' AND
        (json_extract(attrs, '\$.override_by') IS NULL OR json_extract(attrs, '\$.override_reason') IS NULL)")" = 0 ] ||
  die "an override without who and why"
# v8 was promoted to Production at the registry's last update: its later
# decisions show the recorded stage, not an inferred one.
[ "$(q "SELECT count(*) FROM events WHERE source = 'model-decision' AND model = 'sepsis-risk'
        AND model_version = '8' AND json_extract(attrs, '\$.model_stage') = 'Production'
        AND json_extract(attrs, '\$.model_stage_inferred') IS NULL")" -gt 0 ] || die "v8 stage"
[ "$(q "SELECT count(*) FROM events WHERE outcome = 'overridden' AND model_version = '7'")" -gt 0 ] ||
  die "no override of version 7"
