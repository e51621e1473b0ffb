# Usage errors exit 2 and name the problem.
. "$CLI_LIB"
F=$FIXTURES/reports
expect_status 2 casefile report
expect_status 2 casefile report forecast
expect_grep "unknown subcommand 'forecast'" err
expect_status 2 casefile report breach --scope "$F/scope.json" -o pkg
expect_grep "--incident FILE is required" err
expect_status 2 casefile report breach --incident "$F/incident.yaml" -o pkg
expect_grep "exactly one of --scope and --db" err
expect_status 2 casefile report breach --scope "$F/scope.json" --incident "$F/incident.yaml"
expect_grep "-o is required" err
expect_status 2 casefile report breach --scope "$F/scope.json" --incident "$F/incident.yaml" -o pkg --format pdf
expect_grep "unknown format 'pdf'" err
expect_status 2 casefile report breach --bogus
expect_grep "bogus" err
expect_status 2 casefile report custody -o x.html
expect_grep "--case DIR is required" err
[ ! -e pkg ] || die "a usage error created the output folder"
