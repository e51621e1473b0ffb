# The demo's package lists the State notices its counts trigger: the
# generator's ground truth says how many residents of each State were
# affected, and each shipped rule (its State and threshold written out
# here, from casefile-states(5)) is owed exactly when that count reaches
# the threshold; report.md lists each one, to confirm.
source "$CLI_LIB"
expect_status 0 casefile demo gen --json
r=gen/report/report.json t=gen/ground-truth.json
[ -s "$r" ] || die "no report.json"
want=$(jq -r '.by_state as $s |
  [["CA-HSC-1280.15","CA",1], ["CA-CIV-1798.82-AG","CA",501],
   ["TX-BCC-521.053-AG","TX",250], ["FL-501.171-DEPT","FL",500],
   ["FL-501.171-CRA","FL",1001], ["NY-GBL-899-aa-HHS","NY",1],
   ["IL-815-ILCS-530-50","IL",1], ["WA-RCW-19.255.010-AG","WA",501],
   ["CO-CRS-6-1-716-AG","CO",500], ["CO-CRS-6-1-716-CRA","CO",1001],
   ["MA-GL-93H-3","MA",1], ["CT-CGS-36a-701b","CT",1]]
  | map(select(($s[.[1]] // 0) >= .[2]) | .[0]) | sort | join(" ")' "$t")
got=$(jq -r '[.state_notices.notices[].id] | sort | join(" ")' "$r")
[ -n "$want" ] || die "the demo's counts trigger no State rule: $(jq -c .by_state "$t")"
[ "$want" = "$got" ] || die "State notices: want '$want', got '$got'"
for id in $want; do
  st=${id%%-*}
  n=$(jq --arg s "$st" '.by_state[$s]' "$t")
  jq -e --arg id "$id" --argjson n "$n" '.state_notices.notices[] | select(.id == $id)
        | .residents == $n and .to_confirm and ((.due | type) == "string" or .days == null)' "$r" >/dev/null ||
    die "$id: $(jq -c --arg id "$id" '.state_notices.notices[] | select(.id == $id)' "$r")"
  expect_grep "^\| $st \| $n \| .*TO CONFIRM" gen/report/report.md
done
