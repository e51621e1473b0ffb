# SPDX-License-Identifier: Apache-2.0
# No two items ever share a member name. An MLflow store kept inside its own
# artifact root is met twice: as the database snapshot and, raw, in the
# artifact walk. Both would be named after the store's path; the snapshot
# keeps the name and the raw file is hashed and recorded as name-taken, so
# the archive verifies (before, the member appeared twice and verify failed).
. "$CLI_LIB"; . "$CASE_DIR/common.bash"
newkey k
mkdir -p srv/art
sqlite3 srv/art/mlflow.db 'CREATE TABLE t(x); INSERT INTO t VALUES (1);' || die "db"
cat >p.yaml <<YAML
profile: inside
sources:
  - id: ml
    type: mlflow
    store: $(pwd)/srv/art/mlflow.db
    artifacts: $(pwd)/srv/art
YAML
expect_status 0 casefile collect -o o.tar.zst --key k.key --profile p.yaml --json
expect_status 0 casefile verify --trust k.pub o.tar.zst
n=$(tar --zstd -tf o.tar.zst | grep -c "^evidence/ml$(pwd)/srv/art/mlflow.db\$")
[ "$n" = 1 ] || die "the store's member appears $n times: $(tar --zstd -tf o.tar.zst)"
member o.tar.zst casefile/items.jsonl > items
item items "$(pwd)/srv/art/mlflow.db" | jq -s -e \
  'map(select(.kind != "derived")) | length == 2 and (map(.skip_reason) | sort) == [null, "name-taken"]
   and (map(select(.skip_reason == "name-taken"))[0].member == null)' >/dev/null ||
  die "items: $(item items "$(pwd)/srv/art/mlflow.db")"
