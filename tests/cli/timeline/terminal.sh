# The table of `timeline query` is read on a terminal, and its fields come
# from logs of a compromised host: control characters (an escape sequence
# that clears the screen or retitles the window, a C1 CSI) are shown as
# \xNN, never sent as they are; the other formats keep the bytes (CSV and
# JSON carry the evidence exactly, JSON escaping them its own way).
# Messages on stderr, which name files, are escaped the same way.
. "$CLI_LIB"
casefile key generate k >/dev/null 2>&1 || die "key"
mkdir src
printf 'Mar  3 10:00:01 ehr sshd[7]: Accepted publickey for \033[2Jroot\302\233 from 10.0.0.1 port 22 ssh2\n' >src/auth.log
printf 'Mar  3 10:00:02 ehr app[8]: \033]0;owned\007 caf\303\251 done\n' >>src/auth.log
casefile collect --quiet -o a.tar.zst --key k.key src >/dev/null 2>&1 || die "collect"
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
expect_status 0 casefile timeline query --db t.db
[ "$(wc -l <out)" -ge 2 ] || die "rows: $(cat -v out)"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' out; then
  die "a control character reached the table: $(cat -v out)"
fi
grep -qF '\x1b[2Jroot\xc2\x9b' out || die "escape not shown: $(cat -v out)"
grep -qF '\x1b]0;owned\x07 café done' out || die "second line: $(cat -v out)"
# the evidence itself is unchanged in the other formats
expect_status 0 casefile timeline query --db t.db --format csv
grep -q $'\033\\[2Jroot' out || die "csv lost the bytes"
# messages on stderr name files from the evidence: escaped the same way
casefile timeline build --db t2.db --trust k.pub "$(printf 'no\033[2J.tar.zst')" >out 2>err
grep -qF 'no\x1b[2J.tar.zst' err || die "message: $(cat -v err)"
! grep -q $'\033' err || die "an escape reached stderr: $(cat -v err)"
