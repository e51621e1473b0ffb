# Decision cohorts and in-service intervals on the faulty-model demo:
# `timeline scope` reports, for the implicated version (sepsis-risk@7), its
# decisions, distinct patients, overridden and acted-on counts and its
# first and last decision with their citations, all equal to counts made
# by hand with sqlite3 on the store; --cohort-csv writes one row per
# patient; the builder records each version's first and last decision of
# each decision log once, labelled inferred.
source "$CLI_LIB"
expect_status 0 casefile demo d --generate-only --scenario faulty-model-version --seed 5
expect_status 0 casefile key generate k
expect_status 0 casefile collect -o a.tar.zst --key k.key --profile linux-ehr-ai-host --root d/host
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
expect_status 0 casefile timeline scope --db t.db --incident d/incident.yaml --json \
  --cohort-csv cohort.csv
mv out scope.json
q() { sqlite3 t.db "$1"; }
# the window and the suspect version, as the incident file writes them
from=$(sed -n 's/^window: {from: \([^,]*\), to: .*/\1/p' d/incident.yaml)
to=$(sed -n 's/^window: {from: [^,]*, to: \([^}]*\)}.*/\1/p' d/incident.yaml)
grep -q 'models: \[sepsis-risk@7\]' d/incident.yaml || die "incident suspects changed"
us() { q "SELECT CAST(strftime('%s', '${1%%.*}') AS INTEGER) * 1000000 + CAST(substr('$1', 21, 6) AS INTEGER)"; }
W="ts_us BETWEEN $(us "${from%Z}") AND $(us "${to%Z}") AND action LIKE 'decision%'
   AND model = 'sepsis-risk' AND model_version = '7'"
n=$(q "SELECT count(*) FROM events WHERE $W")
[ "$n" -gt 0 ] || die "no decisions of version 7 in the window"
c() { jq -r ".cohorts[] | select(.model == \"sepsis-risk\" and .version == \"7\") | $1" scope.json; }
[ "$(jq '.cohorts | length' scope.json)" = 1 ] || die "one implicated version, one cohort"
[ "$(c .decisions)" = "$n" ] || die "decisions $(c .decisions) != $n"
[ "$(c .patients)" = "$(q "SELECT count(DISTINCT patient) FROM events WHERE $W AND patient <> ''")" ] ||
  die "patients"
[ "$(c .overridden)" = "$(q "SELECT count(*) FROM events WHERE $W AND outcome = 'overridden'")" ] ||
  die "overridden"
[ "$(c .overridden)" -gt 0 ] || die "the demo has overrides of version 7"
[ "$(c .acted_on)" = "$(q "SELECT count(*) FROM events WHERE $W AND outcome = 'success'")" ] ||
  die "acted on"
[ "$(c '.first | [.member, .line] | @tsv')" = \
  "$(q "SELECT member || char(9) || line FROM events WHERE $W ORDER BY ts_us, member, line LIMIT 1")" ] ||
  die "first decision"
[ "$(c '.last | [.member, .line] | @tsv')" = \
  "$(q "SELECT member || char(9) || line FROM events WHERE $W ORDER BY ts_us DESC, member DESC, line DESC LIMIT 1")" ] ||
  die "last decision"
[ "$(c .first.archive)" = "$(q "SELECT DISTINCT archive FROM events WHERE $W")" ] || die "archive cited"
# the text output: one line per cohort
expect_status 0 casefile timeline scope --db t.db --incident d/incident.yaml
expect_grep "^cohort sepsis-risk@7: $n decision\(s\), " out
# the cohort file: a header and one row per patient, counts per patient
[ "$(head -1 cohort.csv)" = "patient,model,version,decisions,overridden,acted_on,first,last" ] ||
  die "cohort.csv header"
[ "$(($(wc -l < cohort.csv) - 1))" = "$(c .patients)" ] || die "cohort.csv rows"
[ "$(awk -F, 'NR > 1 { s += $4 } END { print s }' cohort.csv)" = \
  "$(q "SELECT count(*) FROM events WHERE $W AND patient <> ''")" ] || die "cohort.csv decisions"
p=$(sed -n '2s/,.*//p' cohort.csv)
[ "$(sed -n '2p' cohort.csv | cut -d, -f4,5)" = \
  "$(q "SELECT count(*) || ',' || sum(outcome = 'overridden') FROM events WHERE $W AND patient = '$p'")" ] ||
  die "cohort.csv row of $p"
# in-service intervals: once per version and decision log, labelled inferred,
# at the version's first and last decision in that log
# (decisions that named their version: the join to the registry may fill in
# the others, which date nothing)
named="json_extract(attrs, '\$.model_version_inferred') IS NULL"
groups=$(q "SELECT count(*) FROM (SELECT DISTINCT member, model, model_version FROM events
            WHERE source = 'model-decision' AND $named)")
[ "$groups" -ge 4 ] || die "the demo logs several versions"
for a in first last; do
  [ "$(q "SELECT count(*) FROM events WHERE action = 'model-in-service-$a'")" = "$groups" ] ||
    die "model-in-service-$a: not once per version and log"
  [ "$(q "SELECT count(*) FROM (SELECT DISTINCT member, model, model_version FROM events
          WHERE action = 'model-in-service-$a')")" = "$groups" ] || die "model-in-service-$a twice"
done
[ "$(q "SELECT count(*) FROM events WHERE action LIKE 'model-in-service-%'
        AND (json_extract(attrs, '\$.inferred') IS NOT 1 OR source <> 'decision')")" = 0 ] ||
  die "an in-service event not labelled inferred"
bad=$(q "SELECT count(*) FROM events s WHERE s.action = 'model-in-service-first' AND s.ts_us <>
         (SELECT min(ts_us) FROM events d WHERE d.source = 'model-decision' AND d.member = s.member
          AND json_extract(d.attrs, '\$.model_version_inferred') IS NULL AND d.model = s.model AND d.model_version = s.model_version)")
[ "$bad" = 0 ] || die "$bad in-service-first not at the first decision"
bad=$(q "SELECT count(*) FROM events s WHERE s.action = 'model-in-service-last' AND s.ts_us <>
         (SELECT max(ts_us) FROM events d WHERE d.source = 'model-decision' AND d.member = s.member
          AND json_extract(d.attrs, '\$.model_version_inferred') IS NULL AND d.model = s.model AND d.model_version = s.model_version)")
[ "$bad" = 0 ] || die "$bad in-service-last not at the last decision"
# a rebuild adds nothing
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
[ "$(q "SELECT count(*) FROM events WHERE action = 'model-in-service-first'")" = "$groups" ] ||
  die "rebuild duplicated in-service events"
