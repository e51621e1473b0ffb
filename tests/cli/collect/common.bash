# SPDX-License-Identifier: Apache-2.0
# Shell functions shared by the collect CLI cases: source "$CASE_DIR/common.bash"
# after "$CLI_LIB".

# recipe ARCHIVE PUB: the independent check of SPEC section 2, once with
# GNU tar and once with bsdtar; each must extract without a single byte on
# stderr, every member must match SHA256SUMS and the signature must verify.
recipe() {
  local archive=$1 pub=$2 tool d
  for tool in gnu bsd; do
    d=$(mktemp -d ./recipe.XXXXXX)
    if [ $tool = gnu ]; then
      tar --zstd -xf "$archive" -C "$d" 2>"$d.err" || die "GNU tar failed on $archive"
    else
      bsdtar -xf "$archive" -C "$d" 2>"$d.err" || die "bsdtar failed on $archive"
    fi
    [ ! -s "$d.err" ] || { cat "$d.err" >&2; die "$tool tar wrote warnings"; }
    (cd "$d" && sha256sum --strict -c SHA256SUMS >/dev/null) || die "$tool: sha256sum -c failed"
    openssl pkeyutl -verify -pubin -inkey "$pub" -rawin -in "$d/SHA256SUMS" \
      -sigfile "$d/SHA256SUMS.sig" >/dev/null || die "$tool: signature does not verify"
    rm -rf "$d" "$d.err"
  done
}

# member ARCHIVE NAME: a member's bytes on stdout.
member() { tar --zstd -xOf "$1" "$2"; }

# newkey PREFIX: an Ed25519 key pair.
newkey() { casefile key generate "$1" >/dev/null 2>&1 || die "key generate failed"; }

# item ITEMS PATH: the items.jsonl line for original path PATH (jq 1.6's
# -e is unreliable with select over many inputs: check the line it prints).
item() { jq -c --arg p "$2" 'select(.path == $p)' "$1"; }

# mlflow_profile ROOT [LINE]: p.yaml, a profile with one mlflow source whose
# store is ROOT/mlflow.db and artifacts ROOT/artifacts; LINE (such as
# "max_size: 1M") is added to the source.
mlflow_profile() {
  cat > p.yaml <<YAML
profile: ml
sources:
  - id: mlflow
    type: mlflow
    store: $1/mlflow.db
    artifacts: $1/artifacts
    ${2:-}
YAML
}
