# SPDX-License-Identifier: Apache-2.0
#
# docs/fleet/collect-ssh.sh against real OpenSSH servers on loopback
# (tests/fleet/harness.sh): three hosts collect with one-use keys, their
# archives come back over scp, are verified against their host keys and
# added to the case with custody entries, and one timeline is built from
# all of them. Four hosts fail, each reported by name and adding nothing
# while the others complete: one unreachable, one whose collection fails
# (its collection root does not exist), one whose casefile signs with
# another key, one whose archive is altered on the way back.
source "$CLI_LIB"
source "$CASE_DIR/../../fleet/harness.sh"
script=$CASE_DIR/../../../docs/fleet/collect-ssh.sh

fleet_start ehr-app01 ehr-app02 infer01 broken forged mitm
fleet_unreachable gone
for h in ehr-app01 ehr-app02 infer01 forged mitm; do fleet_tree "$h"; done
fleet_forged forged
# Copies from host mitm go through the altering scp.
cat > "$FLEET/scp" <<SH
#!/usr/bin/env bash
for a; do case \$a in mitm:*|*@mitm:*) exec "$FLEET/mitm-scp" -q -F "$FLEET/ssh_config" "\$@" ;; esac; done
exec scp -q -F "$FLEET/ssh_config" "\$@"
SH
chmod +x "$FLEET/scp"
mkdir -p "$FLEET/remote"
export SSH="$FLEET_SSH" SCP="$FLEET/scp" REMOTE_TMP="$FLEET/remote"

expect_status 0 casefile key generate examiner
expect_status 0 casefile init case --key examiner.key --examiner responder
{
  echo "# the fleet of the test: DEST ROOT"
  for h in ehr-app01 ehr-app02 infer01 gone broken forged mitm; do
    echo "root@$h $FLEET/hosts/$h/root"
  done
} > hosts.txt
sed -i "s|hosts/broken/root|hosts/broken/no-such-folder|" hosts.txt

expect_status 1 bash "$script" case hosts.txt linux-ehr-ai-host
for h in ehr-app01 ehr-app02 infer01; do expect_grep "^$h: added " err; done
for h in gone broken forged mitm; do expect_grep "^$h: FAILED \(nothing added\)" err; done
expect_grep '^4 host\(s\) failed' err
# verify says why on stdout: the wrong signer, the altered bytes.
expect_grep '^FAIL case/incoming/forged-.*not a trusted key' out
expect_grep '^FAIL case/incoming/mitm-' out

# Exactly the three good archives, each with its add entry.
ls case/evidence > evidence.txt
[ "$(wc -l < evidence.txt)" -eq 3 ] || { cat evidence.txt; die "expected three archives"; }
for h in ehr-app01 ehr-app02 infer01; do
  grep -q "^$h-[0-9]\{8\}T.*Z\.tar\.zst$" evidence.txt || die "no archive of $h"
  [ "$(jq -r 'select(.action == "add") | .file.name' case/custody.jsonl | grep -c "^$h-")" -eq 1 ] ||
    die "no single add entry for $h"
done
[ "$(grep -c '"action":"add"' case/custody.jsonl)" -eq 3 ] || die "three add entries expected"
expect_status 0 casefile verify --custody case --trust examiner.pub
# The one-use private keys are gone, here and on the hosts.
[ -z "$(find case -name '*.key')" ] || die "a host's private key was kept"
[ -z "$(find "$FLEET/remote" -name host.key)" ] || die "a key was left on a host"
# What failed really was what it says: the forged archive was collected and
# signed (by the wrong key), the altered one differs from the host's copy.
[ -n "$(find case/incoming -name 'forged-*.tar.zst')" ] || die "the forged archive did not come back"
[ -n "$(find case/incoming -name 'mitm-*.tar.zst')" ] || die "the altered archive did not come back"
expect_status 1 casefile verify --trust "$(ls case/host-keys/forged-*.pub)" case/incoming/forged-*.tar.zst
expect_status 0 casefile verify --trust "$FLEET/hosts/forged/other.pub" case/incoming/forged-*.tar.zst
expect_status 1 casefile verify --trust "$(ls case/host-keys/mitm-*.pub)" case/incoming/mitm-*.tar.zst

# One timeline from every archive of the case, against the host keys.
trust=()
for k in case/host-keys/*.pub; do trust+=(--trust "$k"); done
expect_status 0 casefile timeline build --db case/timeline.db "${trust[@]}" case/evidence/*.tar.zst
casefile timeline query --db case/timeline.db --format jsonl > events.jsonl || die "query"
for h in ehr-app01 ehr-app02 infer01; do
  [ "$(jq -r "select(.actor == \"$h-admin\") | .host" events.jsonl)" = "$h" ] ||
    die "the timeline lacks $h's login"
done
[ "$(jq -r 'select(.action == "login") | .actor' events.jsonl | sort -u | wc -l)" -eq 3 ] ||
  die "logins of hosts that failed reached the timeline"
[ "$(jq -r .archive events.jsonl | sort -u | wc -l)" -eq 3 ] || die "events of three archives expected"
# Building again adds nothing.
n=$(sqlite3 case/timeline.db 'SELECT count(*) FROM events')
expect_status 0 casefile timeline build --db case/timeline.db "${trust[@]}" case/evidence/*.tar.zst
[ "$(sqlite3 case/timeline.db 'SELECT count(*) FROM events')" -eq "$n" ] || die "a rebuild added events"

hosts_ok="ehr-app01 ehr-app02 infer01"
# The same timeline in ClickHouse when CI runs its cluster.
if [ -n "${CASEFILE_CLICKHOUSE_SHARDS:-}" ]; then
  ch="clickhouse://${CASEFILE_CLICKHOUSE_SHARDS%%,*}/cf_fleet_$$_$RANDOM?cluster=casefile2&shards=$CASEFILE_CLICKHOUSE_SHARDS"
  expect_status 0 casefile timeline build --db "$ch" "${trust[@]}" case/evidence/*.tar.zst
  casefile timeline query --db "$ch" --format jsonl > ch.jsonl || die "clickhouse query"
  # The same events (archives were built in another order: ties differ).
  cmp -s <(sort events.jsonl) <(sort ch.jsonl) || die "the ClickHouse timeline differs from SQLite's"
  [ "$(jq -r 'select(.action == "login") | .host' ch.jsonl | sort | tr '\n' ' ')" = "$hosts_ok " ] ||
    die "ClickHouse lacks a host's login"
fi
