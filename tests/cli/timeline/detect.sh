# SPDX-License-Identifier: Apache-2.0
# `timeline detect` end to end on real third-party logs: loghub's OpenSSH
# sample as auth.log, plaso's and Elastic's auditd samples as audit.log,
# Elastic's CloudTrail console logins; collected, built, then run through
# SigmaHQ's own rules (tests/fixtures/sigma) and two sshd rules written
# here. Every expected count is read off the fixtures with grep, not off
# casefile; then the --json shape, and --store's findings table.
source "$CLI_LIB"
F=$FIXTURES/timeline
S=$FIXTURES/sigma/rules
mkdir -p root/var/log/audit root/var/log/cloudtrail
cp "$F/loghub/OpenSSH_2k.log" root/var/log/auth.log
cat "$F/plaso/audit_enriched.log" "$F/auditd/beats-execve.log" > root/var/log/audit/audit.log
cp "$F/cloudtrail/test-console-login-json.log" root/var/log/cloudtrail/console.json
expect_status 0 casefile key generate k
expect_status 0 casefile collect -o a.tar.zst --key k.key --root root /var/log
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst

# two sshd rules (linux/sshd: lines casefile interprets included)
cat > sshd.yml <<'YML'
title: sshd failed password
id: t-sshd-failed
logsource:
    product: linux
    service: sshd
detection:
    keywords:
        - 'Failed password for'
    condition: keywords
level: medium
---
title: sshd accepted password
id: t-sshd-accepted
logsource:
    product: linux
    service: sshd
detection:
    selection:
        message|startswith: 'Accepted password for'
    condition: selection
level: high
YML
A=root/var/log/audit/audit.log
expect_status 0 casefile timeline detect --db t.db --json --rules sshd.yml \
  --rules "$S/cloud/aws/cloudtrail/aws_cloudtrail_console_login_failed_authentication.yml" \
  --rules "$S/linux/auditd/execve/lnx_auditd_user_discovery.yml" \
  --rules "$S/linux/auditd/lnx_auditd_system_info_discovery.yml" \
  --rules "$S/linux/auditd/syscall/lnx_auditd_create_account.yml"
cp out d.json
count() { jq -r --arg id "$1" '[.findings[] | select(.rule_id == $id) | .count] | add // 0' d.json; }
want() { [ "$(count "$1")" = "$2" ] || die "$1: $(count "$1") finding events, grep counts $2"; }
# keywords match anywhere in the message ("message repeated 5 times: [ Failed..." too)
want t-sshd-failed "$(grep -c 'sshd\[[0-9]*\]: .*Failed password for' root/var/log/auth.log)"
want t-sshd-accepted "$(grep -c 'sshd\[[0-9]*\]: Accepted password for' root/var/log/auth.log)"
want 6393e346-1977-46ef-8987-ad414a145fad \
  "$(grep -c '"eventName":"ConsoleLogin".*"errorMessage":"Failed authentication"' root/var/log/cloudtrail/console.json)"
# auditd: one event per serial; EXECVE a0 (hex-encoded ones decoded) and
# the PATH names
want 9a0d8ca0-2385-4020-b6c6-cb6153ca56f3 \
  "$(grep -E '^type=EXECVE .* a0="(hostname|id|last|uname|users|w|who|whoami)"( |$)' $A | grep -o 'audit([0-9.:]*)' | sort -u | wc -l)"
sysinfo=$( { grep -E '^type=EXECVE .* a0="(uname|uptime|lsmod|hostname|env)"( |$)' $A
             grep -E '^type=PATH .* name="/etc/(lsb-release|redhat-release|issue)"' $A; } |
           grep -o 'audit([0-9.:]*)' | sort -u | wc -l)
[ "$sysinfo" -gt 0 ] || die "no system information discovery in the fixture"
want "$(sed -n 's/^id: //p' "$S/linux/auditd/lnx_auditd_system_info_discovery.yml")" "$sysinfo"
want 759d0d51-bc99-4b5e-9add-8f5b2c8e7512 \
  "$( { grep '^type=ADD_USER ' $A; grep -E '^type=SYSCALL .* exe="[^"]*/useradd"' $A; } | grep -o 'audit([0-9.:]*)' | sort -u | wc -l)"

# --json: the documented shape; every event points at its line
jq -e '.findings | length > 0 and all(has("rule_id") and has("title") and has("level") and has("count") and (.events | type == "array"))' d.json >/dev/null || die "json shape"
jq -e '[.findings[].events[] | has("id") and has("ts") and has("archive") and has("member") and has("line")] | all' d.json >/dev/null || die "event shape"
# levels in order: high (accepted) before medium
jq -e '[.findings[].level] | index("high") < index("medium")' d.json >/dev/null || die "not sorted by level"
# the user discovery event is `uname -a`'s EXECVE... at the line of its first record
uline=$(grep -n 'msg=audit(1492752522.985:8972)' $A | head -1 | cut -d: -f1)
jq -e --argjson l "$uline" '[.findings[] | select(.rule_id == "9a0d8ca0-2385-4020-b6c6-cb6153ca56f3") | .events[] | select(.line == $l and (.member | endswith("/var/log/audit/audit.log")))] | length == 1' d.json >/dev/null \
  || die "uname -a evidence at line $uline: $(jq -c '.findings[] | select(.rule_id == "9a0d8ca0-2385-4020-b6c6-cb6153ca56f3") | .events' d.json)"

# the table for people: same findings, by level
expect_status 0 casefile timeline detect --db t.db --rules sshd.yml
head -1 out | grep -q '^LEVEL ' || die "table header"
[ "$(sed -n 2p out | awk '{print $1}')" = high ] || die "table order"

# --from/--to: only the window's events
expect_status 0 casefile timeline detect --db t.db --json --rules "$S/cloud/aws/cloudtrail/aws_cloudtrail_console_login_failed_authentication.yml" \
  --from 2014-07-08T00:00:00Z --to 2014-07-09T00:00:00Z
[ "$(jq '.findings[0].count' out)" = "$(grep '"eventTime":"2014-07-08' root/var/log/cloudtrail/console.json | grep -c '"errorMessage":"Failed authentication"')" ] || die "--from/--to"
# a date alone, as timeline query takes it: the whole day (UTC)
cp out window.json
expect_status 0 casefile timeline detect --db t.db --json --rules "$S/cloud/aws/cloudtrail/aws_cloudtrail_console_login_failed_authentication.yml" \
  --from 2014-07-08 --to 2014-07-08
cmp -s out window.json || die "--from/--to DATE: $(jq -c '.findings[0].count' out)"
expect_status 2 casefile timeline detect --db t.db --from 2014-07-32
expect_grep "^casefile timeline: --from: '2014-07-32' is not an RFC 3339 time or a date" err

# --store: one row per finding, one with count 0 for a rule that ran
# without any; the events column is the --json array
expect_status 0 casefile timeline detect --db t.db --store --rules sshd.yml \
  --rules "$S/linux/auditd/execve/lnx_auditd_user_discovery.yml" \
  --rules "$S/linux/auditd/lnx_auditd_audio_capture.yml"
q() { sqlite3 t.db "$1"; }
[ "$(q "select count from findings where rule_id = 't-sshd-failed'")" = "$(count t-sshd-failed)" ] || die "stored count"
[ "$(q "select count(*) from findings where rule_id = '9a0d8ca0-2385-4020-b6c6-cb6153ca56f3' and level = 'low' and title like 'System Owner%'")" = 1 ] || die "stored row"
[ "$(q "select count || events from findings where rule_id = (select id from (select '$(sed -n 's/^id: //p' "$S/linux/auditd/lnx_auditd_audio_capture.yml")' id))")" = "0[]" ] || die "a rule without findings: $(q 'select rule_id, count from findings')"
q "select events from findings where rule_id = 't-sshd-accepted'" | jq -e --argjson n "$(count t-sshd-accepted)" 'length == $n and all(.member | endswith("/var/log/auth.log"))' >/dev/null || die "stored events"
[ "$(q "select count(*) from findings where first_us > last_us or detected_at <= 0")" = 0 ] || die "stored times"
