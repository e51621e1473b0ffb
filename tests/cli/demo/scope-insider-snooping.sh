# The whole chain on scenario insider-snooping: timeline scope over the collected,
# verified evidence reproduces the generator's ground truth exactly (affected
# patients, their ids, per-state counts, implicated model decisions).
source "$CLI_LIB"
source "$CASE_DIR/check_scope.inc"
run_chain_and_compare insider-snooping
# no AI tool was involved: the letter says nothing of one
[ -s gen/report/notice-individual.md ] || die "no letter"
! grep -q "artificial intelligence" gen/report/notice-individual.md || die "AI paragraph in the letter"
