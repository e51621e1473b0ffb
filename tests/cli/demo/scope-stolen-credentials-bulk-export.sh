# The whole chain on scenario stolen-credentials-bulk-export: timeline scope over the collected,
# verified evidence reproduces the generator's ground truth exactly (affected
# patients, their ids, per-state counts, implicated model decisions).
source "$CLI_LIB"
source "$CASE_DIR/check_scope.inc"
run_chain_and_compare stolen-credentials-bulk-export
# Failed attempts are in the truth and listed apart by scope.
jq -e '.failed_attempts > 0' $t >/dev/null || die "no failed attempts in the truth"
jq -e '(.failed_attempts | length) > 0' $s >/dev/null || die "scope lists no failed attempt"
