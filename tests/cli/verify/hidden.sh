# SPDX-License-Identifier: Apache-2.0
# No hidden bytes: everything in an archive file is under the signature.
# Bytes outside the tar stream that decoders pass over silently are refused
# with status 1: a zstd skippable frame (at the end or the start), bytes
# after the last zstd frame, a gzip header with an extra field or a
# comment, a second gzip member, bytes after the gzip member; and inside the
# tar stream, what libarchive reads past: a global pax header, a pax keyword
# or extended attribute casefile never writes, non-zero data padding, and
# header facts items.jsonl does not vouch for (setuid bits, another mode,
# owner or mtime than the one recorded). The archives untouched verify.
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
body() {
  make_ref ref.tar.zst -c zstd
  make_ref ref.tar.gz -c gzip
  verify_json ref.tar.zst; expect_ok
  verify_json ref.tar.gz; expect_ok

  # zstd: a skippable frame (magic 0x184D2A50, 4 bytes of length, payload)
  { cat ref.tar.zst; printf '\x50\x2a\x4d\x18\x06\x00\x00\x00secret'; } > m.tar.zst
  verify_json m.tar.zst; expect_problem hidden-data -
  { printf '\x5f\x2a\x4d\x18\x06\x00\x00\x00secret'; cat ref.tar.zst; } > m.tar.zst
  verify_json m.tar.zst; expect_problem hidden-data -
  # zstd: bytes after the last frame
  { cat ref.tar.zst; printf 'secret'; } > m.tar.zst
  verify_json m.tar.zst; expect_problem trailing-data -

  # gzip: the reference has a bare 10-byte header (no flags)
  [ "$(head -c 4 ref.tar.gz | od -An -tx1 | tr -d ' \n')" = 1f8b0800 ] || die "reference gzip header has flags"
  { printf '\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\x03\x06\x00secret'; tail -c +11 ref.tar.gz; } > m.tar.gz
  verify_json m.tar.gz; expect_problem hidden-data -
  { printf '\x1f\x8b\x08\x10\x00\x00\x00\x00\x00\x03secret\x00'; tail -c +11 ref.tar.gz; } > m.tar.gz
  verify_json m.tar.gz; expect_problem hidden-data -
  # a file name (gzip's default for `gzip FILE`) hides nothing and is read
  { printf '\x1f\x8b\x08\x08\x00\x00\x00\x00\x00\x03ref.tar\x00'; tail -c +11 ref.tar.gz; } > m.tar.gz
  verify_json m.tar.gz; expect_ok
  # a second member, and bytes after the member
  { cat ref.tar.gz; printf 'secret' | gzip -n; } > m.tar.gz
  verify_json m.tar.gz; expect_problem hidden-data -
  { cat ref.tar.gz; printf 'secret'; } > m.tar.gz
  verify_json m.tar.gz; expect_problem hidden-data -

  # inside the tar stream: the archive rebuilt by GNU tar, with one extra
  make_ref ref.tar -c none
  all=$(tar -tf ref.tar)
  ev=$(member ref.tar etc/hosts)
  rm -rf x && mkdir x && tar -xf ref.tar -C x || die "extract"
  rb() { # rb OUT MEMBER TAR-OPTION...: x again; the options for MEMBER
    local out=$1 target=$2 n hex; shift 2
    rm -f "$out"
    for n in $all; do
      hex=$(sha256sum <"x/$n" | cut -c1-64)
      if [ "$n" = "$target" ]; then extra=("$@"); else extra=(); fi
      op=-r; [ -e "$out" ] || op=-c  # a global header takes -c
      tar --format=pax $op -f "$out" -C x \
        --pax-option="exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime" \
        --pax-option="SCHILY.xattr.user.casefile.sha256:=$hex" \
        "${extra[@]}" -- "$n" || die "tar $n"
    done
  }
  rb m.tar - ; verify_json m.tar; expect_ok
  # a global header before the first member (keyword=value makes one)
  rb m.tar casefile/collection.json --pax-option=comment=secret
  verify_json m.tar; expect_problem hidden-data casefile/collection.json
  # a keyword of the member's own pax header that casefile never writes
  rb m.tar "$ev" --pax-option=comment:=secret
  verify_json m.tar; expect_problem hidden-data "$ev"
  # an extended attribute other than the content digest
  rb m.tar "$ev" --pax-option=SCHILY.xattr.security.capability:=secret
  verify_json m.tar; expect_problem hidden-data "$ev"
  # setuid on a member whose item does not record it (reference items have
  # no stat) or records another mode (casefile's items have one)
  chmod u+s "x/$ev"
  rb m.tar "$ev"
  verify_json m.tar
  if [ "$MAKER" = collect ]; then expect_problem inconsistent-metadata "$ev"
  else expect_problem unexpected-header "$ev"; fi
  chmod u-s "x/$ev"
  if [ "$MAKER" = collect ]; then
    # another owner and another mtime than items.jsonl records
    rb m.tar "$ev" --owner=4242
    verify_json m.tar; expect_problem inconsistent-metadata "$ev"
    touch -d 2001-01-01 "x/$ev"
    rb m.tar "$ev"
    verify_json m.tar; expect_problem inconsistent-metadata "$ev"
  fi
  # a byte in the padding after a member's data
  size=$(member_size ref.tar "$ev")
  [ $(( size % 512 )) -ne 0 ] || die "no padding after $ev"
  cp ref.tar m.tar
  printf 'S' | dd of=m.tar bs=1 seek=$(( $(data_offset ref.tar "$ev") + size + 3 )) \
    conv=notrunc status=none
  next=$(echo "$all" | grep -A1 -x -F -- "$ev" | tail -1)
  verify_json m.tar; expect_problem hidden-data "$next"
}
for_each_maker body
