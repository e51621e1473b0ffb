# Mutation suite for sealed logs: every alteration of the log or of its
# seal is detected and named (kind and lines), and untouched copies pass.
. "$CLI_LIB"
casefile key generate k >/dev/null 2>&1 && casefile key generate other >/dev/null 2>&1 ||
  die "key generation failed"
# Lines of varied length, as an application log has.
gen() { awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i <= b; i++)
  printf "2026-03-01T10:%02d:%02dZ user=u%d action=read patient=p-%d%s\n",
    i % 60, i % 60, i % 97, i, substr("xxxxxxxxxxxxxxxxxxxx", 1, i % 21) }'; }
gen 1 700 >app.log
casefile seal --key k.key app.log >/dev/null || die "seal 1"
gen 701 1500 >>app.log
casefile seal --key k.key app.log >/dev/null || die "seal 2"
gen 1501 2000 >>app.log
casefile seal --key k.key app.log >/dev/null || die "seal 3"
[ "$(wc -l <app.log.seal)" = 3 ] || die "three checkpoints expected"

# check NAME KIND FROM TO: verify NAME.log; the first problem is KIND and
# covers lines FROM..TO (0 0: no lines).
check() {
  casefile verify --trust k.pub --log "$1.log" --json >v.json 2>v.err
  local rc=$?
  [ $rc = 1 ] || { cat v.json v.err >&2; die "$1: status $rc, expected 1"; }
  jq -e --arg k "$2" --argjson f "$3" --argjson t "$4" \
    '.ok == false and .problems[0].kind == $k and
     .problems[0].from_line == $f and .problems[0].to_line == $t' v.json >/dev/null ||
    { cat v.json >&2; die "$1: expected $2 at lines $3-$4"; }
}
copy() { cp app.log "$1.log"; cp app.log.seal "$1.log.seal"; }

# The untouched log passes, with every line sealed.
casefile verify --trust k.pub --log app.log --json >v.json || die "untouched log fails"
jq -e '.ok and .sealed_lines == 2000 and .checkpoints == 3 and .unsealed_lines == 0' \
  v.json >/dev/null || die "bad OK report"

# Lines changed, removed, inserted, swapped (block 2 = lines 257-512;
# checkpoint 1 covers 700 lines).
copy chg; sed -i '300s/read/WROTE/' chg.log; check chg modified 257 512
copy del; sed -i '300d' del.log; check del removed 257 512
copy ins; sed -i '300a injected line' ins.log; check ins inserted 257 512
copy swp; sed -i '300{h;d};301G' swp.log; check swp modified 257 512
copy del3; sed -i '1000,1002d' del3.log; check del3 removed 769 1024
grep -q '3 sealed line(s) removed' v.json || die "count of removed lines"
# In the last checkpoint's ragged end (lines 1793-2000 form no whole block)
# the seal narrows to that range.
copy tail; sed -i '1900s/read/WROTE/' tail.log; check tail altered 1793 2000
# Between two checkpoints, the range is cut at the earlier checkpoint.
copy mid; sed -i '720s/read/WROTE/' mid.log; check mid modified 701 768
# Truncated below a checkpoint.
copy trunc; head -n 1600 app.log >trunc.log; check trunc truncated 1601 2000

# Lines appended after the last checkpoint are unsealed, not tampering; an
# unfinished last line is reported as such.
copy more; gen 2001 2010 >>more.log; printf 'half a line' >>more.log
casefile verify --trust k.pub --log more.log --json >v.json || die "appended lines fail"
jq -e '.ok and .unsealed_lines == 10 and .partial_bytes == 11' v.json >/dev/null ||
  die "unsealed lines misreported"

# The seal: a forged checkpoint, reordered checkpoints, a rolled-back seal,
# a checkpoint removed, checkpoints signed by an untrusted key.
checkseal() {
  casefile verify --trust k.pub --log "$1.log" --json >v.json 2>v.err
  local rc=$?
  [ $rc = 1 ] || { cat v.json v.err >&2; die "$1: status $rc, expected 1"; }
  jq -e --arg k "$2" --argjson c "$3" \
    '.ok == false and any(.problems[]; .kind == $k and .checkpoint == $c)' \
    v.json >/dev/null || { cat v.json >&2; die "$1: expected $2 at seal line $3"; }
}
copy forged; sed -i '2s/"size":1500/"size":1400/' forged.log.seal
checkseal forged forged-checkpoint 2
copy forged2; sed -i '2s/"root":"\(.\)/"root":"0/' forged2.log.seal
grep -q '"root":"0' forged2.log.seal || die "mutation did not apply"
cmp -s forged2.log.seal app.log.seal && sed -i '2s/"root":"0/"root":"1/' forged2.log.seal
checkseal forged2 forged-checkpoint 2
copy reord; sed -i '2{h;d};3G' reord.log.seal; checkseal reord reordered-checkpoints 2
copy roll; sed -n 2p app.log.seal >>roll.log.seal; checkseal roll rolled-back-checkpoint 4
copy gap; sed -i 2d gap.log.seal; checkseal gap broken-chain 2
cp app.log untr.log; casefile seal --key other.key untr.log >/dev/null || die "seal other"
checkseal untr untrusted-signer 1
# Extending a seal with another key is refused; the seal is unchanged.
cp app.log.seal keep.seal; gen 2001 2002 >>untr.log
expect_status 3 casefile seal --key k.key untr.log
expect_grep 'extend a seal with the key that made it' err

# The untouched copies still pass after all this.
casefile verify --trust k.pub --log app.log >/dev/null || die "original fails"
cmp -s keep.seal app.log.seal || die "seal changed"
