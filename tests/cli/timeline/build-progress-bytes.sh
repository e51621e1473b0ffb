# `timeline build --progress` moves on by the compressed bytes of the
# archive as they are read, not only when a member ends: through one large
# log (tens of MB, most of the archive) the line is redrawn with bytes
# counted while no member is finished yet ("0 items, N MiB").
source "$CLI_LIB"
expect_status 0 casefile demo d --generate-only
mkdir -p h/var/log
cat d/host/var/log/ehr/*.ndjson d/host/var/log/nginx/access.log > h/var/log/big.log
cat h/var/log/big.log h/var/log/big.log > h/var/log/big2.log && mv h/var/log/big2.log h/var/log/big.log
expect_status 0 casefile key generate k
expect_status 0 casefile collect -o a.tar.zst --key k.key h/var/log/big.log
expect_status 0 casefile --progress timeline build --db t.db --trust k.pub a.tar.zst
tr '\r' '\n' < err > lines
grep -Eq 'timeline build: 0 items, [0-9.]+ [KM]iB' lines || { cat lines >&2; die "no progress within the member"; }
