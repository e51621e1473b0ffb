# SPDX-License-Identifier: Apache-2.0
# `casefile view` inside a case (the case around the current folder, or
# -C DIR) appends one custody entry, "view", signed with the case's key,
# whose note names the store and the address but never the token; the
# log still verifies, and nothing else of the case or the store changes.
# Outside a case nothing is written; --key without a case is a usage
# error, and a case that cannot be opened serves nothing.
. "$CLI_LIB"
casefile key generate k >/dev/null 2>&1 || die "key"
mkdir src
cp "$FIXTURES"/view/auth.log src/
casefile collect --quiet -o a.tar.zst --key k.key src >/dev/null 2>&1 || die "collect"
casefile timeline build --db t.db --trust k.pub a.tar.zst >/dev/null 2>&1 || die "build"
casefile init --key k.key c >/dev/null 2>&1 || die "init"

# runs view (args) until it printed its URL, then stops it
serve() {
  casefile view --db "$DB" --port 0 "$@" >view.out 2>view.err &
  local pid=$!
  for _ in $(seq 100); do
    [ -s view.out ] && break
    kill -0 "$pid" 2>/dev/null || { cat view.err >&2; die "view $* exited"; }
    sleep 0.1
  done
  URL=$(head -n 1 view.out)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -f view.out
}
# every file but this test's own
snap() { find . -path ./c/sub -prune -o -type f ! -name view.err ! -name before \
           ! -name after ! -name out ! -name err ! -name entry -print0 |
         sort -z | xargs -0 sha256sum; }

# outside a case: nothing written
DB=t.db
snap >before
serve
snap >after
cmp -s before after || { diff before after >&2; die "view outside a case wrote"; }

# -C DIR: one entry, signed, no token in it; nothing else changes
serve -C c
token=${URL##*token=}
[ "$(wc -l <c/custody.jsonl)" = 2 ] || die "entries: $(cat c/custody.jsonl)"
tail -n 1 c/custody.jsonl >entry
jq -e '.action == "view" and .seq == 2 and (.note | test("t\\.db served read-only on http://127\\.0\\.0\\.1:[0-9]+/$"))' \
  entry >/dev/null || die "entry: $(cat entry)"
grep -q "$token" c/custody.jsonl && die "the token reached the custody log"
casefile verify --trust k.pub --custody c >out 2>err || { cat out err; die "custody does not verify"; }
snap | grep -v 'c/custody.jsonl$' >after
grep -v 'c/custody.jsonl$' before | cmp -s - after || { diff before after >&2; die "view wrote more"; }

# the case around the current folder: another entry
mkdir c/sub
(cd c/sub && DB=../../t.db && serve) || die "in the case"
[ "$(wc -l <c/custody.jsonl)" = 3 ] || die "entries: $(cat c/custody.jsonl)"
[ "$(tail -n 1 c/custody.jsonl | jq -r .action)" = view ] || die "entry 3"
casefile verify --trust k.pub --custody c >out 2>err || die "custody does not verify"

# --key without a case; a case that is not one
expect_status 2 casefile view --db t.db --port 0 --key k.key
expect_grep 'needs a case' err
expect_status 3 casefile view --db t.db --port 0 -C nowhere
[ ! -s out ] || die "a URL for a case that is not there: $(cat out)"
