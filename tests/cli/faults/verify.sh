# SPDX-License-Identifier: Apache-2.0
# verify under every injected allocation failure (sweep.bash): a fault ends
# in exit 3 with a message and no verdict, or is absorbed and the verdict is
# the same as without it. Never "altered" because we ran out of memory,
# never "OK" without having checked. Then the same on an archive with one
# altered member: the verdict is that member, or exit 3.
. "$CLI_LIB"; . "$CASE_DIR/sweep.bash"
casefile key generate k >/dev/null 2>&1 || die "key"
mkdir src
printf 'Mar  3 10:00:0%d host sshd[1]: Accepted publickey for u%d\n' 1 1 2 2 3 3 >src/auth.log
printf '{"resourceType":"AuditEvent","id":"a%d"}\n' 1 2 >src/audit.ndjson
casefile collect --quiet -o a.tar.zst --key k.key src >/dev/null 2>&1 || die "collect"

sweep_prepare() { :; }
sweep_ok() { cmp -s sweep.out sweep.ref || { diff sweep.ref sweep.out >&2; die "$1: a different verdict"; }; }
sweep_failed() {
  ! grep -Eq '^(OK|FAIL)' sweep.out || { cat sweep.out >&2; die "$1: a verdict although verify failed"; }
}
sweep casefile verify --trust k.pub a.tar.zst

# one member altered, same length: re-pack with GNU tar
mkdir x && tar --zstd -xf a.tar.zst -C x || die "extract"
(cd x && m=$(find evidence -name auth.log) && sed -i 's/u1/u9/' "$m" &&
  tar --zstd --format=pax -cf ../b.tar.zst $(tar --zstd -tf ../a.tar.zst)) || die "re-pack"
grep -q '^FAIL' <(casefile verify --trust k.pub b.tar.zst) || die "the altered archive verifies"
SWEEP_STATUS=1 sweep casefile verify --trust k.pub b.tar.zst
