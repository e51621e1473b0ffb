# The whole chain on scenario training-data-exposure: the incident names
# the exposed data only by the MLflow run and input dataset that took it,
# and names no suspect; timeline scope finds the file through the run's
# inputs in the collected store and counts the patients in it, which must
# be the generator's ground truth exactly. Each patient is cited to the
# line of the file that names them (read back with awk from the generated
# file, not from casefile), and individual notices are due.
source "$CLI_LIB"
source "$CASE_DIR/check_scope.inc"
run_chain_and_compare training-data-exposure
grep -q '^kind: training-data-exposure' gen/incident.yaml || die "incident kind"
grep -q '^  actors: \[\]' gen/incident.yaml || die "the incident names a suspect actor"
s=gen/scope.json r=gen/report/report.json
csv=$(ls gen/host/srv/mlflow/artifacts/*/datasets/training.csv)
[ "$(jq .affected $s)" -gt 0 ] || die "nobody affected"
# the patients of the file and their lines, as the file itself says
awk -F, 'NR > 1 { print $1 "\t" NR }' "$csv" | sort > want
jq -r '.evidence | to_entries[] | .key as $p | .value[] |
       select(.action == "record") | [$p, .line] | @tsv' $s | sort > got
cmp -s want got || { diff want got | head >&2; die "citations differ from the file's lines"; }
jq -e --arg m "evidence/mlflow/${csv#gen/host/}" \
  '[.evidence[][] | .member] | unique == [$m]' $s >/dev/null || die "a citation outside the file"
# the run and its input dataset, from the store
jq -e '.data_at_rest.sources[0] | .run_found == true and (.datasets | length) == 1
       and .datasets[0].context == "training" and (.datasets[0].digest | length) == 8' $s >/dev/null ||
  { jq .data_at_rest $s >&2; die "the run's input dataset"; }
[ "$(jq .data_at_rest.patients $s)" = "$(jq .affected $s)" ] || die "data_at_rest.patients"
# notices are due: this is a breach of unsecured PHI, not a safety review
jq -e '.obligations.individual_notice | .required == true and .due != null' $r >/dev/null ||
  { jq .obligations.individual_notice $r >&2; die "individual notices not due"; }
jq -e '.patient_safety == null' $r >/dev/null || die "a patient-safety review"
# the AI section: the version whose run took the exposed data, the data
# and the paragraph for the letter
jq -e '.ai.versions | length == 1 and .[0].model == "sepsis-risk" and (.[0].data | test("training.csv"))' $r >/dev/null ||
  { jq .ai.versions $r >&2; die "AI section: the exposed run's version"; }
jq -e --argjson n "$(jq .affected $s)" '.ai.data_at_rest[0].patients == $n' $r >/dev/null || die "AI section: data"
jq -r .ai.letter_paragraph $r | grep -q 'your information was in that copy' || die "letter paragraph"
# and that paragraph is in the letter, where it says what happened
awk '/^### What happened/ {on = 1; next} /^### / {on = 0} on' gen/report/notice-individual.md |
  tr -s ' \n' '  ' | grep -qF "$(jq -r .ai.letter_paragraph $r)" || die "the letter lacks the AI paragraph"
