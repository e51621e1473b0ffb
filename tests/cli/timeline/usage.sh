# SPDX-License-Identifier: Apache-2.0
# Usage errors exit 2; --help prints the synopsis; bad files name themselves.
source "$CLI_LIB"
expect_status 0 casefile timeline --help
expect_grep '^usage: casefile timeline build --db FILE --trust PUB' out
expect_status 2 casefile timeline
expect_status 2 casefile timeline frobnicate
expect_status 2 casefile timeline build --db x.db
expect_status 2 casefile timeline query --db x.db --format yaml
expect_status 2 casefile timeline query --db x.db --from yesterday
expect_status 2 casefile timeline query --bogus
expect_status 3 casefile timeline query --db missing.db
expect_grep 'missing.db' err
printf 'id: X\nwindow: {from: 2026-03-01T00:00:00Z, to: 2026-03-02T00:00:00Z}\ndiscovered: 2026-03-03T00:00:00Z\nsuspects: {actors: [a], colour: red}\n' >inc.yaml
sqlite3 empty.db 'create table t(x)'
expect_status 3 casefile timeline scope --db empty.db --incident inc.yaml
expect_grep 'inc.yaml:4:[0-9]+: ' err
printf 'id: X\ndiscovered: 2026-03-03T00:00:00Z\nsuspects: {}\nwindow: {from: 2026-03-05T00:00:00Z, to: 2026-03-02T00:00:00Z}\n' >inc2.yaml
expect_status 3 casefile timeline scope --db empty.db --incident inc2.yaml
expect_grep 'inc2.yaml:4:[0-9]+: window: from is after to' err
printf 'id: X\ndiscovered: 2026-03-03T00:00:00Z\nsuspects: {}\nwindow: {from: 2026-03-05T00:00:00Z}\n' >inc3.yaml
expect_status 3 casefile timeline scope --db empty.db --incident inc3.yaml
expect_grep 'inc3.yaml:4:[0-9]+: window needs from and to' err
expect_status 3 casefile timeline query --db empty.db
expect_grep 'not a casefile timeline database' err
# Repeatable options have a bound, said with the option's name; at the
# bound itself the command goes on to its next check (here: no --trust).
many() { for i in $(seq 1 "$2"); do printf '%s\n' "$1" "x$i"; done; }
mapfile -t ex < <(many --explain 65)
expect_status 2 casefile timeline build --db t.db "${ex[@]}" a.tar.zst
expect_grep 'at most 64 --explain options' err
mapfile -t ex < <(many --explain 64)
expect_status 2 casefile timeline build --db t.db "${ex[@]}" a.tar.zst
expect_grep 'build needs --trust' err
mapfile -t ff < <(many --from-findings 65)
expect_status 2 casefile timeline scope --db empty.db --incident inc.yaml "${ff[@]}"
expect_grep 'at most 64 --from-findings options' err
mapfile -t rr < <(many --rules 64)
expect_status 2 casefile timeline detect --db empty.db "${rr[@]}"
expect_grep 'at most 63 --rules options' err
mapfile -t ff < <(many --from-findings 17)
expect_status 2 casefile report breach --db empty.db --incident inc.yaml -o out "${ff[@]}"
expect_grep 'at most 16 --from-findings options' err
# Options only one subcommand reads are refused elsewhere, by name.
expect_status 2 casefile timeline query --db empty.db --include-unverified
expect_grep "^casefile timeline: --include-unverified goes with 'scope'" err
expect_status 2 casefile timeline query --db empty.db --cohort-csv c.csv
expect_grep "^casefile timeline: --cohort-csv goes with 'scope'" err
expect_status 2 casefile timeline build --db t.db --from-findings r1 a.tar.zst
expect_grep "^casefile timeline: --from-findings goes with 'scope'" err
expect_status 2 casefile timeline scope --db empty.db --incident inc.yaml --explain 'x*'
expect_grep "^casefile timeline: --explain goes with 'build'" err
