# The signature must be by a trusted key over the exact SHA256SUMS bytes:
# swapped, signed by another key, truncated or padded signatures fail, and a
# valid signature by a key not given is named as an untrusted signer.
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
body() {
  make_ref ref.tar -c none
  make_ref ref2.tar -c none
  mkdir x y && tar -xf ref.tar -C x && tar -xf ref2.tar -C y || die "extract"
  all=$(names ref.tar)

  # the signature of another archive by the same key
  cp y/SHA256SUMS.sig x/SHA256SUMS.sig && rebuild m.tar x $all
  verify_json m.tar
  expect_problem bad-signature SHA256SUMS.sig
  # SHA256SUMS re-signed by another key (signer.pub still names ours)
  openssl pkeyutl -sign -inkey other.pem -rawin -in x/SHA256SUMS -out x/SHA256SUMS.sig
  rebuild m.tar x $all
  verify_json m.tar
  expect_problem bad-signature SHA256SUMS.sig
  # wrong lengths
  tar -xf ref.tar -C x SHA256SUMS.sig
  for len in 0 63 65 128; do
    { cat x/SHA256SUMS.sig; head -c 64 /dev/zero; } | head -c $len >x/bad.sig
    cp x/bad.sig x/SHA256SUMS.sig.tmp
    mv x/SHA256SUMS.sig x/good.sig && mv x/SHA256SUMS.sig.tmp x/SHA256SUMS.sig
    rebuild m.tar x $all
    verify_json m.tar
    expect_problem bad-signature SHA256SUMS.sig
    grep -q "is $len bytes" v.json || die "length not named: $(cat v.json)"
    mv x/good.sig x/SHA256SUMS.sig
  done
  # a whole archive signed by a key that was not given
  (mv k.pem k.keep && cp other.pem k.pem && make_ref o.tar -c none; mv k.keep k.pem)
  verify_json o.tar
  expect_problem untrusted-signer SHA256SUMS.sig
  grep -q "$(casefile key fingerprint other.pub)" v.json || die "signer not named"
  casefile verify --trust other.pub o.tar >out || die "other key should pass"
  # the text form prints every problem, one per line
  expect_status 1 casefile verify --trust k.pub o.tar
  expect_grep '^FAIL o.tar: SHA256SUMS.sig: signed by SHA256:[0-9a-f]{64} \(casefile/signer.pub\), which is not a trusted key$' out
}
for_each_maker body
