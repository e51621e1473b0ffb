# SPDX-License-Identifier: Apache-2.0
# timeline scope under every injected allocation failure (sweep.bash). The
# scope is what the breach notification counts (affected individuals, by
# state, with the evidence of each): a fault ends in exit 3 with a message
# and no scope printed, or is absorbed and the scope is exactly the one of
# a run without faults. Never a scope with a field or a patient missing.
. "$CLI_LIB"; . "$CASE_DIR/sweep.bash"; . "$CASE_DIR/store.bash"
made_store t.db
cp t.db t.db.ref

sweep_prepare() { :; }
sweep_ok() {
  cmp -s sweep.out sweep.ref || { diff sweep.ref sweep.out >&2; die "$1: a different scope"; }
  cmp -s t.db t.db.ref || die "$1: scope changed the store"
}
sweep_failed() {
  [ ! -s sweep.out ] || { head -c 500 sweep.out >&2; die "$1: a scope printed although scope failed"; }
  cmp -s t.db t.db.ref || die "$1: scope changed the store"
}
sweep casefile timeline scope --db t.db --incident "$FIXTURES/timeline/made/incident.yaml" --json
jq -e '.affected == 5 and (.patients | length) == 5 and (.evidence | length) == 5' sweep.ref \
  >/dev/null || die "the reference scope is not the known one: $(cat sweep.ref)"
