# SPDX-License-Identifier: Apache-2.0
# A timeline store written before the patient facts had columns of their
# own (patients: id, state, has_contact 0/1, archive, member, line) still
# opens for reading: the scope counts the same patients, each "reachable"
# by has_contact with its kind, death and birth date unknown. Opened for
# writing, it gets the columns (reach, deceased, next_of_kin, birth_date)
# and stays readable. The old DDL is the one casefile wrote before.
source "$CLI_LIB"
F=$FIXTURES/timeline/counting
counting_archive
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  expect_status 0 casefile timeline build --db new.db --trust k.pub a.tar.zst

# The same rows in a store of the old schema.
sqlite3 old.db <<'SQL' || die "cannot write the old store"
PRAGMA application_id = 1128680497;
CREATE TABLE events (id INTEGER PRIMARY KEY, ts_us INTEGER NOT NULL, ts_desc TEXT,
 source TEXT NOT NULL, host TEXT, actor TEXT, actor_role TEXT, action TEXT,
 outcome TEXT, patient TEXT, resource TEXT, src_ip TEXT, model TEXT,
 model_version TEXT, decision TEXT, score REAL, message TEXT, attrs TEXT,
 archive TEXT NOT NULL, member TEXT NOT NULL, line INTEGER, "offset" INTEGER);
CREATE TABLE rejects (id INTEGER PRIMARY KEY, archive TEXT NOT NULL,
 member TEXT NOT NULL, line INTEGER, "offset" INTEGER, reason TEXT NOT NULL);
CREATE TABLE patients (id TEXT PRIMARY KEY, state TEXT,
 has_contact INTEGER NOT NULL, archive TEXT, member TEXT, line INTEGER);
CREATE TABLE archives (sha256sums TEXT PRIMARY KEY, path TEXT, signer TEXT,
 verified INTEGER NOT NULL, sequence INTEGER, host TEXT, built_at INTEGER);
ATTACH 'new.db' AS n;
INSERT INTO events SELECT * FROM n.events;
INSERT INTO rejects SELECT * FROM n.rejects;
INSERT INTO patients SELECT id, state, has_contact, archive, member, line FROM n.patients;
INSERT INTO archives SELECT * FROM n.archives;
SQL
[ "$(sqlite3 new.db 'SELECT max(has_contact) FROM patients')" = 1 ] || die "has_contact is not 0/1"

expect_status 0 casefile timeline scope --db new.db --incident "$F/incident.yaml" --json
cp out new.json
expect_status 0 casefile timeline scope --db old.db --incident "$F/incident.yaml" --json
cp out old.json
# who is counted does not depend on the facts; how they are reached does
jq -e --slurpfile n new.json '.affected == $n[0].affected and .by_state == $n[0].by_state
  and .patients == $n[0].patients' old.json >/dev/null ||
  die "old store counts differently: $(jq -c '[.affected, .by_state]' old.json)"
jq -e '.reach.minors.count == 0 and .reach.deceased.count == 0 and .reach.postal == 0
  and .reach.phone_only == 0 and .reach.no_patient_record == 2' old.json >/dev/null ||
  die "old store reach: $(jq -c .reach old.json)"
# the 9 patients on record: reachable by some contact of unknown kind, or not
jq -e '.reach.contact_kind_not_recorded + .reach.none == 9
  and .reach.written_notice == .reach.contact_kind_not_recorded' old.json >/dev/null ||
  die "old store kinds: $(jq -c .reach old.json)"

# Opened for writing (the archive is already in: nothing added), the old
# store gets the columns, empty, and reads as before.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  expect_status 0 casefile timeline build --db old.db --trust k.pub a.tar.zst
[ "$(sqlite3 old.db "SELECT count(*) FROM pragma_table_info('patients')
  WHERE name IN ('reach', 'deceased', 'next_of_kin', 'birth_date')")" = 4 ] ||
  die "columns not added: $(sqlite3 old.db 'PRAGMA table_info(patients)')"
expect_status 0 casefile timeline scope --db old.db --incident "$F/incident.yaml" --json
cmp -s <(jq -S . out) <(jq -S . old.json) || die "the upgraded store reads differently"
