# SPDX-License-Identifier: Apache-2.0
# A rotated log compressed with a format casefile does not decode (lrzip,
# lzop, grzip, lz4, compress), alone or inside gzip, is never decompressed
# by an external program, whatever is on PATH: libarchive would start
# `lrzip -d` for the data inside a gzip member if every filter were enabled.
# Each such member is a reject naming the format; a gzip log beside them is
# parsed as before.
source "$CLI_LIB"
F=$FIXTURES/timeline
mkdir -p fake root/var/log
for p in lrzip lz4 lzop grzip lzip uncompress compress; do
  printf '#!/bin/sh\necho %s >>"%s/ran"\ncat >/dev/null\necho "Mar  1 10:00:00 ehr01 %s[1]: forged"\n' \
    "$p" "$PWD" "$p" >"fake/$p"
  chmod +x "fake/$p"
done
pad() { head -c 64 /dev/zero; }
{ printf 'LRZI\000\006'; pad; } | gzip >root/var/log/lrz.log.1.gz
{ printf '\211LZO\000\015\012\032\012'; pad; } | gzip >root/var/log/lzo.log.1.gz
{ printf 'GRZipII\000\002\004:)'; pad; } | gzip >root/var/log/grz.log.1.gz
{ printf '\004\042\115\030\144\100\247'; pad; } | xz >root/var/log/lz4.log.1.xz
{ printf 'LRZI\000\006'; pad; } >root/var/log/plain.log.2.lrz
{ printf '\037\235\220'; pad; } >root/var/log/old.log.3.Z
cp "$F/made/root/var/log/nginx/access.log.1.gz" root/var/log/access.log.1.gz
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
openssl pkey -in k.pem -pubout -out k.pub
bash "$F/make-archive.sh" a.tar.zst k.pem root var/log/lrz.log.1.gz:system-log \
  var/log/lzo.log.1.gz:system-log var/log/grz.log.1.gz:system-log \
  var/log/lz4.log.1.xz:system-log var/log/plain.log.2.lrz:system-log \
  var/log/old.log.3.Z:system-log var/log/access.log.1.gz:access-log || die make-archive
PATH="$PWD/fake:$PATH" expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
[ ! -e ran ] || die "an external decompressor ran: $(cat ran)"
[ "$(sqlite3 t.db "select count(*) from events where message like '%forged%'")" = 0 ] || die "forged events"
rej() { sqlite3 t.db "select reason from rejects where member = 'evidence/files/var/log/$1'"; }
for m in lrz.log.1.gz:lrzip lzo.log.1.gz:lzop grz.log.1.gz:grzip lz4.log.1.xz:lz4; do
  rej "${m%%:*}" | grep -q "^decompresses to data compressed with ${m#*:}, which casefile does not decode" \
    || die "no reject for ${m%%:*}: $(rej "${m%%:*}")"
done
rej plain.log.2.lrz | grep -q '^compressed with lrzip, which' || die "no reject for plain.log.2.lrz"
rej old.log.3.Z | grep -q '^compressed with compress (.Z), which' || die "no reject for old.log.3.Z"
[ "$(sqlite3 t.db "select count(*) from events where member like '%access.log.1.gz'")" -gt 0 ] \
  || die "the gzip access log was not parsed"
