# SPDX-License-Identifier: Apache-2.0
# A timeline build killed with SIGKILL at a random moment, 15 times, into a
# new database and into one that already holds an archive, with -j 1 and
# -j 2: afterwards the database is absent (a new one), or the one from
# before, or the whole build; timeline query, timeline scope and report
# breach read it and agree with one of those, never with half a build. A
# stale partial file or WAL left by a kill does not stop the next build, and
# re-running gives exactly the answers of a build never interrupted.
. "$CLI_LIB"
export TMPDIR=$PWD/tmp # the MLflow snapshot copy of a killed build lands here
mkdir tmp
casefile demo gen --generate-only --scenario faulty-model-version --seed 5 >/dev/null ||
  die "demo gen"
casefile key generate k >/dev/null 2>&1 || die "key"
# Three archives: patients, the MLflow lineage, then model decisions, joined
# to the lineage once all are in. The last takes longest, so that many kills
# fall after an archive was added and before the build was finished.
H=gen/host
casefile collect --quiet -o a1.tar.zst --key k.key --root $H /var/lib/ehr \
  /var/log/ehr/audit-2026-03-0{1..7}.ndjson || die "collect a1"
casefile collect --quiet -o a2.tar.zst --key k.key --root $H /var/log/syslog \
  /var/log/syslog.1 /srv/mlflow/mlflow.db || die "collect a2"
casefile collect --quiet -o a3.tar.zst --key k.key --root $H /var/log/nginx/access.log \
  /var/log/inference /var/log/auth.log || die "collect a3"
ARCHIVES="a1.tar.zst a2.tar.zst a3.tar.zst"

# answers DB WHEN: one digest of what the three readers say about DB; dies
# when any of them refuses it.
answers() {
  local q=0 s=0 r=0
  rm -rf rep
  casefile timeline query --db "$1" --format csv >q.csv 2>q.err || q=$?
  casefile timeline scope --db "$1" --incident gen/incident.yaml --json >s.json 2>s.err || s=$?
  casefile report breach --db "$1" --incident gen/incident.yaml -o rep --format json \
    >/dev/null 2>r.err || r=$?
  [ "$q$s$r" = 000 ] || { cat q.err s.err r.err >&2; die "$1: refused ($q $s $r): $2"; }
  { cat q.csv s.json; jq -S 'del(.generated_at)' rep/report.json; } | sha256sum | cut -c1-64
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

casefile timeline build --quiet --db prev.db --trust k.pub a1.tar.zst || die "build prev"
prev=$(answers prev.db "previous") || exit 1
t0=$(now_ms)
casefile timeline build --quiet --db ref.db --trust k.pub $ARCHIVES || die "build ref"
span=$(($(now_ms) - t0 + 200))
ref=$(answers ref.db "reference") || exit 1
[ "$prev" != "$ref" ] || die "the build adds nothing: the test would prove nothing"
[ "$(grep -c '"model_run"' q.csv)" -gt 1000 ] || die "decisions not joined to the lineage"

# kill_build DB JOBS: starts a build of the three archives into DB and kills
# it with SIGKILL after a random time within the length of a whole build.
kill_build() {
  local ms=$((RANDOM * 32768 + RANDOM)) pid
  ms=$((ms % span))
  casefile timeline build --quiet -j "$2" --db "$1" --trust k.pub $ARCHIVES >/dev/null 2>&1 &
  pid=$!
  sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
}

# A new database: absent, or the whole build. The partial file a kill leaves
# stays for the next round to replace.
cut=0
for round in $(seq 1 6); do
  kill_build new.db $((round % 2 + 1))
  [ -e new.db ] || { cut=$((cut + 1)); continue; }
  [ "$(answers new.db "round $round")" = "$ref" ] || die "round $round: new.db is not the whole build"
  [ ! -e new.db.partial ] || die "round $round: partial file beside the finished database"
  rm new.db
done
# An existing database: the one from before, or the whole build. What a kill
# leaves (WAL, shared memory) stays for the next round.
cp prev.db old.db
for round in $(seq 7 15); do
  kill_build old.db $((round % 2 + 1))
  got=$(answers old.db "round $round") || exit 1
  if [ "$got" = "$ref" ]; then
    rm -f old.db-wal old.db-shm
    cp prev.db old.db
  elif [ "$got" = "$prev" ]; then
    cut=$((cut + 1))
  else
    die "round $round: old.db is neither the previous database nor the whole build"
  fi
done
[ $cut -gt 0 ] || die "every build finished before its kill: nothing was tested"

# Re-running finishes the job, whatever the kills left.
: >>new.db.partial
casefile timeline build --quiet -j 2 --db new.db --trust k.pub $ARCHIVES || die "re-run into new.db"
[ "$(answers new.db "re-run")" = "$ref" ] || die "re-run into new.db differs from an uninterrupted build"
casefile timeline build --quiet --db old.db --trust k.pub $ARCHIVES || die "re-run into old.db"
[ "$(answers old.db "re-run")" = "$ref" ] || die "re-run into old.db differs from an uninterrupted build"
# (-wal and -shm beside a WAL database are SQLite's own, readers make them)
left=$(ls | grep -E '\.partial$|-journal$') && die "left behind: $left"
exit 0
