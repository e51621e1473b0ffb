# A bit flipped in any member's data, in the manifest, in the signature or
# in a pax digest is detected and named with its kind and member; the
# untouched copy passes (no false alarm).
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
body() {
  make_ref ref.tar -c none
  zstd -q ref.tar -o ref.tar.zst
  verify_json ref.tar.zst; expect_ok

  n=0
  while read -r block size name; do
    [ "$size" -gt 0 ] || continue
    for at in 0 $(( size / 2 )) $(( size - 1 )); do
      cp ref.tar m.tar
      flip m.tar $(( (block + 1) * 512 + at ))
      zstd -qf m.tar -o m.tar.zst
      verify_json m.tar.zst
      case $name in
        SHA256SUMS) expect_problem bad-signature SHA256SUMS.sig ;;
        SHA256SUMS.sig) expect_problem bad-signature SHA256SUMS.sig ;;
        *) expect_problem hash-mismatch "$name" ;;
      esac
      # the reference digest must not be claimed for an altered archive
      jq -e '.archives[0].ok == false' v.json >/dev/null || die "ok on $name"
      n=$((n + 1))
    done
  done < <(members ref.tar)
  [ $n -ge 24 ] || die "only $n flips placed"

  # the pax digest of an evidence member, in its extended header
  m=$(member ref.tar var/log/auth.log)
  hex=$(sha256sum <root/var/log/auth.log | cut -c1-64)
  off=$(grep -obUa "casefile.sha256=$hex" ref.tar | head -1 | cut -d: -f1)
  [ -n "$off" ] || die "pax keyword not found"
  cp ref.tar m.tar
  flip m.tar $(( off + 16 + 10 ))
  verify_json m.tar
  expect_problem pax-mismatch "$m"
  jq -e '[.archives[0].problems[].kind] == ["pax-mismatch"]' v.json >/dev/null ||
    die "a pax flip is only a pax mismatch: $(cat v.json)"

  # a flip in the manifest's text names a member: the digest there no longer
  # matches (and the signature fails)
  hosts=$(member ref.tar etc/hosts)
  off=$(grep -obUa "  $hosts" ref.tar | tail -1 | cut -d: -f1)
  cp ref.tar m.tar
  flip m.tar $(( off - 5 ))
  verify_json m.tar
  expect_problem hash-mismatch "$hosts"
  expect_problem bad-signature SHA256SUMS.sig
}
for_each_maker body
