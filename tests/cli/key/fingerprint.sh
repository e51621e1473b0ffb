# The fingerprint is "SHA256:" + the SHA-256 of the raw 32-byte public key,
# which is the last 32 bytes of the DER SubjectPublicKeyInfo.
source "$CLI_LIB"
expect_status 0 casefile key generate k
gen_fp=$(cat out)
want="SHA256:$(openssl pkey -pubin -in k.pub -outform DER | tail -c 32 | sha256sum | cut -d' ' -f1)"
expect_status 0 casefile key fingerprint k.pub
[ "$(cat out)" = "$want" ] || die "fingerprint $(cat out), expected $want"
[ "$gen_fp" = "$want" ] || die "generate printed $gen_fp, expected $want"
# The private key file gives the same fingerprint.
expect_status 0 casefile key fingerprint k.key
[ "$(cat out)" = "$want" ] || die "k.key fingerprint $(cat out)"
# A key made by OpenSSL alone.
openssl genpkey -algorithm ed25519 -out o.key 2>/dev/null
openssl pkey -in o.key -pubout -out o.pub
want="SHA256:$(openssl pkey -pubin -in o.pub -outform DER | tail -c 32 | sha256sum | cut -d' ' -f1)"
expect_status 0 casefile key fingerprint o.pub
[ "$(cat out)" = "$want" ] || die "o.pub fingerprint $(cat out), expected $want"
