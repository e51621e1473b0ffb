# OK, FAIL and warnings are coloured on a terminal only (a pty from
# util-linux script(1)), never when NO_COLOR is set to a non-empty value
# (https://no-color.org) and never when the output is not a terminal: the
# piped output stays byte for byte the plain text.
. "$CLI_LIB"; . "$FIXTURES/verify/mutate.bash"
command -v script >/dev/null || { echo "SKIP: no script(1)"; exit 0; }
make_keys && make_source root && make_ref a.zstd || die "fixture"
E=$'\033'
# on_tty OUT CMD...: runs CMD on a pseudo-terminal, its output in OUT
on_tty() { local o=$1; shift; script -qec "$*" /dev/null >"$o" </dev/null; }

unset NO_COLOR
on_tty t1 casefile verify --trust k.pub a.zstd || die "verify on a tty"
grep -qF "${E}[1;32mOK${E}[0m a.zstd signer " t1 || { cat -v t1; die "no green OK"; }
on_tty t2 casefile verify --trust other.pub a.zstd; [ $? = 1 ] || die "status"
grep -qF "${E}[1;31mFAIL${E}[0m a.zstd: " t2 || { cat -v t2; die "no red FAIL"; }
on_tty t3 casefile verify --key k.pub a.zstd
grep -qF "casefile verify: ${E}[33mwarning:${E}[0m --key PUB is deprecated" t3 ||
  { cat -v t3; die "no yellow warning"; }
on_tty t4 casefile verify --trust k.pub no-such.zstd
grep -qF "${E}[1;31mcasefile verify:${E}[0m " t4 || { cat -v t4; die "no red error prefix"; }
# an empty NO_COLOR does not disable colour
NO_COLOR= on_tty t5 casefile verify --trust k.pub a.zstd
grep -qF "${E}[1;32mOK" t5 || die "empty NO_COLOR disabled colour"

# NO_COLOR=1 on a terminal: no escape at all
for args in "--trust k.pub a.zstd" "--trust other.pub a.zstd" "--key k.pub a.zstd" \
            "--trust k.pub no-such.zstd"; do
  NO_COLOR=1 on_tty n casefile verify $args
  if grep -q "$E" n; then cat -v n; die "colour with NO_COLOR=1: verify $args"; fi
  grep -Eq '(^|: )(OK|FAIL|warning:)|casefile verify: ' n || die "no output: verify $args"
done

# piped: no escape, and the plain line
fp=$(casefile key fingerprint k.pub)
sums=$(tar -xOf a.zstd SHA256SUMS | sha256sum | cut -c1-64)
expect_status 0 casefile verify --trust k.pub a.zstd
[ "$(cat out)" = "OK a.zstd signer $fp sha256sums $sums" ] || die "piped line: $(cat -v out)"
expect_status 1 casefile verify --trust other.pub a.zstd
expect_status 0 casefile verify --key k.pub a.zstd
expect_grep '^casefile verify: warning: --key PUB' err
if grep -q "$E" out err; then die "colour in piped output"; fi
