# SPDX-License-Identifier: Apache-2.0
# report breach under every injected allocation, write and fsync failure
# (sweep.bash), into a folder that already holds an earlier package. The
# package is what a privacy officer files: a fault ends in exit 3 with the
# earlier package exactly as it was (no file of the new one, no file
# missing, no staging folder left), or is absorbed and the package is the
# one of a run without faults, file for file. The one fault that comes
# after the files are in place, the sync of the folder, is a warning.
. "$CLI_LIB"; . "$CASE_DIR/sweep.bash"; . "$CASE_DIR/store.bash"
made_store t.db
inc=$FIXTURES/timeline/made/incident.yaml
# the earlier package: same figures, another generation time
casefile report breach --db t.db --incident "$inc" -o old >/dev/null 2>&1 || die "old package"
casefile report breach --db t.db --incident "$inc" -o ref >/dev/null 2>&1 || die "reference package"
cmp -s old/report.json ref/report.json && die "the two packages do not differ"
# A package without the lines that give the time it was generated.
same_package() {
  local f
  [ "$(ls -A "$1")" = "$(ls -A "$2")" ] || return 1
  for f in "$1"/*; do
    cmp -s <(grep -Ev 'Generated 20|"generated_at"' "$f") \
      <(grep -Ev 'Generated 20|"generated_at"' "$2/${f##*/}") || return 1
  done
}

sweep_prepare() { rm -rf pk && cp -a old pk; }
sweep_ok() {
  same_package pk ref || { ls -la pk >&2; die "$1: another package than without the fault"; }
  ! cmp -s pk/report.json old/report.json || die "$1: exit 0 but the earlier package is still there"
}
sweep_failed() {
  diff -r old pk >&2 || die "$1: the earlier package changed although report failed"
}
sweep casefile report breach --db t.db --incident "$inc" -o pk
