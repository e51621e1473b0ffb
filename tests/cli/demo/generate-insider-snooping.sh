# `casefile demo --generate-only --scenario insider-snooping`: every file in its format,
# the ground truth and the incident file consistent, nothing else run.
source "$CLI_LIB"
source "$CASE_DIR/check_generated.inc"
expect_status 0 casefile demo gen --generate-only --scenario insider-snooping --seed 7 --json
jq -e '.scenario == "insider-snooping" and .seed == 7 and .scale == 1 and
       .generated.events > 100000 and (.steps | length) == 0' out >/dev/null || die "bad JSON summary"
[ ! -e gen/logs ] || die "--generate-only ran steps"
check_generated gen
jq -e '(.suspects.actors | length) == 1 and (.suspects.ips | length) == 0 and
       .affected > 0 and .failed_attempts > 0 and
       .suspect_events_outside_window.succeeded > 0' gen/ground-truth.json >/dev/null || die "insider truth"
