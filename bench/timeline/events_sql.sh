# SPDX-License-Identifier: Apache-2.0
#
# The SQL the sqlite3 baselines of bench/timeline/run.sh and kinds.sh share,
# sourced after bench/lib.sh: casefile's events table and its three indexes
# (the same columns and indexes `casefile timeline build` writes), so that
# a baseline loads its rows into the same shape casefile does. Each script
# adds its own staging table, whose columns are the CSV rows its jq program
# writes. If the events table of the product changes, change it here once.

# events_table: the CREATE TABLE of the events table, on stdout.
events_table() {
  cat <<'SQL'
CREATE TABLE events (id INTEGER PRIMARY KEY, ts_us INTEGER NOT NULL, ts_desc TEXT,
 source TEXT NOT NULL, host TEXT, actor TEXT, actor_role TEXT, action TEXT, outcome TEXT,
 patient TEXT, resource TEXT, src_ip TEXT, model TEXT, model_version TEXT, decision TEXT,
 score REAL, message TEXT, attrs TEXT, archive TEXT NOT NULL, member TEXT NOT NULL,
 line INTEGER, "offset" INTEGER);
SQL
}

# events_indexes: the indexes built once the rows are in, on stdout.
events_indexes() {
  cat <<'SQL'
PRAGMA threads=2;
CREATE INDEX events_patient ON events(patient, ts_us);
CREATE INDEX events_actor ON events(actor, ts_us);
CREATE INDEX events_time ON events(ts_us);
SQL
}
