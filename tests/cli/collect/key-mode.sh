# A private key readable by group or others is refused, naming the file,
# and nothing is written.
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
echo x > f
chmod 0644 k.key
expect_status 3 casefile collect -o out.tar.zst --key k.key f
expect_grep "k\.key" err
[ ! -e out.tar.zst ] && [ ! -e out.tar.zst.partial ] || die "wrote an archive"
chmod 0600 k.key
expect_status 0 casefile collect -o out.tar.zst --key k.key f
# an encrypted key with its passphrase file
printf 'correct horse\n' > pass
casefile key generate --passphrase-file pass e >/dev/null 2>&1 || die "keygen"
expect_status 0 casefile collect -o enc.tar.zst --key e.key --passphrase-file pass f
recipe enc.tar.zst e.pub
printf 'wrong\n' > bad
expect_status 3 casefile collect -o enc2.tar.zst --key e.key --passphrase-file bad f
[ ! -e enc2.tar.zst ] || die "wrote with a wrong passphrase"
