# SPDX-License-Identifier: Apache-2.0
# build -> query -> scope on a hand-made archive (GNU tar recipe of SPEC
# section 2) with known answers; building twice adds nothing.
source "$CLI_LIB"
F=$FIXTURES/timeline
cp -r "$F/made/root" root
touch -d 2026-03-03T00:00:00.5Z root/var/log/auth.log root/var/log/ehr/audit.ndjson \
  root/var/lib/inference/decisions.jsonl root/var/log/nginx/access.log.1.gz \
  root/var/lib/mlflow/lineage.json
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
openssl pkey -in k.pem -pubout -out k.pub
bash "$F/make-archive.sh" a.tar.zst k.pem root var/log/ehr/audit.ndjson:access-log \
  var/lib/inference/decisions.jsonl:model-decision var/log/auth.log:auth-log \
  var/log/nginx/access.log.1.gz:access-log var/lib/mlflow/lineage.json:model-lineage \
  || die "make-archive failed"

expect_status 0 casefile timeline build --db t.db --trust k.pub --json a.tar.zst
# 33 events and the records of Patients p1 and p2 (2) before the
# in-service intervals of sepsis-risk@6 and @7 (4)
[ "$(jq .events out)" = 39 ] || die "events: $(jq .events out)"
[ "$(jq '.parsers.mlflow.events' out)" = 8 ] || die "lineage events"
# decisions joined to the lineage: the run behind version 7, and the version
# live (in Production) for a decision that did not name one
[ "$(sqlite3 t.db "select json_extract(attrs,'\$.model_run') from events where json_extract(attrs,'\$.request_id')='r1'")" = run-7 ] || die "model_run"
[ "$(sqlite3 t.db "select model_version from events where json_extract(attrs,'\$.request_id')='r3'")" = 7 ] || die "live version"
[ "$(jq .rejects out)" = 2 ] || die "rejects: $(jq .rejects out)"
[ "$(jq -r '.archives[0].status' out)" = added ] || die "status"
[ "$(sqlite3 t.db 'select count(*) from rejects')" = 2 ] || die "rejects table"
# every event points at its evidence
[ "$(sqlite3 t.db "select count(*) from events where archive='' or member='' or line<1")" = 0 ] || die provenance
# the rotated, gzip-compressed access log was read without extraction
[ "$(sqlite3 t.db "select line||':'||\"offset\" from events where patient='p8'")" = 1:0 ] || die "gz line"

# incremental: the same archive again adds nothing
expect_status 0 casefile timeline build --db t.db --trust k.pub --json a.tar.zst
[ "$(jq -r '.archives[0].status' out)" = already-present ] || die "not idempotent"
[ "$(jq .total_events out)" = 39 ] || die "events grew"

expect_status 0 casefile timeline query --db t.db --patient Patient/p1 --format jsonl
# two accesses and the Patient record
[ "$(wc -l <out)" = 3 ] || die "query --patient $(wc -l <out)"
expect_grep '"source":"fhir-patient".*"elements":\["State of residence","telephone number"\]' out
expect_grep '"model_version":"7"' out
expect_status 0 casefile timeline query --db t.db --model sepsis-risk@6 --source model-decision --format csv
[ "$(wc -l <out)" = 2 ] || die "query --model with header"
head -1 out | grep -q '^time,ts_desc,source,' || die "csv header"
# the last --model wins whole: without a version it is every version
all=$(sqlite3 t.db "select count(*) from events where model = 'sepsis-risk' and source = 'model-decision'")
[ "$all" -gt 1 ] || die "fixture: $all decisions of sepsis-risk"
expect_status 0 casefile timeline query --db t.db --model sepsis-risk@6 --model sepsis-risk \
  --source model-decision --format jsonl
[ "$(wc -l <out)" = "$all" ] || die "--model after --model NAME@VERSION: $(wc -l <out) of $all"
expect_status 0 casefile timeline query --db t.db --actor pract-0666 \
  --from 2026-03-01T00:00:00Z --to 2026-03-03T00:00:00Z --format l2tcsv
[ "$(head -1 out | tr ',' '\n' | wc -l)" = 17 ] || die "l2tcsv columns"
expect_status 0 casefile timeline query --db t.db --action read --format timesketch
jq -e 'has("message") and has("datetime") and has("timestamp_desc")' out >/dev/null || die timesketch

expect_status 0 casefile timeline scope --db t.db --incident "$F/made/incident.yaml" --json
jq -e '.affected == 5' out >/dev/null || die "affected $(jq .affected out)"
jq -e '.patients == ["p1","p2","p3","p6","p8"]' out >/dev/null || die patients
jq -e '.by_state == {"MA":1,"CA":1,"unknown":3}' out >/dev/null || die by_state
jq -e '.failed_count == 2' out >/dev/null || die failed
jq -e '.phi_categories == ["demographics","medications","observations"]' out >/dev/null || die phi
jq -e '.model_decisions | length == 2 and .[0].version == "7" and .[0].patient == "p1"' out >/dev/null || die decisions
jq -e '.evidence.p8[0].member == "evidence/files/var/log/nginx/access.log.1.gz"' out >/dev/null || die evidence
jq -e '.window.from == "2026-03-01T00:00:00.000000Z" and .discovered == "2026-03-04T09:30:00.000000Z"' out >/dev/null || die window
