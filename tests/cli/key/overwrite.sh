# Existing key files are never replaced without --force.
source "$CLI_LIB"
expect_status 0 casefile key generate k
cp k.key k.key.orig; cp k.pub k.pub.orig
expect_status 3 casefile key generate k
expect_grep "^casefile key generate: 'k.key' already exists \(use --force to replace it\)$" err
cmp -s k.key k.key.orig && cmp -s k.pub k.pub.orig || die "key files changed"
rm k.key
expect_status 3 casefile key generate k
expect_grep "'k.pub' already exists" err
[ -e k.key ] && die "k.key written although k.pub blocked"
expect_status 0 casefile key generate --force k
cmp -s k.pub k.pub.orig && die "--force did not replace k.pub"
[ "$(stat -c %a k.key)" = 600 ] || die "k.key mode after --force"
openssl pkey -in k.key -pubout | cmp -s - k.pub || die "k.key and k.pub do not match"
