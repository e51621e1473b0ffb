# SPDX-License-Identifier: Apache-2.0
# init --clickhouse-host names, in case.json (bound to custody entry 1), the
# ClickHouse hosts besides loopback that the case's playbook runs may send a
# --db URL to: a named host is asked about like any step, another is
# refused before anything runs.
. "$CLI_LIB"
casefile key generate k >/dev/null 2>&1 || die "key"
expect_status 2 casefile init --key k.key --clickhouse-host '' c0
casefile init --key k.key --clickhouse-host db1.invalid --clickhouse-host db2.invalid c \
  >/dev/null || die "init"
jq -e '.clickhouse_hosts == ["db1.invalid", "db2.invalid"]' c/case.json >/dev/null ||
  die "hosts not in case.json"
casefile verify --custody c --trust k.pub >/dev/null || die "custody does not verify"
step() {
  cat >d.yaml <<Y
id: cli-db
title: A step reaching a database
roles: [forensic-examiner]
steps:
  - id: scope
    kind: run
    title: Scope on ClickHouse
    owner: forensic-examiner
    run: [timeline, scope, --db, "clickhouse://$1:1/x", --incident, incident.yaml]
Y
  rm -rf c/playbooks
  printf 'n\n' | script -qec "casefile playbook run -C c --discovered 2026-03-04T09:30:00Z d.yaml; echo rc=\$?" \
    /dev/null >o.txt 2>&1
}
step db2.invalid
grep -q 'Run it?' o.txt || { cat o.txt >&2; die "a named host was not offered"; }
grep -q 'neither loopback' o.txt && die "a named host was refused"
grep -q 'rc=0' o.txt || { cat o.txt >&2; die "answering no failed"; }
step evil.invalid
grep -q "names the database host 'evil.invalid', which is neither loopback nor listed" o.txt ||
  { cat o.txt >&2; die "an unnamed host was not refused"; }
grep -q 'rc=3' o.txt || die "status"
