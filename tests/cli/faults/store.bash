# SPDX-License-Identifier: Apache-2.0
# made_store DB: a timeline store built from the hand-made evidence of
# tests/fixtures/timeline/made (an EHR audit log, model decisions, sshd and
# nginx logs, MLflow lineage), whose scope under made/incident.yaml is
# known: five patients. For the cases that sweep what reads a store.
# Source after "$CLI_LIB".
made_store() {
  local F=$FIXTURES/timeline
  cp -r "$F/made/root" root
  openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null
  openssl pkey -in k.pem -pubout -out k.pub
  bash "$F/make-archive.sh" a.tar.zst k.pem root var/log/ehr/audit.ndjson:access-log \
    var/lib/inference/decisions.jsonl:model-decision var/log/auth.log:auth-log \
    var/log/nginx/access.log.1.gz:access-log var/lib/mlflow/lineage.json:model-lineage \
    >/dev/null || die "make-archive"
  casefile timeline build --db "$1" --trust k.pub a.tar.zst >/dev/null 2>&1 || die "build"
}
