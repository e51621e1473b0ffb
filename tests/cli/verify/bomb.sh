# Decompression bombs are refused by the expansion bound long before they
# are read, with status 1, kind "limit" and little memory: 10 GiB of zeros
# (concatenated zstd frames, about 250 KiB), a tar member of 10 GiB of
# zeros, and a sparse member of 1 TiB of holes.
. "$CLI_LIB"
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null &&
  openssl pkey -in k.pem -pubout -out k.pub || die "key"
head -c 64M /dev/zero | zstd -q -1 >z.zst || die "zstd"
frames() { for i in $(seq 160); do cat z.zst; done; }   # 160 x 64 MiB

refused() { # refused ARCHIVE: status 1, kind limit, max RSS < 64 MiB
  /usr/bin/time -f %M -o rss casefile verify --trust k.pub --json "$1" >v.json 2>err
  local rc=$?
  [ $rc = 1 ] || { cat err; die "$1: status $rc"; }
  jq -e '.archives[0].problems | any(.kind == "limit" and (.detail | test("1000:1")))' \
    v.json >/dev/null || die "$1 not refused by the bound: $(cat v.json)"
  [ "$(tail -1 rss)" -lt 65536 ] || die "$1: max RSS $(tail -1 rss) KiB"
}

frames >bomb.tar.zst
refused bomb.tar.zst

# a valid tar header for a 10 GiB member, then its zeros
mkdir d && truncate -s 10G d/zeros
{ tar --format=pax -cf - -C d zeros 2>/dev/null | head -c 1536 | zstd -q; frames; } >tarbomb.tar.zst
refused tarbomb.tar.zst

# a GNU sparse member: 1 TiB of holes in a few bytes of tar
truncate -s 1T d/sparse && rm d/zeros
tar --format=pax --sparse -cf - -C d sparse | zstd -q >sparse.tar.zst
[ "$(stat -c %s sparse.tar.zst)" -lt 100000 ] || die "sparse archive too big"
refused sparse.tar.zst
