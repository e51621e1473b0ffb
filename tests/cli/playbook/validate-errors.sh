# Every mistake in a playbook is reported at once, each with FILE:LINE:COL,
# in file order, and validation fails with status 3.
. "$CLI_LIB"
cp "$FIXTURES/playbooks/invalid.yaml" .
expect_status 3 casefile playbook validate invalid.yaml
cat >want <<'W'
casefile playbook validate: invalid.yaml:6:11: unknown step kind 'actoin' (action, run, decision, parallel, notify, deadline)
casefile playbook validate: invalid.yaml:8:5: step 'no-owner' has no 'owner'
casefile playbook validate: invalid.yaml:11:15: bad duration 'P60X' (ISO 8601 days/hours/minutes/weeks, e.g. P60D or PT4H)
casefile playbook validate: invalid.yaml:16:11: unknown casefile command 'exfiltrate everything'
casefile playbook validate: invalid.yaml:17:11: reference to unknown step 'nowhere'
casefile playbook validate: invalid.yaml:18:5: step 'loop-a' is unreachable: no step leads to it
casefile playbook validate: invalid.yaml:18:5: step 'loop-a' is in a cycle without exit: the end cannot be reached from it
casefile playbook validate: invalid.yaml:23:5: step 'loop-b' is unreachable: no step leads to it
casefile playbook validate: invalid.yaml:23:5: step 'loop-b' is in a cycle without exit: the end cannot be reached from it
W
diff -u want err || die "validation messages differ"
# --json lists the same errors
expect_status 3 casefile playbook validate --json invalid.yaml
[ "$(jq '.ok' out)" = false ] || die "ok should be false"
[ "$(jq '.playbooks[0].errors | length' out)" = 9 ] || die "expected 9 errors in JSON"
# a YAML syntax error names the place too
printf 'id: x\nsteps: [\n' >syntax.yaml
expect_status 3 casefile playbook validate syntax.yaml
expect_grep '^casefile playbook validate: syntax.yaml:[0-9]+:[0-9]+: ' err
# Nine bytes on which Debian 12's libfyaml (0.7.12) writes through a null
# pointer (found by fuzz_yaml): the file is refused with a message naming
# it, and no command crashes on it, whichever reads YAML.
printf '? d:  \t :' >crash.yaml
expect_status 3 casefile playbook validate crash.yaml
expect_grep '^casefile playbook validate: crash.yaml: refused: the YAML parser' err
expect_status 3 casefile timeline scope --db nothere.db --incident crash.yaml
expect_grep 'crash.yaml: refused: the YAML parser' err
