# Untouched reference archives pass, whatever their compression, in the
# documented text and JSON forms; the digest is that of SHA256SUMS and the
# signer is the fingerprint `casefile key fingerprint` prints.
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
body() {
  fp=$(casefile key fingerprint k.pub)
  for c in zstd gzip none; do
    make_ref a.$c -c $c
    sums=$(tar -xOf a.$c SHA256SUMS | sha256sum | cut -c1-64)
    expect_status 0 casefile verify --trust k.pub a.$c
    [ "$(cat out)" = "OK a.$c signer $fp sha256sums $sums" ] || die "line: $(cat out)"
    verify_json a.$c; expect_ok
    jq -e --arg fp "$fp" --arg s "$sums" --arg p "a.$c" \
      '(keys == ["archives","ok"]) and (.archives[0] | keys ==
         ["ok","path","problems","sha256sums","signer"]) and
       .archives[0].signer == $fp and .archives[0].sha256sums == $s and
       .archives[0].path == $p' v.json >/dev/null || die "JSON: $(cat v.json)"
  done
  # several keys: any one of them may be the signer; a chain of two passes
  make_ref b.zstd -p a.zstd
  expect_status 0 casefile verify --trust other.pub --trust k.pub a.zstd b.zstd
  [ "$(grep -c '^OK ' out)" = 2 ] || die "two OK lines expected"
  # the archive is readable by the independent recipe, too
  mkdir x && tar --zstd -xf a.zstd -C x && (cd x && sha256sum -c --quiet SHA256SUMS) &&
    openssl pkeyutl -verify -pubin -inkey k.pub -rawin -in x/SHA256SUMS \
      -sigfile x/SHA256SUMS.sig >/dev/null || die "independent check failed"
}
for_each_maker body
