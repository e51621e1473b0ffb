# key generate writes PREFIX.key (PKCS#8, 0600) and PREFIX.pub (SPKI) that
# OpenSSL reads, and prints the fingerprint.
source "$CLI_LIB"
umask 022
expect_status 0 casefile key generate k
expect_grep '^SHA256:[0-9a-f]{64}$' out
[ "$(wc -l <out)" = 1 ] || die "stdout is not one line"
expect_grep "^casefile key generate: wrote k.key \(private, mode 0600\) and k.pub$" err
[ "$(stat -c %a k.key)" = 600 ] || die "k.key mode $(stat -c %a k.key)"
[ "$(stat -c %a k.pub)" = 644 ] || die "k.pub mode $(stat -c %a k.pub)"
grep -q '^-----BEGIN PRIVATE KEY-----$' k.key || die "k.key is not PKCS#8 PEM"
grep -q '^-----BEGIN PUBLIC KEY-----$' k.pub || die "k.pub is not SPKI PEM"
openssl pkey -in k.key -noout || die "openssl refuses k.key"
openssl pkey -pubin -in k.pub -noout || die "openssl refuses k.pub"
openssl pkey -in k.key -noout -text | grep -q ED25519 || die "k.key is not Ed25519"
# The public half of k.key is k.pub.
openssl pkey -in k.key -pubout | cmp -s - k.pub || die "k.pub is not k.key's public half"
# Nothing else was left behind (no .partial).
[ "$(ls | sort | tr '\n' ' ')" = "err k.key k.pub out " ] || die "unexpected files: $(ls)"
# A prefix in another folder.
mkdir sub
expect_status 0 casefile key generate sub/signer
[ -f sub/signer.key ] && [ -f sub/signer.pub ] || die "sub/signer.* missing"
