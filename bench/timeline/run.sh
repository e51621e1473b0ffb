#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Benchmark of `casefile timeline build` (SPEC section 6) against
#   (a) a jq pipeline: jq turns the same logs into CSV rows of the events
#       table, sqlite3 .import loads them, and the same indexes are built;
#   (b) sqlite3 .import of that already-normalised CSV, plus the indexes
#       (the cost of storage alone: no parsing at all).
# casefile is timed end to end from a signed evidence archive written by
# `casefile collect` (verification, parsing, inserts, indexes). Also
# measured: peak memory of the build, and `timeline query --patient`
# latency on the resulting database, process start included.
#
# usage: bench/timeline/run.sh [EVENTS]   (default 10000000)
#   RUNS=N   hyperfine runs per command (default 3)
#   KEEP=1   keep bench/data/timeline afterwards
#   BASELINES=0  time casefile alone (memory, throughput, query latency)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
n=${1:-10000000}
bench_start timeline 3 hyperfine jq sqlite3 /usr/bin/time

echo "== generating $n events"
python3 "$here/gen.py" "$data" "$n"
find root -type f -exec touch -d 2026-03-31T12:00:00.5Z {} +
"$bin" -q key generate k >/dev/null
"$bin" -q collect -o ev.tar.zst --key k.key --root root /var/log /var/lib/inference >/dev/null
du -sh root ev.tar.zst

# ---- the jq pipeline -----------------------------------------------------
. "$here/events_sql.sh"
{ events_table; cat <<'SQL'
CREATE TABLE staging (ts_us INTEGER, source TEXT, actor TEXT, action TEXT, outcome TEXT,
 patient TEXT, resource TEXT, src_ip TEXT, model TEXT, model_version TEXT, decision TEXT,
 score REAL, message TEXT, member TEXT, line INTEGER);
SQL
} >schema.sql
{ cat <<'SQL'
INSERT INTO events (ts_us, source, actor, action, outcome, patient, resource, src_ip, model,
 model_version, decision, score, message, archive, member, line)
 SELECT ts_us, source, actor, action, outcome, patient, resource, src_ip, model, model_version,
 decision, score, message, 'bench', member, line FROM staging;
DROP TABLE staging;
SQL
events_indexes; } >index.sql
# One jq program per log kind; each row: ts_us,source,actor,action,outcome,
# patient,resource,src_ip,model,model_version,decision,score,message,member,line
cat >jq.sh <<'SH'
set -e
r=$1
jq -r '[(.recorded|sub("\\.[0-9]+Z$";"Z")|fromdateiso8601*1000000), "fhir-auditevent",
  (.agent[]|select(.requestor)|.who.identifier.value), .subtype[0].code,
  (if .outcome=="0" then "success" else "failure" end),
  (.entity[0].what.reference|split("/")[1]), .entity[0].what.reference,
  (.agent[0].network.address), null, null, null, null, "read", "audit.ndjson", input_line_number]|@csv' \
  "$r/var/log/ehr/audit.ndjson"
jq -r '[(.time|sub("\\.[0-9]+Z$";"Z")|fromdateiso8601*1000000), "model-decision", .user, "decision",
  "success", .patient, null, null, .model, .model_version, .output, .score, .request_id,
  "decisions.jsonl", input_line_number]|@csv' "$r/var/lib/inference/decisions.jsonl"
jq -R -r 'capture("^(?<ip>[^ ]+) [^ ]+ (?<u>[^ ]+) \\[(?<t>[^\\]]+)\\] \"(?<m>[^ ]+) (?<p>[^ ]+) [^\"]*\" (?<s>[0-9]+)")
  |[(.t|strptime("%d/%b/%Y:%H:%M:%S %z")|mktime*1000000), "access-log", .u, .m,
    (if (.s|tonumber)<400 then "success" else "failure" end),
    (.p|capture("/Patient/(?<x>[^/?]+)").x), .p, .ip, null, null, null, null, .p, "access.log", 0]|@csv' \
  "$r/var/log/nginx/access.log"
jq -R -r 'capture("^(?<t>[A-Z][a-z]{2} +[0-9]+ [0-9:]{8}) (?<h>[^ ]+) sshd\\[[0-9]+\\]: (?<msg>.*)$")
  |[("2026 " + .t|strptime("%Y %b %d %H:%M:%S")|mktime*1000000), "sshd",
    (.msg|capture("for (invalid user )?(?<u>[^ ]+) from").u),
    "login", (if (.msg|startswith("Accepted")) then "success" else "failure" end),
    null, null, (.msg|capture("from (?<i>[^ ]+)").i), null, null, null, null, .msg, "auth.log", 0]|@csv' \
  "$r/var/log/auth.log"
SH
cat >jq_pipeline.sh <<'SH'
rm -f jq.db && sqlite3 jq.db <schema.sql &&
bash jq.sh root | sqlite3 jq.db '.mode csv' '.import /dev/stdin staging' &&
sqlite3 jq.db <index.sql
SH
cat >import_csv.sh <<'SH'
rm -f imp.db && sqlite3 imp.db <schema.sql &&
sqlite3 imp.db '.mode csv' '.import events.csv staging' && sqlite3 imp.db <index.sql
SH
if [ "${BASELINES:-1}" = 1 ]; then
  echo "== normalised CSV for baseline (b)"
  bash jq.sh root >events.csv
  wc -l events.csv
  echo "== build: casefile vs jq pipeline vs sqlite3 .import ($runs runs each)"
  hyperfine --runs "$runs" --export-json build.json \
    -n casefile "rm -f cf.db && $bin -q timeline build --db cf.db --trust k.pub ev.tar.zst" \
    -n jq-pipeline "bash jq_pipeline.sh" \
    -n sqlite-import "bash import_csv.sh"
else
  hyperfine --runs "$runs" --export-json build.json \
    -n casefile "rm -f cf.db && $bin -q timeline build --db cf.db --trust k.pub ev.tar.zst"
fi
echo "== peak memory of the build"
rm -f cf.db
/usr/bin/time -v "$bin" -q timeline build --db cf.db --trust k.pub ev.tar.zst 2>time.txt
grep -E "Maximum resident|Elapsed" time.txt
events=$(sqlite3 cf.db 'select count(*) from events')
echo "events in the database: $events"

echo "== query --patient latency (process start included)"
p=$(sqlite3 cf.db "select patient from events where patient is not null limit 1 offset 12345")
hyperfine --warmup 3 --runs 30 --export-json query.json \
  -n query-patient "$bin timeline query --db cf.db --patient $p --format jsonl"
python3 - "$events" <<'PY'
import json, sys
ev = int(sys.argv[1])
b = {r["command"]: r for r in json.load(open("build.json"))["results"]}
q = json.load(open("query.json"))["results"][0]
cf = b["casefile"]["median"]
print(f"casefile build      median {cf:8.2f} s  {ev/cf:10.0f} events/s (target >= 250000)")
if "jq-pipeline" in b:
    jq, im = b["jq-pipeline"]["median"], b["sqlite-import"]["median"]
    print(f"jq pipeline         median {jq:8.2f} s  ratio jq/casefile = {jq/cf:.2f} (target >= 3.5)")
    print(f"sqlite3 .import CSV median {im:8.2f} s  casefile speed / .import speed = {im/cf:.2f} (target >= 0.60)")
print(f"query --patient     median {q['median']*1000:8.1f} ms (target < 50 ms)")
PY
