# docs/fleet/collect-ssh.sh gathers archives from several hosts into one
# case. Here ssh and scp are stand-ins that run on this machine, each "host"
# being a folder collected with --root, so the loop's logic (one-use keys,
# shredding, verify, add, custody) is exercised without a network.
source "$CLI_LIB"
script=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../docs/fleet" && pwd)/collect-ssh.sh
mkdir -p fake hosts
cat > fake/ssh <<'SH'
#!/usr/bin/env bash
# ssh [opts] DEST CMD: run CMD here, with casefile collect rooted at the
# host's folder.
while [ "${1#-}" != "$1" ]; do shift; [ "$1" = BatchMode=yes ] && shift; done
dest=$1; shift
host=${dest#*@}
cmd=${*//casefile collect/casefile collect --root $HOSTS\/$host}
bash -c "$cmd"
SH
cat > fake/scp <<'SH'
#!/usr/bin/env bash
while [ "${1#-}" != "$1" ]; do shift; [ "$1" = BatchMode=yes ] && shift; done
cp "${1#*:}" "${2#*:}"
SH
chmod +x fake/ssh fake/scp
export HOSTS=$PWD/hosts REMOTE_TMP=$PWD/remote SSH=$PWD/fake/ssh SCP=$PWD/fake/scp
mkdir -p remote
for h in ehr-app01 infer01; do
  mkdir -p hosts/$h/var/log
  printf 'Mar  1 10:00:00 %s sshd[1]: Accepted password for alice from 203.0.113.7 port 22 ssh2\n' $h > hosts/$h/var/log/auth.log
done
printf '# responders\nroot@ehr-app01\nroot@infer01\n' > hosts.txt
expect_status 0 casefile key generate examiner
expect_status 0 casefile init case --key examiner.key --examiner responder
expect_status 0 bash "$script" case hosts.txt
[ "$(ls case/evidence/ | wc -l)" -eq 2 ] || die "expected two archives in the case"
ls case/host-keys/*.key 2>/dev/null && die "a host's private key was kept"
[ -z "$(find remote -name host.key)" ] || die "a key was left on a host"
expect_status 0 casefile verify --custody case --trust examiner.pub
[ "$(grep -c '"action":"add"' case/custody.jsonl)" -eq 2 ] || die "two add entries expected"
# An unreachable host is reported and makes the loop fail, the others land.
printf 'root@ehr-app01\nroot@gone\n' > hosts2.txt
expect_status 1 bash "$script" case hosts2.txt
expect_grep 'gone: FAILED' err
[ "$(ls case/evidence/ | wc -l)" -eq 3 ] || die "the reachable host's archive was not added"
