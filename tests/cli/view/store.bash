# SPDX-License-Identifier: Apache-2.0
# Sourced by the cases of tests/cli/view (not a case: no .sh): builds a
# small store t.db from tests/fixtures/view plus a syslog line of hostile
# strings (HTML, script, an escape sequence, BEL), stores the findings of
# the shipped rules, and starts `casefile view --port 0` on it. Sets URL
# (the first line the server printed), BASE (http://HOST:PORT), TOKEN and
# VIEW_PID; the server is killed by its pid when the case exits.
casefile key generate k >/dev/null 2>&1 || die "key"
mkdir src
cp "$FIXTURES"/view/auth.log "$FIXTURES"/view/access.log src/
printf 'Mar  4 12:30:00 web app[77]: <img src=x onerror=alert(2)><script>alert(1)</script> \033[2J\033]0;owned\007 & "done"\n' >src/syslog
casefile collect --quiet -o a.tar.zst --key k.key src >/dev/null 2>&1 || die "collect"
casefile timeline build --db t.db --trust k.pub a.tar.zst >/dev/null 2>&1 || die "build"
casefile timeline detect --db t.db --store >/dev/null 2>&1 || die "detect"

casefile view --db t.db --port 0 >view.out 2>view.err &
VIEW_PID=$!
trap 'kill "$VIEW_PID" 2>/dev/null; wait "$VIEW_PID" 2>/dev/null' EXIT
for _ in $(seq 100); do
  [ -s view.out ] && break
  kill -0 "$VIEW_PID" 2>/dev/null || { cat view.err >&2; die "view exited"; }
  sleep 0.1
done
URL=$(head -n 1 view.out)
[[ $URL =~ ^(http://127\.0\.0\.1:[0-9]+)/\?token=([0-9a-f]{32})$ ]] || die "first line: $URL"
BASE=${BASH_REMATCH[1]}
TOKEN=${BASH_REMATCH[2]}
