# SPDX-License-Identifier: Apache-2.0
# The individual notice tells the reader, where it describes what
# happened, that an AI tool was involved and what it did with the data:
# the AI section's letter paragraph (report.json .ai.letter_paragraph) is
# in the letter of an incident that involved one (a training-data
# exposure), in notice-individual.md and in the letter of report.html, and
# nowhere in the letter of the same evidence under an incident that
# involved no AI tool. The Massachusetts letter (M.G.L. c. 93H s. 3(b):
# it may not describe the nature of the breach) never carries it.
# Fixtures: tests/fixtures/timeline/data-at-rest (p6 made a Massachusetts
# resident here).
source "$CLI_LIB"
F=$FIXTURES/timeline/data-at-rest
cp -r "$F/root" root
sed -i 's/"TX"/"MA"/' root/var/lib/ehr/export/patients.ndjson
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
openssl pkey -in k.pem -pubout -out k.pub
bash "$FIXTURES/timeline/make-archive.sh" a.tar.zst k.pem root \
  srv/exports/train.csv:database var/lib/ehr/export/patients.ndjson:database || die make-archive
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
# the paragraph, as one line of words (the letters wrap nothing of it, but
# compare on words all the same)
words() { tr -s ' \n' '  ' < "$1"; }
expect_status 0 casefile report breach --db t.db --incident "$F/incident.yaml" -o ai --format json,md,html
para=$(jq -r '.ai.letter_paragraph' ai/report.json)
case $para in *"artificial intelligence"*) ;; *) die "no AI paragraph: $para" ;; esac
words ai/notice-individual.md | grep -qF "$para" || die "the AI paragraph is not in the letter"
# in the letter's "What happened" section, before the next heading
awk '/^### What happened/ {on = 1; next} /^### / {on = 0} on' ai/notice-individual.md > happened
words happened | grep -qF "$para" || die "the AI paragraph is not under What happened"
sed -n '/<div class="letter">/,/<\/div>/p' ai/report.html | tr -s ' \n' '  ' |
  grep -qF "${para%% (AI)*}" || die "the AI paragraph is not in the HTML letter"
# the Massachusetts letter is written, and states nothing of the nature
[ -s ai/notice-individual-MA.md ] || die "no Massachusetts letter: $(ls ai)"
! grep -q "artificial intelligence" ai/notice-individual-MA.md || die "the MA letter describes the AI tool"
# the same evidence, an incident that involved no AI tool
sed 's/^kind: training-data-exposure/kind: unauthorised-access/' "$F/incident.yaml" > plain.yaml
expect_status 0 casefile report breach --db t.db --incident plain.yaml -o plain --format json,md
jq -e '.ai == null' plain/report.json >/dev/null || die "an AI section without an AI tool"
[ -s plain/notice-individual.md ] || die "no letter"
! grep -q "artificial intelligence" plain/notice-individual.md || die "AI paragraph in a non-AI letter"
grep -q "started an investigation right away\. *$" plain/notice-individual.md || die "What happened changed"
