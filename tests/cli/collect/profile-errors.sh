# Profile mistakes are refused with FILE:LINE:COL and exit 3.
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
cat > bad.yaml <<'YAML'
profile: broken
sources:
  - id: logs
    type: files
    category: auth-log
    paths: [/var/log/auth.log]
    max-size: 10M
YAML
expect_status 3 casefile collect -o out.tar.zst --key k.key --profile ./bad.yaml
expect_grep "^casefile collect: \./bad\.yaml:7:5: unknown key 'max-size'" err
printf 'profile: x\nsources:\n  - id: a\n    type: files\n    category: logs\n    paths: [/x]\n' > cat.yaml
expect_status 3 casefile collect -o out.tar.zst --key k.key --profile cat.yaml
expect_grep "cat\.yaml:5:15: unknown category 'logs'" err
printf 'profile: x\nsources:\n  - id: a\n    type: [files\n' > syn.yaml
expect_status 3 casefile collect -o out.tar.zst --key k.key --profile syn.yaml
expect_grep "syn\.yaml:[0-9]+:[0-9]+: " err
expect_status 3 casefile collect -o out.tar.zst --key k.key --profile no-such-profile
expect_grep "no profile 'no-such-profile'" err
[ ! -e out.tar.zst ] && [ ! -e out.tar.zst.partial ] || die "wrote an archive"
