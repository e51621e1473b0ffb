# SPDX-License-Identifier: Apache-2.0
# `playbook run` never runs a step unseen: without --yes it refuses a
# standard input that is not a terminal (exit 2); on a terminal it shows
# the step and its exact command and a "no" leaves it not run; with --yes
# (or a "yes") it runs and its output is shown. A run step whose --db URL
# names a ClickHouse host that is neither loopback nor in the case's
# clickhouse_hosts is refused before anything runs.
. "$CLI_LIB"
. "$CASE_DIR/case-setup.inc"
cp keys/examiner.pub case/keys/e.pub
cat >one.yaml <<'Y'
id: cli-confirm
title: One run step
roles: [forensic-examiner]
steps:
  - id: fp
    kind: run
    title: Fingerprint the examiner key
    owner: forensic-examiner
    run: [key, fingerprint, keys/e.pub]
Y
ran() { grep -c 'step=fp visit=1 attempt=[0-9]* kind=run status=done' case/custody.jsonl; }

# not a terminal, no --yes: refused, nothing run
expect_status 2 casefile playbook run -C case --incident case/incident.yaml one.yaml </dev/null
expect_grep 'pass --yes' err
[ "$(ran)" = 0 ] || die "a step ran without confirmation"
expect_status 2 casefile playbook run -C case --incident case/incident.yaml --non-interactive one.yaml </dev/null
expect_grep 'pass --yes' err

# on a terminal: shown with its command, "n" leaves it not run
printf 'n\n' | script -qec "casefile playbook run -C case --incident case/incident.yaml one.yaml" /dev/null >tty.out 2>&1
grep -q 'step fp: Fingerprint the examiner key' tty.out || { cat tty.out >&2; die "step not shown"; }
grep -q 'casefile key fingerprint keys/e.pub' tty.out || { cat tty.out >&2; die "command not shown"; }
grep -q 'Run it?' tty.out || die "not asked"
grep -q 'waiting for fp' tty.out || { cat tty.out >&2; die "run did not stop at fp"; }
[ "$(ran)" = 0 ] || die "the step ran after 'n'"
[ ! -e case/playbooks/cli-confirm/fp.out ] || die "the command was started after 'n'"

# "y": it runs, and what it printed is shown
printf 'y\n' | script -qec "casefile playbook run -C case one.yaml" /dev/null >tty.out 2>&1
grep -q -- '--- fp output ---' tty.out || { cat tty.out >&2; die "output not shown"; }
grep -q 'SHA256:' tty.out || { cat tty.out >&2; die "fingerprint not shown"; }
[ "$(ran)" = 1 ] || die "the step did not run after 'y'"
custody_ok

# --db to a host the case does not name: refused before anything runs
rm -rf case/playbooks
for url in clickhouse://evil.example:9000/x --db=clickhouse://evil.example:9000/x \
    'clickhouse://127.0.0.1:8123/x?cluster=c&shards=127.0.0.1:8123,evil.example:8123'; do
  cat >db.yaml <<Y
id: cli-db
title: A step reaching a database
roles: [forensic-examiner]
steps:
  - id: scope
    kind: run
    title: Scope on ClickHouse
    owner: forensic-examiner
    run: [timeline, scope, --db, "$url", --incident, incident.yaml]
Y
  expect_status 3 casefile playbook run --yes -C case --incident case/incident.yaml db.yaml
  expect_grep "step 'scope': .*names the database host 'evil.example', which is neither loopback nor listed" err
  [ ! -e case/playbooks/cli-db/scope.out ] || die "the command was started"
  rm -rf case/playbooks
done
# loopback passes the check (the server is not there: the step itself fails)
sed -i 's|"clickhouse://[^"]*"|"clickhouse://127.0.0.1:1/x"|' db.yaml
expect_status 3 casefile playbook run --yes -C case --incident case/incident.yaml db.yaml
grep -q 'neither loopback' err && die "loopback refused"
expect_grep "step 'scope' failed" err
true
