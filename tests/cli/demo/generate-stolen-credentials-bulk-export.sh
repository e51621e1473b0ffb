# `casefile demo --generate-only --scenario stolen-credentials-bulk-export`: every file in its format,
# the ground truth and the incident file consistent, nothing else run.
source "$CLI_LIB"
source "$CASE_DIR/check_generated.inc"
expect_status 0 casefile demo gen --generate-only --scenario stolen-credentials-bulk-export --seed 7 --json
jq -e '.scenario == "stolen-credentials-bulk-export" and .seed == 7 and .scale == 1 and
       .generated.events > 100000 and (.steps | length) == 0' out >/dev/null || die "bad JSON summary"
[ ! -e gen/logs ] || die "--generate-only ran steps"
check_generated gen
jq -e '.suspects.ips == ["203.0.113.77"] and .affected > 0 and .failed_attempts > 0' \
  gen/ground-truth.json >/dev/null || die "stolen truth"
grep -q '^203\.0\.113\.77 .*"GET /fhir/Patient?_count=50' gen/host/var/log/nginx/access.log || die "no export in the web log"
