# Timesketch accepts the export whole: every event has a non-empty message
# (the collector's own log gives none: its events are described by their
# fields), none sits at the epoch, and each field holds one JSON type across
# all events (OpenSearch refuses a field that is a number in one event and a
# string in another: the access log's status 200 beside auditd's status
# "success", auditd's uid beside others').
source "$CLI_LIB"
expect_status 0 casefile demo d --json
expect_status 0 casefile timeline query --db d/timeline.db --format timesketch
mv out ts.jsonl
[ "$(wc -l < ts.jsonl)" -gt 1000 ] || die "too few events"
# One pass of jq over the export (it is large): a line per problem event,
# and each field's name with its JSON type.
jq -r 'if (.message // "") == "" then "EMPTY \({data_type, line} | tojson)" else empty end,
       if .timestamp <= 0 or (.datetime | startswith("1970-01-01")) then "EPOCH \({data_type, line} | tojson)" else empty end,
       if (.timestamp | type) != "number" or ([.datetime, .timestamp_desc, .data_type] | map(type) | unique) != ["string"]
       then "CORE \({data_type, line} | tojson)" else empty end,
       (to_entries[] | select(.key != "attrs") | "TYPE \(.key) \(.value | type)"),
       ((.attrs // {}) | to_entries[] | "TYPE attrs.\(.key) \(.value | type)")' ts.jsonl |
  awk '!seen[$0]++' >checks
empty=$(grep -m3 '^EMPTY ' checks || true)
[ -z "$empty" ] || die "events without a message: $empty"
epoch=$(grep -m3 '^EPOCH ' checks || true)
[ -z "$epoch" ] || die "events at the epoch: $epoch"
! grep -q '^CORE ' checks || die "core fields: $(grep -m3 '^CORE ' checks)"
mixed=$(grep '^TYPE ' checks | awk '{n[$2]++; t[$2] = t[$2] " " $3} END {for (k in n) if (n[k] > 1) print k t[k]}')
[ -z "$mixed" ] || die "fields with more than one type: $mixed"
# the collector's events say what happened
expect_grep '"message":"collector: started' ts.jsonl
