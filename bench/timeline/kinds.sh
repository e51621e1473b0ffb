#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# `casefile timeline build` on one kind of log at a time, against its peers,
# all in one hyperfine run (bench/README.md):
#   FHIR AuditEvent NDJSON (N events):
#     casefile  timeline build from a signed archive (verification of every
#               member, parsing, inserts, the three indexes, the database
#               fsynced and renamed into place);
#     jq        jq turns the same file into CSV rows of the events table,
#               sqlite3 .import loads them, the same three indexes;
#     import    sqlite3 .import of that already-normalised CSV, same indexes.
#   sshd syslog lines (N lines):
#     casefile  timeline build of the archive holding auth.log;
#     lnav      `lnav -n` with an SQL count over its syslog_log table on the
#               same file (lnav parses and indexes every line to answer).
#
# usage: bench/timeline/kinds.sh [N]   (default 1000000)
#   RUNS=N  hyperfine runs per command (default 3)
#   KEEP=1  keep bench/data/kinds afterwards
#   CASEFILE_BASE=path  also time that casefile binary (an earlier commit)
#           on both archives in the same run, for a before/after ratio
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
n=${1:-1000000}
bench_start kinds 3 hyperfine jq sqlite3 lnav python3

echo "== generating $n FHIR AuditEvents and $n sshd lines"
python3 "$here/gen.py" fhir "$n" fhir
python3 "$here/gen.py" sshd "$n" sshd
find fhir sshd -type f -exec touch -d 2026-03-31T12:00:00.5Z {} +
"$bin" -q key generate k >/dev/null
"$bin" -q collect -o fhir.tar.zst --key k.key --root fhir/root /var/log >/dev/null
"$bin" -q collect -o sshd.tar.zst --key k.key --root sshd/root /var/log >/dev/null
ls -l fhir.tar.zst sshd.tar.zst fhir/root/var/log/ehr/audit.ndjson sshd/root/var/log/auth.log

. "$here/events_sql.sh"
{ events_table; cat <<'SQL'
CREATE TABLE staging (ts_us INTEGER, source TEXT, actor TEXT, action TEXT, outcome TEXT,
 patient TEXT, resource TEXT, src_ip TEXT, member TEXT, line INTEGER);
SQL
} >schema.sql
{ cat <<'SQL'
INSERT INTO events (ts_us, source, actor, action, outcome, patient, resource, src_ip,
 archive, member, line)
 SELECT ts_us, source, actor, action, outcome, patient, resource, src_ip, 'bench', member,
 line FROM staging;
DROP TABLE staging;
SQL
events_indexes; } >index.sql
cat >jq.sh <<'SH'
jq -r '[(.recorded|sub("\\.[0-9]+Z$";"Z")|fromdateiso8601*1000000), "fhir-auditevent",
  (.agent[]|select(.requestor)|.who.identifier.value), .subtype[0].code,
  (if .outcome=="0" then "success" else "failure" end),
  (.entity[0].what.reference|split("/")[1]), .entity[0].what.reference,
  (.agent[0].network.address), "audit.ndjson", input_line_number]|@csv' "$1"
SH
cat >jq_pipeline.sh <<'SH'
set -e
rm -f jq.db && sqlite3 jq.db <schema.sql
bash jq.sh fhir/root/var/log/ehr/audit.ndjson | sqlite3 jq.db '.mode csv' '.import /dev/stdin staging'
sqlite3 jq.db <index.sql
SH
cat >import_csv.sh <<'SH'
set -e
rm -f imp.db && sqlite3 imp.db <schema.sql
sqlite3 imp.db '.mode csv' '.import events.csv staging'
sqlite3 imp.db <index.sql
SH
bash jq.sh fhir/root/var/log/ehr/audit.ndjson >events.csv
mkdir -p lnav-home
base=()
if [ -n "${CASEFILE_BASE:-}" ]; then
  base=(-n base-fhir "rm -f bf.db && $CASEFILE_BASE -q timeline build --db bf.db --trust k.pub fhir.tar.zst"
        -n base-sshd "rm -f bs.db && $CASEFILE_BASE -q timeline build --db bs.db --trust k.pub sshd.tar.zst")
fi
echo "== one hyperfine run: casefile, jq pipeline, sqlite3 .import, lnav ($runs runs each)"
hyperfine --runs "$runs" --export-json kinds.json "${base[@]}" \
  -n casefile-fhir "rm -f f.db && $bin -q timeline build --db f.db --trust k.pub fhir.tar.zst" \
  -n jq-pipeline-fhir "bash jq_pipeline.sh" \
  -n sqlite-import-fhir "bash import_csv.sh" \
  -n casefile-sshd "rm -f s.db && $bin -q timeline build --db s.db --trust k.pub sshd.tar.zst" \
  -n lnav-sshd "HOME=$data/lnav-home lnav -n -c ';SELECT count(*) FROM syslog_log' sshd/root/var/log/auth.log"
fe=$(sqlite3 f.db "select count(*) from events where source = 'fhir-auditevent'")
se=$(sqlite3 s.db "select count(*) from events where source = 'sshd'")
ln=$(HOME=$data/lnav-home lnav -n -c ';SELECT count(*) FROM syslog_log' sshd/root/var/log/auth.log | tail -1 | tr -d ' ')
echo "FHIR events stored: $fe; sshd events stored: $se; lnav syslog_log rows: $ln"
python3 - "$fe" "$se" "$ln" <<'PY'
import json, sys
fe, se, ln = (int(x) for x in sys.argv[1:4])
r = {x["command"]: x for x in json.load(open("kinds.json"))["results"]}
def med(k): return r[k]["median"]
def cpu(k): return r[k]["user"] + r[k]["system"]
for k in r:
    print(f"{k:20s} median {med(k):7.2f} s  CPU (user+sys, mean) {cpu(k):7.2f} s")
cf = med("casefile-fhir")
print(f"FHIR: casefile {fe / cf:10.0f} events/s (target >= 250000)")
print(f"FHIR: jq pipeline / casefile = {med('jq-pipeline-fhir') / cf:.2f} (target >= 3.5)")
print(f"FHIR: casefile speed / sqlite3 .import speed = {med('sqlite-import-fhir') / cf:.2f}")
if "base-fhir" in r:
    print(f"FHIR: base / casefile time = {med('base-fhir') / cf:.2f}; "
          f"sshd: base / casefile time = {med('base-sshd') / med('casefile-sshd'):.2f}")
cs, lv = med("casefile-sshd"), med("lnav-sshd")
print(f"sshd: casefile {se / cs:10.0f} lines/s, lnav {ln / lv:10.0f} lines/s, "
      f"casefile rate / lnav rate = {(se / cs) / (ln / lv):.2f} (target >= 0.5)")
PY
