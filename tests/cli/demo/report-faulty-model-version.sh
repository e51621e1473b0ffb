# Routing by incident kind: the faulty-model demo's incident is a
# model-malfunction that disclosed no PHI, so its package is a
# patient-safety review with no notice duty and no notice deadline: the
# cohort is the distinct patients of the suspect version's decisions (as the
# scope and the generator's ground truth list them) and the overrides are
# counted; no draft letter is written.
source "$CLI_LIB"
expect_status 0 casefile demo gen --scenario faulty-model-version --seed 5 --json
grep -q '^kind: model-malfunction' gen/incident.yaml || die "incident kind"
r=gen/report/report.json s=gen/scope.json t=gen/ground-truth.json
[ -s "$r" ] || die "no report.json"
jq -e '.obligations | [.individual_notice.due, .hhs_notice.due, .media_notice.due] == [null, null, null]
       and .individual_notice.required == false and .media_notice.required == false' "$r" >/dev/null ||
  { jq .obligations "$r" >&2; die "a notice deadline"; }
jq -e '.determination.notification_required == false' "$r" >/dev/null || die "notification required"
[ ! -e gen/report/notice-individual.md ] && [ ! -e gen/report/notice-media.md ] || die "a draft letter"
jq -e '.patient_safety | type == "object" and .phi_disclosed == false' "$r" >/dev/null ||
  die "no patient-safety review"
cohort=$(jq '.patient_safety.cohort' "$r")
[ "$cohort" -gt 0 ] || die "empty cohort"
[ "$cohort" = "$(jq '[.model_decisions[] | select(.model + "@" + .version == "sepsis-risk@7") | .patient] | unique | length' "$s")" ] ||
  die "cohort $cohort is not the scope's patients of sepsis-risk@7"
[ "$cohort" = "$(jq '[.model_decisions[].patient] | unique | length' "$t")" ] ||
  die "cohort $cohort is not the ground truth's"
over=$(jq '[.model_decisions[] | select(.outcome == "overridden")] | length' "$s")
[ "$over" -gt 0 ] || die "no override in the scope"
jq -e --argjson o "$over" --argjson n "$(jq '.model_decisions | length' "$s")" \
  '.patient_safety | .overridden == $o and .decisions == $n and .acted_on == $n - $o' "$r" >/dev/null ||
  { jq '.patient_safety | del(.cohort_patients)' "$r" >&2; die "overrides"; }
grep -q "Patient-safety review" gen/report/report.md || die "no section in report.md"
grep -q "Cohort: $cohort patient(s)" gen/report/report.html || die "no cohort in report.html"
jq -e '[.to_confirm[] | select(.section == "patient_safety")] | length >= 3' "$r" >/dev/null ||
  die "adverse-event reporting not listed to confirm"
# Every decision in the scope shows its version's stage and override state,
# and the AI section carries the version's lineage (its registry entry and
# the version that replaced it, read back from the collected store), the
# cohort as the scope counts it, every override with who and why, and the
# paragraph for the letter.
jq -e '.model_decisions | length > 0 and all(.stage != null and (.outcome == "success" or .outcome == "overridden"))' "$s" >/dev/null ||
  die "a decision without its stage or override state"
jq -e '[.model_decisions[] | select(.outcome == "overridden") | .override_by, .override_reason] | all(. != null)' "$s" >/dev/null ||
  die "an override without who and why"
db=gen/timeline.db
v8=$(sqlite3 $db "SELECT min(CAST(model_version AS INTEGER)) FROM events WHERE source = 'mlflow' AND action = 'version-created'
                  AND model = 'sepsis-risk' AND CAST(model_version AS INTEGER) > 7")
run7=$(sqlite3 $db "SELECT json_extract(attrs, '\$.run_id') FROM events WHERE source = 'mlflow' AND action = 'version-created'
                    AND model = 'sepsis-risk' AND model_version = '7'")
jq -e --arg v "version $v8 " --arg r "$run7" '.ai.versions | length == 1 and .[0].model == "sepsis-risk" and .[0].version == "7"
       and (.[0].replaced_by | startswith($v)) and .[0].run_id == $r and (.[0].parameters | length > 0)' "$r" >/dev/null ||
  { jq '.ai.versions' "$r" >&2; die "AI section: lineage"; }
jq -e '.ai.cohorts[0].decisions == .patient_safety.decisions and .ai.overridden == .patient_safety.overridden
       and (.ai.overrides | length) == ([.ai.overridden, 50] | min)' "$r" >/dev/null || die "AI section: cohort and overrides"
grep -q "AI models involved" gen/report/report.md && grep -q "AI models involved" gen/report/report.html ||
  die "AI section not rendered"
jq -r .ai.letter_paragraph "$r" | grep -q 'artificial intelligence (AI), called sepsis-risk' || die "letter paragraph"
# a privacy officer signs it as it is: no presumed breach, a summary that
# says no notice is owed and why, the cohort table with its counts
jq -e '.determination | .decision == "no-phi-disclosed" and .rule == "45 CFR 164.402"' "$r" >/dev/null ||
  { jq .determination "$r" >&2; die "the determination presumes a breach"; }
sed -n '/^## 1\./,/^## 2\./p' gen/report/report.md >summary.md
grep -q 'No breach notification is owed' summary.md || die "summary: no-notice wording"
! grep -q 'to be confirmed\|are due by' summary.md || die "summary: a deadline"
grep -Eq "^\| sepsis-risk \| 7 \| $cohort \| $(jq '.model_decisions | length' "$s") \|" gen/report/report.md ||
  die "cohort table without its counts"
# unless PHI was disclosed: with nobody counted (no recipient named) the
# summary does not say that no notice is owed, it asks who received it
sed 's/^kind: model-malfunction.*/kind: model-malfunction\nphi_disclosed: true/' gen/incident.yaml >disclosed.yaml
expect_status 0 casefile report breach --db gen/timeline.db --incident disclosed.yaml -o disclosed --format json,md
expect_grep 'no notice to individuals or HHS due' err
sed -n '/^## 1\./,/^## 2\./p' disclosed/report.md >summary2.md
grep -q 'No notice can be dated yet' summary2.md && ! grep -q 'No breach notification is owed' summary2.md ||
  die "PHI disclosed: the summary says no notice is owed"
jq -e '[.to_confirm[] | select(.field == "phi_disclosed")] | length == 1' disclosed/report.json >/dev/null ||
  die "PHI disclosed with nobody counted: not listed to confirm"
