# SPDX-License-Identifier: Apache-2.0
# The page of `casefile view` in headless Chromium (Debian's chromium): a
# filtered link shows exactly the events `timeline query` prints for the
# same filter, its filters back in the form; the hostile strings of an
# event (HTML, <script>, an escape sequence, BEL) are rendered as text,
# never as markup; the findings are listed; a screenshot is taken. The
# DOM is read with --dump-dom after the scripts ran (--virtual-time-budget
# lets the page's API calls finish first).
. "$CLI_LIB"
command -v chromium >/dev/null || die "chromium is not installed (debian-packages.txt [test])"
. "$CASE_DIR/store.bash"

browse() {
  HOME=$PWD timeout 120 chromium --headless --no-sandbox --disable-gpu \
    --no-first-run --user-data-dir="$PWD/chrome" --virtual-time-budget=10000 \
    "$@" 2>chromium.err
}

# a filtered link: the rows are those of timeline query, in its order
browse --dump-dom "$URL&ip=203.0.113.77&from=2026-03-04" >dom.html || die "chromium: $(tail -3 chromium.err)"
casefile timeline query --db t.db --ip 203.0.113.77 --from 2026-03-04 --format jsonl |
  jq -r '.time' >want
[ "$(wc -l <want)" = 4 ] || die "fixture: $(cat want)"
grep -o '<span class="c-time"[^>]*>[^<]*</span>' dom.html | sed 's/.*>\([^<]*\)<.*/\1/' >got
cmp -s want got || { diff want got >&2; die "rendered rows differ from timeline query"; }
expect_grep 'id="status"[^>]*>4 event\(s\)' dom.html
# and they are the same events: the rows' store ids against the ids of the
# events timeline query printed, found in the store by their evidence
# pointer (archive, member, line, byte offset)
grep -o 'class="row event[^"]*" data-id="[0-9]*"' dom.html | grep -o '[0-9]*"$' | tr -d '"' >got.ids
casefile timeline query --db t.db --ip 203.0.113.77 --from 2026-03-04 --format jsonl |
  jq -r '"select id from events where archive = \(.archive | @sh) and member = \(.member | @sh) and line = \(.line) and \"offset\" = \(.offset);"' |
  sqlite3 t.db >want.ids
[ "$(wc -l <want.ids)" = 4 ] || die "ids: $(cat want.ids)"
cmp -s want.ids got.ids || { diff want.ids got.ids >&2; die "rendered ids differ from timeline query's events"; }
expect_grep '<input name="ip"[^>]*value="203.0.113.77"|name="ip"' dom.html
# findings
expect_grep 'Direct SSH login as root' dom.html

# a link to one event and its raw line: without a trusted key the page
# says why and shows no bytes; with one, the line read from the verified
# archive, as text
root=$(curl -sS "$BASE/api/events?token=$TOKEN&actor=root" | jq '.events[0].id')
browse --dump-dom "$URL&event=$root&raw=1" >dom.html || die "chromium"
expect_grep '<p class="raw-missing" id="raw">Raw line not available: no trusted key' dom.html
casefile view --db t.db --port 0 --trust k.pub >v2.out 2>v2.err &
V2=$!
for _ in $(seq 100); do [ -s v2.out ] && break; sleep 0.1; done
browse --dump-dom "$(head -n 1 v2.out)&event=$root&raw=1" >dom.html || die "chromium"
kill "$V2"; wait "$V2" 2>/dev/null || true
line=$(sed -n 8p src/auth.log | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')
grep -qF "<pre class=\"raw\" id=\"raw\">$line</pre>" dom.html ||
  die "raw line not shown: $(grep -o '<pre class="raw".*</pre>' dom.html)"
expect_grep 'Verified: archive signed by SHA256:' dom.html

# hostile strings: text, not markup
browse --dump-dom "$URL&source=syslog" >dom.html || die "chromium"
grep -q '<img src="x"' dom.html && die "an <img> from the evidence became an element"
grep -q '<script>alert' dom.html && die "a <script> from the evidence became an element"
expect_grep '&lt;img src=x onerror=alert\(2\)&gt;&lt;script&gt;alert\(1\)&lt;/script&gt;' dom.html
# the escape sequence and BEL are shown as their pictures, not sent
grep -q $'\033' dom.html && die "an ESC reached the page"
grep -q $'\007' dom.html && die "a BEL reached the page"
expect_grep '␛\[2J␛\]0;owned␇ &amp; "done"' dom.html

# a screenshot of the whole page
browse --window-size=1280,900 --screenshot="$PWD/shot.png" "$URL" >/dev/null ||
  die "screenshot: $(tail -3 chromium.err)"
[ "$(head -c 8 shot.png | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || die "not a PNG"

# without the token the page is refused, and nothing of it renders
browse --dump-dom "$BASE/?ip=203.0.113.77" >dom.html
grep -q 'c-time' dom.html && die "rendered without the token"
expect_grep 'forbidden' dom.html
