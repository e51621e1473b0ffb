# SPDX-License-Identifier: Apache-2.0
# An archive written by `casefile collect` is verified and parsed: the FHIR,
# decision, sshd and rotated gzip access logs all become events.
source "$CLI_LIB"
cp -r "$FIXTURES/timeline/made/root" root
expect_status 0 casefile key generate k
expect_status 0 casefile collect -o c.tar.zst --key k.key --root root /var/log /var/lib/inference
expect_status 0 casefile timeline build --db c.db --trust k.pub --json c.tar.zst
for s in fhir-auditevent model-decision sshd access-log filestat collector; do
  [ "$(jq ".parsers[\"$s\"].events" out)" -gt 0 ] || die "no $s events"
done
[ "$(sqlite3 c.db 'select count(*) from patients')" = 3 ] || die patients
[ "$(sqlite3 c.db "select count(*) from events where member like 'evidence/paths/var/log/%'")" -gt 10 ] || die members
