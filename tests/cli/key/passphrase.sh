# --passphrase-file encrypts the private key (PKCS#8 PBES2) so that OpenSSL
# needs the passphrase; the public key stays usable without it.
source "$CLI_LIB"
printf 'correct horse battery staple\n' >pass
expect_status 0 casefile key generate --passphrase-file pass k
expect_grep 'encrypted' err
grep -q '^-----BEGIN ENCRYPTED PRIVATE KEY-----$' k.key || die "k.key not encrypted"
openssl pkey -in k.key -passin file:pass -noout || die "openssl refuses the passphrase"
openssl pkey -in k.key -passin pass:wrong -noout 2>/dev/null && die "openssl accepts a wrong passphrase"
want="SHA256:$(openssl pkey -pubin -in k.pub -outform DER | tail -c 32 | sha256sum | cut -d' ' -f1)"
expect_status 0 casefile key fingerprint k.pub
[ "$(cat out)" = "$want" ] || die "fingerprint mismatch"
# Without the passphrase the private key cannot be read, and says so.
expect_status 3 casefile key fingerprint k.key
expect_grep "private key 'k.key' is encrypted" err
# ... and with it the private key file gives the public key's fingerprint.
expect_status 0 casefile key fingerprint --passphrase-file pass k.key
[ "$(cat out)" = "$want" ] || die "fingerprint of the encrypted key: $(cat out)"
printf 'wrong\n' >bad
expect_status 3 casefile key fingerprint --passphrase-file bad k.key
expect_grep "cannot decrypt private key 'k.key': wrong passphrase" err
# Missing or empty passphrase files are errors; nothing is written.
expect_status 3 casefile key generate --passphrase-file nope k2
expect_grep "cannot open 'nope': No such file or directory" err
: >empty
expect_status 3 casefile key generate --passphrase-file empty k2
expect_grep "passphrase file 'empty' is empty" err
[ -e k2.key ] || [ -e k2.pub ] && die "files written after a failure"
exit 0
