# A truncated archive (inside a member, at a member boundary, inside the
# end marker; compressed or not), trailing bytes, and a corrupt compressed
# stream are each reported as such, with status 1.
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
body() {
  make_ref ref.tar -c none
  size=$(stat -c %s ref.tar)
  sig=$(members ref.tar | awk '$3 == "SHA256SUMS.sig" { print $1 }')
  hosts_m=$(member ref.tar etc/hosts)
  hosts=$(data_offset ref.tar "$hosts_m")
  for cut in 100 $(( hosts + 5 )) $(( hosts - 512 )) $(( (sig + 2) * 512 )) \
             $(( (sig + 2) * 512 + 512 )) $(( size / 2 )); do
    head -c $cut ref.tar >m.tar
    verify_json m.tar
    expect_kind truncated
    zstd -qf m.tar -o m.tar.zst
    verify_json m.tar.zst
    expect_kind truncated
  done
  # a cut in the middle of a member names that member
  head -c $(( hosts + 2 )) ref.tar >m.tar
  verify_json m.tar
  expect_problem truncated "$hosts_m"

  # the compressed file cut short
  zstd -q ref.tar -o ref.tar.zst
  zsize=$(stat -c %s ref.tar.zst)
  for cut in 20 $(( zsize / 2 )) $(( zsize - 3 )); do
    head -c $cut ref.tar.zst >m.tar.zst
    verify_json m.tar.zst
    [ "$vrc" = 1 ] || die "cut at $cut: status $vrc"
    jq -e '.archives[0].problems | any(.kind == "truncated" or .kind == "decompression-error")' \
      v.json >/dev/null || die "cut at $cut: $(cat v.json)"
  done

  # trailing bytes after the end marker, inside and beyond the padding
  cp ref.tar m.tar && printf 'junk' >>m.tar
  verify_json m.tar
  expect_problem trailing-data -
  cp ref.tar m.tar && printf 'X' | dd of=m.tar bs=1 seek=$(( (sig + 4) * 512 + 7 )) conv=notrunc status=none
  zstd -qf m.tar -o m.tar.zst
  verify_json m.tar.zst
  expect_problem trailing-data -
  # garbage after the zstd frame: bytes outside the signed tar stream
  cp ref.tar.zst m.tar.zst && printf 'garbage' >>m.tar.zst
  verify_json m.tar.zst
  expect_problem trailing-data -
  # a byte flipped inside the compressed stream
  cp ref.tar.zst m.tar.zst && flip m.tar.zst $(( zsize / 2 ))
  verify_json m.tar.zst
  [ "$vrc" = 1 ] || die "compressed flip: status $vrc"
  # zero padding beyond the record is only padding
  cp ref.tar m.tar && head -c 20480 /dev/zero >>m.tar
  verify_json m.tar; expect_ok
}
for_each_maker body
