# The shipped profile is listed (text and JSON), can be named by its id,
# and with --root reads a copied host tree: member names and items.jsonl
# paths are the paths as seen on that host; symlinks inside the tree
# (absolute or to folders) are recorded and never followed out of it.
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
expect_status 0 casefile collect --list-profiles
expect_grep '^linux-ehr-ai-host ' out
expect_status 0 casefile collect --list-profiles --json
jq -e '.profiles | map(select(.id == "linux-ehr-ai-host" and .error == null and .sources > 5)) | length == 1' out >/dev/null \
  || die "list-profiles --json: $(cat out)"

h=host
mkdir -p $h/etc $h/var/log/ehr/2026/03 $h/var/log/inference $h/var/log/nginx \
  $h/srv/mlflow/artifacts/1/run1/artifacts/model $h/etc/nginx/conf.d
printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' > $h/etc/os-release
echo ehr-web-01 > $h/etc/hostname
echo '{"resourceType":"AuditEvent","recorded":"2026-03-01T14:02:03Z"}' > $h/var/log/ehr/2026/03/audit.ndjson
echo '{"ts":"2026-03-01T14:02:04Z","decision":"flag"}' > $h/var/log/inference/decisions.jsonl
echo '10.0.0.5 - - [01/Mar/2026:14:02:03 +0000] "GET /fhir/Patient/1 HTTP/1.1" 200 512' > $h/var/log/nginx/access.log
echo 'server { listen 443; }' > $h/etc/nginx/conf.d/ehr.conf
echo 'secret' > $h/etc/nginx/conf.d/tls.key
ln -s /etc/shadow $h/var/log/nginx/evil.log
ln -s /etc $h/var/log/ehr/2026/escape
mkdir -p $h/run/app && echo inside > $h/run/app/state && ln -s /run $h/var/run
cat "$FIXTURES/../../demo/schemas/mlflow-sqlite-core.sql" "$FIXTURES/mlflow/seed.sql" | sqlite3 $h/srv/mlflow/mlflow.db
echo 'artifact_path: model' > $h/srv/mlflow/artifacts/1/run1/artifacts/model/MLmodel
# journal files, persistent and volatile, closed and dirty (*.journal~)
mid=3d1219c7c4c5404aaa1f6d2a48adfda4
mkdir -p $h/var/log/journal/$mid $h/run/log/journal/$mid
printf 'LPKSHHRH' > $h/var/log/journal/$mid/system.journal
printf 'LPKSHHRH' > $h/var/log/journal/$mid/user-1000@0005f1-2.journal~
printf 'LPKSHHRH' > $h/run/log/journal/$mid/system.journal

expect_status 0 casefile collect -o out.tar.zst --key k.key --profile linux-ehr-ai-host \
  --root $h --case-id IR-1 --examiner "A. Responder"
recipe out.tar.zst k.pub
tar --zstd -tf out.tar.zst > names
for m in evidence/ehr-audit/var/log/ehr/2026/03/audit.ndjson \
         evidence/inference-decisions/var/log/inference/decisions.jsonl \
         evidence/web-logs/var/log/nginx/access.log \
         evidence/web-config/etc/nginx/conf.d/ehr.conf \
         evidence/mlflow/srv/mlflow/mlflow.db \
         evidence/mlflow/srv/mlflow/artifacts/1/run1/artifacts/model/MLmodel \
         evidence/mlflow/lineage.json evidence/system/etc/os-release \
         evidence/journal-files/var/log/journal/$mid/system.journal \
         "evidence/journal-files/var/log/journal/$mid/user-1000@0005f1-2.journal~" \
         evidence/journal-files/run/log/journal/$mid/system.journal; do
  grep -qx "$m" names || die "missing member $m"
done
! grep -q 'tls.key' names || die "excluded file stored"
! grep -q 'shadow\|evil\|escape/' names || die "followed a symlink"
! grep -q "$(pwd)" names || die "member names contain the --root folder"
# a symlink in the middle of a pattern is recorded, not followed
printf 'profile: mid\nsources:\n  - id: a\n    type: files\n    category: config\n    paths: [/var/run/app/*]\n' > mid.yaml
expect_status 0 casefile collect -o mid.tar.zst --key k.key --profile ./mid.yaml --root $h
member mid.tar.zst casefile/items.jsonl > mid.items
item mid.items /var/run | jq -e '.kind == "symlink" and .symlink_target == "/run"' >/dev/null \
  || die "symlink on the way not recorded"
! tar --zstd -tf mid.tar.zst | grep -q state || die "followed /var/run"

member out.tar.zst casefile/items.jsonl > items
item items /var/log/nginx/evil.log | jq -e '.skip_reason == "symlink" and .symlink_target == "/etc/shadow"' >/dev/null || die "evil.log item"
item items /etc/nginx/conf.d/tls.key | jq -e '.skip_reason == "excluded" and .member == null' >/dev/null || die "excluded item"
item items /var/log/ehr/2026/03/audit.ndjson | jq -e '.category == "auth-log" and .source == "ehr-audit"' >/dev/null || die "ehr item"
item items /var/log/inference/decisions.jsonl | jq -e '.category == "model-decision"' >/dev/null || die "decision item"
member out.tar.zst casefile/collection.json | jq -e '.host.hostname == "ehr-web-01" and .host.live == false
  and .host.os_release.VERSION_ID == "12" and .profile.name == "linux-ehr-ai-host"
  and (.profile.sha256 | length == 64) and .examiner == "A. Responder" and .case_id == "IR-1"' >/dev/null \
  || die "collection.json host facts"
# commands describe the live host: not run under --root, and logged
member out.tar.zst casefile/log.jsonl | grep -q '"event":"not-run","source":"listening"' || die "ss not logged as not run"
# the journal is its files, not also a journalctl export of the same entries
! member out.tar.zst casefile/log.jsonl | grep -q journalctl || die "journalctl run beside the journal files"
# every item's category is one of SPEC section 2
jq -r .category items | sort -u | grep -vxE 'access-log|auth-log|system-log|model-decision|model-lineage|model-artifact|config|database|command-output|system' \
  && die "unknown category" || true
