# SPDX-License-Identifier: Apache-2.0
# Lineage of implicated model versions from a real MLflow store, built with
# MLflow's own schema (demo/schemas/mlflow-sqlite-core.sql, from
# mlflow/mlflow) and the rows of tests/fixtures/timeline/mlflow/store.sql
# (aliases, stages, a run's input dataset): `timeline scope` reports, for
# each suspect version, its registry entry, source run (params, datasets
# and digests), stages, aliases, promotion and the version that replaced
# it. Every expected value is read from the store with sqlite3, never from
# casefile. Then the AI-audit event kinds of casefile-timeline(1) for model
# changes are each produced from this store.
source "$CLI_LIB"
mkdir -p root/srv/mlflow
cat "$FIXTURES/../../demo/schemas/mlflow-sqlite-core.sql" "$FIXTURES/timeline/mlflow/store.sql" |
  sqlite3 root/srv/mlflow/mlflow.db || die "store"
S=root/srv/mlflow/mlflow.db
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
openssl pkey -in k.pem -pubout -out k.pub
bash "$FIXTURES/timeline/make-archive.sh" a.tar.zst k.pem root srv/mlflow/mlflow.db:model-lineage ||
  die make-archive
expect_status 0 casefile timeline build --db t.db --trust k.pub a.tar.zst
inc() { # MODEL@VERSION
  printf 'id: INC-L\ndiscovered: 2026-03-05T00:00:00Z\nwindow: {from: 2026-03-01T00:00:00Z, to: 2026-03-05T00:00:00Z}\nsuspects: {models: [%s]}\n' "$1" > inc.yaml
  expect_status 0 casefile timeline scope --db t.db --incident inc.yaml --json
  mv out scope.json
}
q() { sqlite3 "$S" "$1"; }
iso() { q "SELECT strftime('%Y-%m-%dT%H:%M:%S.000000Z', $1 / 1000, 'unixepoch')"; }
L() { jq -r ".lineage[0] | $1" scope.json; }
inc sepsis-risk@7
[ "$(jq '.lineage | length' scope.json)" = 1 ] || die "one implicated version"
[ "$(L .registered.time)" = "$(iso "(SELECT creation_time FROM model_versions WHERE name = 'sepsis-risk' AND version = 7)")" ] ||
  die "registered: $(L .registered.time)"
[ "$(L .registered.run_id)" = "$(q "SELECT run_id FROM model_versions WHERE name = 'sepsis-risk' AND version = 7")" ] ||
  die "run id"
[ "$(L .run.params.max_depth)" = "$(q "SELECT value FROM params WHERE run_uuid = 'run7' AND key = 'max_depth'")" ] ||
  die "params"
[ "$(L .run.started.time)" = "$(iso "(SELECT start_time FROM runs WHERE run_uuid = 'run7')")" ] || die "run start"
[ "$(L '.run.datasets | map(.name + " " + .digest) | join(",")')" = \
  "$(q "SELECT group_concat(d.name || ' ' || d.digest) FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id
        WHERE i.destination_id = 'run7'")" ] || die "datasets: $(L .run.datasets)"
[ "$(L '.run.tags["mlflow.source.git.commit"]')" = "$(q "SELECT value FROM tags WHERE run_uuid = 'run7' AND key = 'mlflow.source.git.commit'")" ] ||
  die "git commit"
[ "$(L '[.stages[].stage] | join(",")')" = "$(q "SELECT current_stage FROM model_versions WHERE name = 'sepsis-risk' AND version = 7")" ] ||
  die "stages"
[ "$(L '[.aliases[] | .alias + " " + (.time_inferred | tostring)] | join(",")')" = \
  "$(q "SELECT group_concat(alias) || ' true' FROM registered_model_aliases WHERE name = 'sepsis-risk' AND version = 7")" ] ||
  die "aliases: $(L .aliases)"
[ "$(L .replaced_by.version)" = "$(q "SELECT min(version) FROM model_versions WHERE name = 'sepsis-risk' AND creation_time >
      (SELECT creation_time FROM model_versions WHERE name = 'sepsis-risk' AND version = 7)")" ] || die "replaced_by"
[ "$(L .promoted)" = null ] || die "v7: no Production stage, champion alias or deployment tag in the store"
L '.registered.member' | grep -q 'mlflow.db$' || die "citation"
inc sepsis-risk@8
[ "$(L .promoted.how)" = "stage Production" ] || die "v8 promoted: $(L .promoted)"
[ "$(L .promoted.time)" = "$(iso "(SELECT last_updated_time FROM model_versions WHERE name = 'sepsis-risk' AND version = 8)")" ] ||
  die "v8 promoted time"
[ "$(L .replaced_by)" = null ] || die "v8 replaced"
[ "$(L '[.aliases[].alias] | join(",")')" = "$(q "SELECT group_concat(alias) FROM registered_model_aliases WHERE version = 8")" ] ||
  die "v8 aliases"
[ "$(L .run.ended)" = null ] || die "run8 is still running"
# casefile-timeline(1), AI AUDIT EVENTS: the four expectations are listed,
# and every model-change kind it names for source mlflow is produced here
page=$FIXTURES/../../man/casefile-timeline.1
sec=$(sed -n '/^\.SH AI AUDIT EVENTS/,/^\.SH EXIT STATUS/p' "$page")
for e in 'model queries' 'data access' 'administrative actions' 'model changes'; do
  grep -q "^\.B $e\$" <<<"$sec" || die "man page: no '$e'"
done
# (the kinds of source mlflow: from ".B model changes" to ".BR decision ;")
kinds=$(awk '/^\.B model changes$/ { on = 1; next } on && /^\.BR decision/ { exit }
             on && /^\.BR? [a-z]+\\-/ { gsub(/\\/, "", $2); print $2 }' <<<"$sec" | sort -u)
[ "$(wc -l <<<"$kinds")" -ge 6 ] || die "man page lists: $kinds"
for k in $kinds; do
  [ "$(sqlite3 t.db "SELECT count(*) FROM events WHERE source = 'mlflow' AND action = '$k'")" -gt 0 ] ||
    die "man page names '$k', the store gives none"
done
