# SPDX-License-Identifier: Apache-2.0
# collect under every injected allocation, write and fsync failure
# (sweep.bash): a fault ends in exit 3 with a message and neither the
# archive nor its .partial file left behind, or is absorbed and the archive
# verifies. The source is never changed.
. "$CLI_LIB"; . "$CASE_DIR/sweep.bash"
casefile key generate k >/dev/null 2>&1 || die "key"
mkdir src
printf 'Mar  3 10:00:01 host sshd[1]: Accepted publickey for u1\n' >src/auth.log
printf '{"resourceType":"AuditEvent","id":"a1"}\n' >src/audit.ndjson
before=$(cd src && find . -printf '%p %s %T@ %m\n' | sort; cat auth.log audit.ndjson | sha256sum)

sweep_prepare() { rm -f out.tar.zst out.tar.zst.partial; }
sweep_ok() {
  casefile verify --trust k.pub out.tar.zst >/dev/null 2>&1 || die "$1: the archive does not verify"
}
sweep_failed() {
  [ ! -e out.tar.zst ] || die "$1: exit 3 but out.tar.zst exists"
  [ ! -e out.tar.zst.partial ] || die "$1: out.tar.zst.partial left behind"
}
sweep casefile collect --quiet -o out.tar.zst --key k.key src
[ "$(cd src && find . -printf '%p %s %T@ %m\n' | sort; cat auth.log audit.ndjson | sha256sum)" = "$before" ] ||
  die "the source changed"
