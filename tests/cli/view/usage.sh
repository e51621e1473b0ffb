# SPDX-License-Identifier: Apache-2.0
# `casefile view` usage: -h prints the synopsis; no --db, a bad port, an
# operand and a non-loopback --listen without --allow-remote are usage
# errors (2) that start no server; a missing store is a runtime error (3).
. "$CLI_LIB"
expect_status 0 casefile view -h
expect_grep '^usage: casefile view --db FILE' out
expect_status 2 casefile view
expect_grep 'needs --db' err
expect_status 2 casefile view --db t.db --port 70000
expect_status 2 casefile view --db t.db --port -1
expect_status 2 casefile view --db t.db extra
expect_status 2 casefile view --db t.db --listen 0.0.0.0
expect_grep 'allow-remote' err
expect_status 2 casefile view --db t.db --listen ::
expect_status 3 casefile view --db missing.db --port 0
[ ! -s out ] || die "a URL was printed for a missing store: $(cat out)"
# a timeline query usage error names the option
expect_status 2 casefile timeline query --db t.db --limit ten
expect_grep 'limit' err
expect_status 2 casefile timeline query --db t.db --to 2026-02-30
