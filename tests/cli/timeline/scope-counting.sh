# SPDX-License-Identifier: Apache-2.0
# Who the scope counts and how they are reached, through the real parsers
# (FHIR Patient, roster CSV) and into the breach report: State names and
# codes normalised; an access of unknown outcome counted and listed "to
# confirm" (164.402(2)); phone-only and e-mail without consent not written
# notice (164.404(d)(1)); decedents to next of kin, without substitute
# notice when none is known (164.404(d)(2)); a minor the day before the
# 18th birthday, not on it; treatment-relationship accesses shown apart,
# excluded only on request; a refused access before the discovery day
# (164.404(a)(2)). Expected figures: tests/fixtures/timeline/counting/SOURCE.md.
source "$CLI_LIB"
F=$FIXTURES/timeline/counting
counting_archive
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
expect_status 0 casefile timeline scope --db t.db --incident "$F/incident.yaml" --json
cp out scope.json
chk() { jq -e "$1" scope.json >/dev/null || die "$2: $(jq -c "$3" scope.json)"; }
chk '.affected == 11 and (.patients | length) == 11' affected .patients
chk '.by_state == {"CA":1,"TX":2,"PR":1,"NY":1,"unknown":6}' by_state .by_state
chk '.to_confirm.count == 1 and .to_confirm.patients == ["u1"] and .to_confirm.in_affected == true' \
  to_confirm .to_confirm
chk '.evidence.u1[0].outcome == "unknown"' "unknown row" .evidence.u1
chk '.reach.postal == 3 and .reach.email == 1 and .reach.phone_only == 2 and .reach.none == 1
  and .reach.no_patient_record == 2 and .reach.substitute_notice_count == 3' reach .reach
chk '.reach.phone_only_patients == ["a3","r2"] and .reach.unreachable_patients == ["a2"]' lists .reach
chk '.reach.deceased.count == 2 and .reach.deceased.next_of_kin_address == 1
  and .reach.deceased.no_substitute_required == 1' deceased .reach.deceased
chk '.reach.minors.count == 1 and .reach.minors.patients == ["a6"] and .reach.minors.as_of == "2026-03-04"' \
  minors .reach.minors
chk '.treatment_relationship.count == 2 and ([.treatment_relationship.patients[].patient] == ["a1","t1"])
  and .treatment_relationship.excluded == false' treatment .treatment_relationship
chk '.evidence.a1[0].prior_access.time == "2026-02-20T10:00:00.000000Z"' prior .evidence.a1
chk '.residence.unknown == 6 and .residence.media_could_change == false' residence .residence
chk '.discovery.knowable_earlier == true and .discovery.earliest_sign_day == "2026-03-02"
  and .discovery.first_refused.time == "2026-03-02T08:00:00.000000Z"
  and .discovery.first_access.time == "2026-03-03T10:00:00.000000Z"' discovery .discovery
chk '.urgent_telephone.indicated == false and .urgent_telephone.with_phone == 3' urgent .urgent_telephone
expect_status 0 casefile timeline scope --db t.db --incident "$F/incident.yaml"
expect_grep '^unknown outcome \(counted, to confirm, 164.402\(2\)\): 1 access\(es\), 1 patient\(s\)$' out
expect_grep '^written notice \(164.404\(d\)\): 4 reachable, 2 phone only, 1 no contact, 2 deceased, 1 minor\(s\)$' out
expect_grep 'knowable before .discovered.' out

# the report: the section, the notes, and substitute notice that follows
# the reach rules (a2, a3, r2; the decedent a5 is exempt)
expect_status 0 casefile report breach --db t.db --incident "$F/incident.yaml" -o pkg --format json,md
jq -e '.counting.reach.substitute_notice_count == 3 and .counting.to_confirm.count == 1
  and .counting.if_discovered_earlier == {"discovered":"2026-03-02","individual_due":"2026-05-01",
  "hhs_due":"2027-03-01","basis":"a refused access by a suspect"}' pkg/report.json >/dev/null \
  || die "report counting: $(jq -c '.counting | del(.statements)' pkg/report.json)"
jq -e '.obligations.substitute_notice.no_contact == 3' pkg/report.json >/dev/null \
  || die "substitute: $(jq -c .obligations.substitute_notice pkg/report.json)"
jq -e '[.to_confirm[] | select(.section == "counting") | .field] | index("to_confirm") != null
  and index("discovered") != null' pkg/report.json >/dev/null || die "notes: $(jq -c .to_confirm pkg/report.json)"
grep -q 'may have been knowable on 2026-03-02' pkg/report.md || die "md: no earlier discovery"
grep -q 'Phone only (no written notice): a3' pkg/report.md || die "md: no phone-only list"

# excluded on request: out of the count, still listed and cited
sed 's/^suspects:/exclude_treatment_access: true\nimminent_misuse: true\nsuspects:/' \
  "$F/incident.yaml" >excl.yaml
expect_status 0 casefile timeline scope --db t.db --incident excl.yaml --json
jq -e '.affected == 9 and (.patients | index("a1")) == null and .by_state.CA == null
  and .treatment_relationship.count == 2 and .treatment_relationship.excluded == true
  and .urgent_telephone.indicated == true' out >/dev/null \
  || die "exclusion: $(jq -c '{affected, by_state, treatment_relationship}' out)"
true
