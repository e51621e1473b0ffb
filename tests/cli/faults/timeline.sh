# SPDX-License-Identifier: Apache-2.0
# timeline build under every injected allocation, write and fsync failure,
# SQLite's own included (sweep.bash). Into a new store, a fault ends in exit
# 3 with no store left, neither the file nor its .partial; into an existing
# store, with the store reading as it did before. A fault that is absorbed
# gives exactly the events of a build without faults, and a text index
# that FTS5's integrity-check finds whole (a new store's is built on a
# second connection, src/db_sqlite_textbuild.c: a failure there must not
# leave it short of messages).
. "$CLI_LIB"; . "$CASE_DIR/sweep.bash"
F=$FIXTURES/timeline
cp -r "$F/made/root" root
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
openssl pkey -in k.pem -pubout -out k.pub
bash "$F/make-archive.sh" a.tar.zst k.pem root var/log/auth.log:auth-log \
  var/lib/inference/decisions.jsonl:model-decision >/dev/null || die "make-archive"
casefile key generate c >/dev/null 2>&1 || die "key"
mkdir src
printf 'Mar  3 10:00:0%d ehr sshd[7]: Accepted publickey for u%d from 10.0.0.%d port 22 ssh2\n' \
  1 1 1 2 2 2 >src/auth.log
casefile collect --quiet -o b.tar.zst --key c.key src >/dev/null 2>&1 || die "collect"
events() { casefile timeline query --db "$1" --format jsonl 2>/dev/null; }

casefile timeline build --db ref.db --trust k.pub a.tar.zst >/dev/null 2>&1 || die "reference build"
events ref.db >new.ref || die "reference query"
[ -s new.ref ] || die "no events in the reference"
cp ref.db base.db
casefile timeline build --db ref.db --trust k.pub --trust c.pub b.tar.zst >/dev/null 2>&1 ||
  die "reference build of the second archive"
events ref.db >both.ref || die "reference query"
cmp -s new.ref both.ref && die "the second archive added nothing"

# 1. a new store
sweep_prepare() { rm -f t.db t.db.partial t.db-wal t.db-shm t.db-journal t.db.partial-journal; }
text_whole() {
  sqlite3 "$1" "insert into events_text(events_text, rank) values('integrity-check', 1)"
}
sweep_ok() {
  events t.db >got || die "$1: the store cannot be read"
  cmp -s got new.ref || die "$1: other events than without the fault"
  text_whole t.db || die "$1: the text index does not match the events"
}
sweep_failed() {
  [ ! -e t.db ] || die "$1: exit 3 but t.db exists"
  [ -z "$(ls | grep '^t\.db')" ] || { ls >&2; die "$1: files of the failed store left behind"; }
}
sweep casefile timeline build --db t.db --trust k.pub a.tar.zst

# 2. the second archive into an existing store
sweep_prepare() { rm -f t.db-wal t.db-shm t.db-journal; cp base.db t.db; }
sweep_ok() {
  events t.db >got || die "$1: the store cannot be read"
  cmp -s got both.ref || die "$1: other events than without the fault"
  text_whole t.db || die "$1: the text index does not match the events"
}
sweep_failed() {
  events t.db >got || die "$1: the store no longer reads after a failed build"
  cmp -s got new.ref || die "$1: the store changed although the build failed"
}
sweep casefile timeline build --db t.db --trust k.pub --trust c.pub b.tar.zst
