# An archive of a tree of files passes the independent recipe (GNU tar and
# bsdtar without warnings, sha256sum -c, openssl pkeyutl) with every
# compression; items.jsonl lists every file with its size, SHA-256 (as
# sha256sum computes it) and MIME type; the sources are byte-identical
# afterwards with unchanged mtime, ctime and atime; pax headers keep the
# nanosecond mtime and owner and `tar --xattrs` restores the digest.
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
mkdir -p src/var/log/nginx src/etc/app src/models/deep/er
printf '127.0.0.1 - - [01/Mar/2026:14:02:03 +0000] "GET / HTTP/1.1" 200 12\n' > src/var/log/nginx/access.log
printf 'Mar  1 14:02:03 host sshd[1]: Accepted publickey for ops\n' > src/var/log/auth.log
printf 'Mar  1 14:02:03 host sshd[1]: old\n' | gzip -n > src/var/log/auth.log.2.gz
printf '{"decision":"flag","score":0.91}\n' > src/var/log/decisions.jsonl
printf 'listen 443;\n' > src/etc/app/app.conf
# spooled (> 4 MiB); incompressible but fixed: random bytes from /dev/urandom
# now and then begin with something libmagic recognises.
head -c 5000000 /dev/zero | openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f \
  -iv 00000000000000000000000000000000 > src/models/deep/er/model.bin
: > src/empty
printf 'name with space\n' > 'src/etc/app/a file.txt'
chown 4242:4343 src/etc/app/app.conf
touch -d '2021-02-03 04:05:06.123456789' src/var/log/auth.log
find src -type f -exec sha256sum {} + | sort -k2 > sums.before
# atimes in the past, so that a read that updated them would show (relatime
# updates an atime older than a day); nothing but casefile reads the
# sources until the stat comparison below.
find src -type f -exec touch -a -d '2020-01-01 00:00:00' {} +
snap() { find src -type f | sort | while read -r f; do
  stat -c '%n %s %Y.%y %Z.%z %X.%x %i %a %u %g' "$f"; done; }
snap > stat.before

for comp in zstd gzip none; do
  expect_status 0 casefile collect -o "out-$comp.tar" --key k.key --compress $comp src
  [ ! -e "out-$comp.tar.partial" ] || die "partial file left behind"
done
# sources untouched: mtime, ctime and (O_NOATIME) atime, before anything
# else reads them
snap | diff stat.before - || die "a source's stat changed"
recipe out-zstd.tar k.pub
for comp in gzip none; do
  d=x-$comp; mkdir $d
  tar -xf out-$comp.tar -C $d 2>err.$comp || die "GNU tar failed ($comp)"
  [ ! -s err.$comp ] || die "GNU tar warned ($comp)"
  (cd $d && sha256sum --strict -c SHA256SUMS >/dev/null) || die "sums ($comp)"
  openssl pkeyutl -verify -pubin -inkey k.pub -rawin -in $d/SHA256SUMS \
    -sigfile $d/SHA256SUMS.sig >/dev/null || die "signature ($comp)"
done
gzip -t out-gzip.tar || die "not gzip"
zstd -t -q out-zstd.tar || die "not zstd"

# member order of SPEC section 2
tar --zstd -tf out-zstd.tar > names
[ "$(head -1 names)" = casefile/collection.json ] || die "collection.json is not first"
tail -5 names | tr '\n' ' ' | grep -qx 'casefile/items.jsonl casefile/log.jsonl casefile/signer.pub SHA256SUMS SHA256SUMS.sig ' \
  || die "wrong order at the end: $(tail -5 names | tr '\n' ' ')"
[ "$(grep -c '^evidence/paths/' names)" = 8 ] || die "expected 8 evidence members"
# SHA256SUMS lists every member but itself and its signature, in order
mkdir x && tar --zstd -xf out-zstd.tar -C x
cut -c67- x/SHA256SUMS | diff - <(head -n -2 names) || die "SHA256SUMS order differs from the archive"

# items.jsonl against sha256sum, sizes and libmagic
cwd=$(pwd)
while read -r sum file; do
  abs="$cwd/${file}"
  line=$(jq -c --arg p "$abs" 'select(.path == $p)' x/casefile/items.jsonl)
  [ -n "$line" ] || die "no item for $abs"
  [ "$(jq -r .sha256 <<<"$line")" = "$sum" ] || die "sha256 of $file"
  [ "$(jq -r .size <<<"$line")" = "$(stat -c %s "$file")" ] || die "size of $file"
  [ "$(jq -r .member <<<"$line")" = "evidence/paths${abs}" ] || die "member of $file"
  cmp -s "$file" "x/evidence/paths${abs}" || die "stored bytes of $file differ"
  [ "$(jq -r .changed_during_read <<<"$line")" = false ] || die "$file flagged changed"
done < sums.before
mime() { jq -r --arg p "$cwd/$1" 'select(.path == $p) | .mime' x/casefile/items.jsonl; }
[ "$(mime src/var/log/auth.log.2.gz)" = application/gzip ] || die "gzip MIME: $(mime src/var/log/auth.log.2.gz)"
[ "$(mime src/var/log/auth.log)" = text/plain ] || die "text MIME"
[ "$(mime src/empty)" = application/x-empty ] || die "empty MIME"
[ "$(mime src/models/deep/er/model.bin)" = application/octet-stream ] || die "binary MIME"
jq -c --arg p "$cwd/src/var/log/auth.log" 'select(.path == $p)' x/casefile/items.jsonl |
jq -e '.stat.mtime == "2021-02-03T04:05:06.123456Z" and .stat.mtime_ns == "1612325106123456789"
  and .collected_at != null and .category == "auth-log" and .source == "paths"' \
  >/dev/null ||
  die "stat of auth.log in items.jsonl: $(grep auth.log x/casefile/items.jsonl)"

# pax header: ns mtime, owner ids, digest as SCHILY xattr, nothing else
tar --zstd -tvf out-zstd.tar --full-time "evidence/paths$cwd/src/etc/app/app.conf" > tv
expect_grep '4242/4343' tv
tar --zstd -tvf out-zstd.tar --full-time "evidence/paths$cwd/src/var/log/auth.log" > tv
expect_grep '2021-02-03 04:05:06\.123456789' tv
zstd -dc out-zstd.tar | grep -a -c 'LIBARCHIVE\.' > lib.count || true
[ "$(cat lib.count)" = 0 ] || die "LIBARCHIVE.* pax keywords present"
mkdir xa && tar --zstd --xattrs --xattrs-include='user.*' -xf out-zstd.tar -C xa 2>xa.err
[ ! -s xa.err ] || die "tar --xattrs warned"
want=$(sha256sum "src/var/log/auth.log" | cut -d' ' -f1)
got=$(getfattr --only-values -n user.casefile.sha256 "xa/evidence/paths$cwd/src/var/log/auth.log") \
  || die "tar --xattrs did not restore user.casefile.sha256"
[ "$got" = "$want" ] || die "xattr restored as '$got'"

# sources byte-identical
find src -type f -exec sha256sum {} + | sort -k2 | diff sums.before - || die "a source changed"

# collection.json
jq -e '.format == 1 and .sequence == 1 and .previous == null and .profile == null
  and (.collection_id | test("^[0-9a-f-]{36}$")) and .host.hostname != null
  and .tool.name == "casefile" and .tool.libraries.sqlite != null
  and (.started_at | test("^[0-9T:.-]+Z$"))' x/casefile/collection.json >/dev/null \
  || die "collection.json fields"
# signer.pub is the key that signed
cmp -s x/casefile/signer.pub k.pub || die "signer.pub differs"
# log.jsonl ends with finished_at
tail -1 x/casefile/log.jsonl | jq -e '.event == "finished" and .finished_at != null' >/dev/null \
  || die "log.jsonl does not end with finished"
# refuses to replace an existing archive
expect_status 3 casefile collect -o out-zstd.tar --key k.key src
expect_grep "out-zstd.tar" err
