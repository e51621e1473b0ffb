# SPDX-License-Identifier: Apache-2.0
#
# docs/fleet/collect.yml run by ansible-playbook (ansible-core's builtin
# modules only) against real OpenSSH servers on loopback
# (tests/fleet/harness.sh), three hosts in parallel (--forks 7): each
# collects under its own root with a one-use key, the archives are fetched,
# verified against their host keys and added with custody entries, and one
# timeline is built from all of them. Four hosts fail, each reported by
# name in the recap and adding nothing while the others complete: one
# unreachable, one without casefile, one whose casefile signs with another
# key, one whose archive is altered on the way back (its scp flips a byte).
# Running the playbook again adds nothing twice; once the broken host is
# repaired, a rerun collects that host only.
source "$CLI_LIB"
source "$CASE_DIR/../../fleet/harness.sh"
fleet_ansible_env
playbook=$CASE_DIR/../../../docs/fleet/collect.yml

good="ehr-app01 ehr-app02 infer01"
fleet_start $good broken forged mitm
fleet_unreachable gone
for h in $good broken forged mitm; do fleet_tree "$h"; done
fleet_forged forged
rm "$FLEET/hosts/broken/bin/casefile"
fleet_inventory inventory $good gone broken forged mitm
sed -i "s|^mitm .*|& ansible_ssh_transfer_method=scp ansible_scp_executable=$FLEET/mitm-scp|" inventory
mkdir -p "$FLEET/remote"

expect_status 0 casefile key generate examiner
expect_status 0 casefile init case --key examiner.key --examiner responder
run_playbook() {
  # Ansible needs a UTF-8 locale (run.sh sets LC_ALL=C).
  LC_ALL=C.UTF-8 ansible-playbook -i inventory --forks 7 "$playbook" \
    -e case_dir="$PWD/case" -e profile=linux-ehr-ai-host -e scratch="$FLEET/remote" "$@" \
    >play.out 2>&1
}

# recap HOST FIELD: the recap's count FIELD (ok, failed, unreachable...).
recap() { sed -n "s/^$1 *:.* $2=\([0-9]*\).*/\1/p" play.out; }

run_playbook && { cat play.out; die "the playbook succeeded with failing hosts"; }
for h in $good; do
  [ "$(recap "$h" failed)" = 0 ] && [ "$(recap "$h" unreachable)" = 0 ] || { cat play.out; die "$h failed"; }
done
[ "$(recap gone unreachable)" = 1 ] || { cat play.out; die "gone not reported unreachable"; }
for h in broken forged mitm; do
  [ "$(recap "$h" failed)" = 1 ] || { cat play.out; die "$h not reported failed"; }
done
# Each failure is the one expected, and names its host.
grep -q '^fatal: \[gone\]: UNREACHABLE' play.out || { cat play.out; die "no unreachable report for gone"; }
grep -q '^fatal: \[broken\]: FAILED.*No such file' play.out || { cat play.out; die "no collection failure for broken"; }
grep -q '^fatal: \[forged -> localhost\]: FAILED.*not a trusted key' play.out ||
  { cat play.out; die "no signature failure for forged"; }
grep -q '^fatal: \[mitm\]: FAILED.*checksum mismatch' play.out ||
  { cat play.out; die "no transfer failure for mitm"; }

ls case/evidence > evidence.txt
[ "$(wc -l < evidence.txt)" -eq 3 ] || { cat evidence.txt; die "expected three archives"; }
for h in $good; do
  [ "$(jq -r 'select(.action == "add") | .file.name' case/custody.jsonl | grep -c "^$h-")" -eq 1 ] ||
    die "no single add entry for $h"
done
[ "$(grep -c '"action":"add"' case/custody.jsonl)" -eq 3 ] || die "three add entries expected"
expect_status 0 casefile verify --custody case --trust examiner.pub
[ -z "$(find case -name '*.key')" ] || die "a host's private key was kept"
[ -z "$(find "$FLEET/remote" -name host.key)" ] || die "a key was left on a host"
[ -z "$(ls "$FLEET/remote")" ] || die "a scratch folder was left on a host"

# One timeline from every archive of the case.
trust=()
for k in case/host-keys/*.pub; do trust+=(--trust "$k"); done
expect_status 0 casefile timeline build --db case/timeline.db "${trust[@]}" case/evidence/*.tar.zst
casefile timeline query --db case/timeline.db --format jsonl > events.jsonl || die "query"
for h in $good; do
  [ "$(jq -r "select(.actor == \"$h-admin\") | .host" events.jsonl)" = "$h" ] ||
    die "the timeline lacks $h's login"
done
[ "$(jq -r 'select(.action == "login") | .actor' events.jsonl | sort -u | wc -l)" -eq 3 ] ||
  die "logins of hosts that failed reached the timeline"

# Running again: the collected hosts are skipped, nothing is added twice.
lines=$(wc -l < case/custody.jsonl)
run_playbook -l "$(echo $good | tr ' ' ,)" || { cat play.out; die "the rerun failed"; }
[ "$(ls case/evidence | wc -l)" -eq 3 ] || die "the rerun added an archive"
[ "$(wc -l < case/custody.jsonl)" -eq "$lines" ] || die "the rerun wrote custody entries"

# The broken host repaired, a rerun over it and the collected hosts
# collects it only.
ln -s "$CASEFILE_BIN" "$FLEET/hosts/broken/bin/casefile"
run_playbook -l "broken,$(echo $good | tr ' ' ,)" || { cat play.out; die "the repaired host failed"; }
ls case/evidence > evidence.txt
[ "$(wc -l < evidence.txt)" -eq 4 ] && grep -q '^broken-' evidence.txt || { cat evidence.txt; die "broken not added once"; }
[ "$(grep -c '"action":"add"' case/custody.jsonl)" -eq 4 ] || die "four add entries expected"
expect_status 0 casefile verify --custody case --trust examiner.pub
trust=()
for k in case/host-keys/*.pub; do trust+=(--trust "$k"); done
expect_status 0 casefile timeline build --db case/timeline.db "${trust[@]}" case/evidence/*.tar.zst
casefile timeline query --db case/timeline.db --format jsonl > events.jsonl || die "query"
[ "$(jq -r 'select(.action == "login") | .actor' events.jsonl | sort | tr '\n' ' ')" = \
  "broken-admin ehr-app01-admin ehr-app02-admin infer01-admin " ] || die "timeline after the rerun"

hosts_ok="broken ehr-app01 ehr-app02 infer01"
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
