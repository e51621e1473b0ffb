# Unreadable or wrong key files are runtime errors (3) naming the file.
source "$CLI_LIB"
expect_status 3 casefile key fingerprint nope.pub
expect_grep "^casefile key fingerprint: cannot open key 'nope.pub': No such file or directory$" err
echo "not a key" >junk.pub
expect_status 3 casefile key fingerprint junk.pub
expect_grep "'junk.pub' is not a PEM public key" err
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null |
  openssl pkey -pubout -out ec.pub
expect_status 3 casefile key fingerprint ec.pub
expect_grep "'ec.pub' is not an Ed25519 key" err
mkdir ro && chmod 555 ro
if [ ! -w ro ]; then  # (root can write anywhere)
  expect_status 3 casefile key generate ro/k
  expect_grep "cannot create 'ro/k.key.partial': Permission denied" err
fi
exit 0
