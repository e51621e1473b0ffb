# A private key that group or others can read is refused, naming the file.
source "$CLI_LIB"
expect_status 0 casefile key generate k
chmod 644 k.key
expect_status 3 casefile key fingerprint k.key
expect_grep "^casefile key fingerprint: private key 'k.key' is accessible by others \(mode 0644\); run 'chmod 600 k.key'$" err
[ -s out ] && die "stdout not empty"
chmod 640 k.key
expect_status 3 casefile key fingerprint k.key
expect_grep "'k.key' is accessible by others \(mode 0640\)" err
chmod 600 k.key
expect_status 0 casefile key fingerprint k.key
# The public key may be world-readable.
chmod 644 k.pub
expect_status 0 casefile key fingerprint k.pub
