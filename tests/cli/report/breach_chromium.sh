# The HTML opens in headless Chromium without console errors, with the
# chart in the DOM, and renders to a screenshot.
. "$CLI_LIB"
F=$FIXTURES/reports
command -v chromium >/dev/null || die "chromium is not installed (debian-packages.txt, test section)"
expect_status 0 casefile report breach --scope "$F/scope.json" \
  --incident "$F/incident.yaml" --verify "$F/verify.json" -o pkg --format html
flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync"
timeout 120 chromium $flags --user-data-dir="$PWD/prof1" --enable-logging=stderr \
  --v=0 --dump-dom "file://$PWD/pkg/report.html" >dom.html 2>chromium.log \
  || { cat chromium.log >&2; die "chromium --dump-dom failed"; }
expect_grep '<svg xmlns="http://www.w3.org/2000/svg"' dom.html
# The chart has bars (rect with a title naming an actor) and a legend.
expect_grep '<rect x="[0-9.]+" y="[0-9.]+" width="[0-9.]+" height="[0-9.]+" fill="#[0-9a-f]{6}"><title>pract-0666: 3</title>' dom.html
expect_grep 'pract-0666 \(4\)' dom.html
expect_grep '203\.0\.113\.77 \(2\)' dom.html
# The hostile id stayed text: no script element reached the DOM.
if grep -q '<script' dom.html; then die "a script element reached the DOM"; fi
expect_grep '&lt;script&gt;alert\(1\)&lt;/script&gt;' dom.html
# No console message (script errors, CSP violations, failed loads).
if grep -Ei 'CONSOLE|Uncaught|Content Security Policy|ERR_FILE_NOT_FOUND' chromium.log; then
  die "chromium reported errors loading the report"
fi
timeout 120 chromium $flags --user-data-dir="$PWD/prof2" --window-size=1000,1400 \
  --screenshot="$PWD/shot.png" "file://$PWD/pkg/report.html" >/dev/null 2>&1 \
  || die "chromium --screenshot failed"
[ "$(head -c 8 shot.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || die "no PNG screenshot"
[ "$(stat -c %s shot.png)" -gt 20000 ] || die "screenshot suspiciously small (blank page?)"
