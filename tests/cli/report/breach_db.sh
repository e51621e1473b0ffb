# --db: with the timeline store in the build, the package from a store
# gives the same figures as `timeline scope --json` of that store, with
# each patient's State from the store; without it, --db is refused with a
# usage message that says what to do instead.
. "$CLI_LIB"
F=$FIXTURES/reports
T=$FIXTURES/timeline/made
if ! casefile timeline --help >/dev/null 2>&1 || [ ! -d "$T" ]; then
  expect_status 2 casefile report breach --db t.db --incident "$F/incident.yaml" -o pkg
  expect_grep 'pass its output with --scope' err
  [ ! -e pkg ] || die "a refused run created pkg"
  exit 0
fi
expect_status 3 casefile report breach --db missing.db --incident "$T/incident.yaml" -o pkg
expect_grep 'missing.db' err
[ ! -e pkg ] || die "a failed run created pkg"
cp -r "$T/root" root
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
openssl pkey -in k.pem -pubout -out k.pub
bash "$FIXTURES/timeline/make-archive.sh" a.tar.zst k.pem root \
  var/log/ehr/audit.ndjson:access-log var/lib/inference/decisions.jsonl:model-decision \
  var/log/auth.log:auth-log var/log/nginx/access.log.1.gz:access-log \
  || die "make-archive failed"
# Leak checking is for this part's code: `timeline build` has its own tests.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
expect_status 0 casefile timeline scope --db t.db --incident "$T/incident.yaml" --json
cp out scope.json
expect_status 0 casefile report breach --db t.db --incident "$T/incident.yaml" -o fromdb --format json
expect_status 0 casefile report breach --scope scope.json --incident "$T/incident.yaml" -o fromscope --format json
jq -e --slurpfile s scope.json '.affected.count.value == $s[0].affected
  and ([.affected.patients[].id] == $s[0].patients)
  and ([.affected.by_state[] | {(.state): .count}] | add) == $s[0].by_state
  and .timeline.failed_attempt_count == ($s[0].failed_attempts | length)' fromdb/report.json \
  >/dev/null || die "--db differs from timeline scope: $(jq -c .affected fromdb/report.json)"
# the store knows each patient's State; the scope JSON alone does not
jq -e '[.affected.patients[] | select(.state != "unknown")] | length > 0' fromdb/report.json \
  >/dev/null || die "no State from the store's patients table"
