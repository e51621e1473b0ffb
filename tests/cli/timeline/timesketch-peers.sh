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
empty=$(jq -c 'select((.message // "") == "") | {data_type, line}' ts.jsonl | head -3)
[ -z "$empty" ] || die "events without a message: $empty"
epoch=$(jq -c 'select(.timestamp <= 0 or (.datetime | startswith("1970-01-01"))) | {data_type, line}' ts.jsonl | head -3)
[ -z "$epoch" ] || die "events at the epoch: $epoch"
jq -e 'all(.timestamp; type == "number") and all(.datetime, .timestamp_desc, .data_type; type == "string")' ts.jsonl >/dev/null || die "core fields"
mixed=$(jq -r '(to_entries[] | select(.key != "attrs") | "\(.key) \(.value | type)"),
               ((.attrs // {}) | to_entries[] | "attrs.\(.key) \(.value | type)")' ts.jsonl |
        sort -u | awk '{n[$1]++; t[$1] = t[$1] " " $2} END {for (k in n) if (n[k] > 1) print k t[k]}')
[ -z "$mixed" ] || die "fields with more than one type: $mixed"
# the collector's events say what happened
expect_grep '"message":"collector: started' ts.jsonl
