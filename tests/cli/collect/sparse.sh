# SPDX-License-Identifier: Apache-2.0
# A sparse file is stored as a pax sparse member (GNU format 1.0) and the
# archive verifies. Before, a sparse lastlog of more than about 19 MB (its
# holes compressing beyond the 1000:1 verify accepts) made an archive that
# casefile verify refused as a decompression bomb, and the shipped profile
# only hashed a lastlog above 8 MiB. Here a lastlog of 64 MiB apparent size
# holding two records is collected through the shipped profile under
# --root, verifies, extracts with GNU tar and bsdtar to the same bytes
# (sha256sum -c), and a file of zeros that is not sparse stays an ordinary
# member. The same file given as a PATH argument makes an archive of a few
# kilobytes that verifies too, beside a small sparse file held in memory.
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
h=host
mkdir -p $h/etc $h/var/log
echo ehr-web-01 > $h/etc/hostname
truncate -s 64M $h/var/log/lastlog
# struct lastlog is 292 bytes, indexed by uid: uids 1000 and 60000
printf '\x80\x61\x5c\x69pts/0' | dd of=$h/var/log/lastlog bs=1 seek=292000 conv=notrunc status=none
printf '\x80\x61\x5c\x69pts/1' | dd of=$h/var/log/lastlog bs=1 seek=17520000 conv=notrunc status=none
[ "$(du -k $h/var/log/lastlog | cut -f1)" -lt 1024 ] || die "this file system does not keep the file sparse"
head -c 1M /dev/zero > $h/var/log/faillog  # zeros, but not sparse
want=$(sha256sum < $h/var/log/lastlog | cut -d' ' -f1)

expect_status 0 casefile collect --quiet -o o.tar.zst --key k.key --profile linux-ehr-ai-host --root $h
expect_status 0 casefile verify --trust k.pub o.tar.zst
expect_grep '^OK ' out
recipe o.tar.zst k.pub
member o.tar.zst casefile/items.jsonl > items
jq -s -e --arg w "$want" 'map(select(.path == "/var/log/lastlog")) | length == 1 and (.[0] |
  .size == 67108864 and .sha256 == $w and .skip_reason == null and .member != null)' items >/dev/null ||
  die "lastlog item (want $want): $(jq -c 'select(.path == "/var/log/lastlog")' items)"
member o.tar.zst evidence/lastlog/var/log/lastlog | cmp - $h/var/log/lastlog || die "lastlog bytes differ"
# the lastlog is the one sparse member; the holes were not stored
zstd -dc o.tar.zst > o.tar
[ "$(grep -a -c 'GNU.sparse.name=evidence/lastlog/var/log/lastlog' o.tar)" = 1 ] || die "lastlog is not a sparse member"
[ "$(grep -a -c 'GNU.sparse.major=' o.tar)" = 1 ] || die "another member is sparse"
[ "$(stat -c %s o.tar)" -lt 4000000 ] || die "the holes were stored: $(stat -c %s o.tar) bytes of tar"
# the same file as a PATH argument (a few KB of archive), and a small one
# (held in memory, not spooled) that starts with a hole and ends in data
truncate -s 2M small
printf 'end' >> small
expect_status 0 casefile collect --quiet -o p.tar.zst --key k.key $h/var/log/lastlog small
[ "$(stat -c %s p.tar.zst)" -lt 65536 ] || die "archive of $(stat -c %s p.tar.zst) bytes"
expect_status 0 casefile verify --trust k.pub p.tar.zst
recipe p.tar.zst k.pub
[ "$(zstd -dc p.tar.zst | grep -a -c 'GNU.sparse.major=')" = 2 ] || die "not two sparse members"
member p.tar.zst "evidence/paths$(pwd)/small" | cmp - small || die "small: bytes differ"
