# SPDX-License-Identifier: Apache-2.0
# The raw line behind an event (/api/event/ID/raw), read from the evidence
# archive only once it verified: served with --trust PUB, byte for byte the
# line of the collected file (sed -n Np); refused, with the reason and no
# bytes, without a trusted key, with a key that did not sign the archive,
# when the archive is not where the store says and not in the case, and
# when the file there is another archive; found in the case's evidence/
# when it moved there.
. "$CLI_LIB"
. "$CASE_DIR/store.bash"

get() { curl -sS -o body -w '%{http_code}' "$@"; }
# starts another server (args), sets B and T
start() {
  casefile view --db t.db --port 0 "$@" >v2.out 2>v2.err &
  V2=$!
  for _ in $(seq 100); do
    [ -s v2.out ] && break
    kill -0 "$V2" 2>/dev/null || { cat v2.err >&2; die "view $* exited"; }
    sleep 0.1
  done
  [[ $(head -n 1 v2.out) =~ ^(http://[^/]+)/\?token=([0-9a-f]{32})$ ]] || die "url: $(cat v2.out)"
  B=${BASH_REMATCH[1]} T=${BASH_REMATCH[2]}
}
stop() { kill "$V2"; wait "$V2" 2>/dev/null || true; rm -f v2.out; }
raw() { [ "$(get "$B/api/event/$1/raw?token=$T")" = 200 ] || die "raw $1: $(cat body)"; }
unavailable() { # why-pattern
  jq -e '.evidence.available == false and (has("raw") | not) and
         (.evidence | has("raw") | not)' body >/dev/null || die "bytes served: $(cat body)"
  jq -r .evidence.reason body | grep -Eq "$1" || die "reason: $(cat body)"
}

root=$(curl -sS "$BASE/api/events?token=$TOKEN&actor=root" | jq '.events[0].id')
# the server of store.bash has no trusted key: no bytes
B=$BASE T=$TOKEN
raw "$root"
unavailable 'no trusted key'
# the event itself comes with it
jq -e '.event.actor == "root"' body >/dev/null || die "event: $(cat body)"

# trusted: the line as collected, every event of the store checked
start --trust k.pub
raw "$root"
jq -e '.evidence.available and .evidence.truncated == false and .evidence.escaped == false and
       .evidence.archive_file == "a.tar.zst"' body >/dev/null || die "raw: $(cat body)"
[ "$(jq -r .evidence.raw body)" = "$(sed -n 8p src/auth.log)" ] || die "raw line: $(cat body)"
[ "$(jq -r .evidence.signer body)" = "$(casefile key fingerprint k.pub)" ] || die "signer"
mkdir x && tar --zstd -xf a.tar.zst -C x
for id in $(curl -sS "$B/api/events?token=$T&limit=1000" | jq '.events[].id'); do
  raw "$id"
  jq -e .evidence.available body >/dev/null || die "event $id: $(cat body)"
  want=$(sed -n "$(jq .evidence.line body)p" "x/$(jq -r .evidence.member body)" | tr -d '\r')
  [ "$(jq -r .evidence.raw body)" = "$want" ] || die "event $id: $(jq -r .evidence.raw body) vs $want"
done
[ "$(get "$B/api/event/999999/raw?token=$T")" = 404 ] || die "no such event"
[ "$(get "$B/api/event/1/rawx?token=$T")" = 400 ] || die "bad path"
stop

# a key that did not sign it: the archive does not verify, no bytes
casefile key generate other >/dev/null 2>&1 || die "key"
start --trust other.pub
raw "$root"
unavailable "does not verify"
stop

# the archive moved away: not there, and no case to look in
mv a.tar.zst moved.tar.zst
start --trust k.pub
raw "$root"
unavailable "'a.tar.zst' is not there"
stop
# another archive in its place: refused
casefile collect --quiet -o a.tar.zst --key k.key src/auth.log >/dev/null 2>&1 || die "collect"
start --trust k.pub
raw "$root"
unavailable "is another archive"
stop
rm a.tar.zst

# in a case, its evidence/ holds it: found and verified there, with the
# case's key trusted by default
casefile init --key k.key c >/dev/null 2>&1 || die "init"
cp moved.tar.zst c/evidence/a.tar.zst
start -C c
raw "$root"
jq -e '.evidence.available and .evidence.archive_file == "c/evidence/a.tar.zst"' body \
  >/dev/null || die "in the case: $(cat body)"
[ "$(jq -r .evidence.raw body)" = "$(sed -n 8p src/auth.log)" ] || die "raw line in case"
stop
