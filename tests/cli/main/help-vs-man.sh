# SPDX-License-Identifier: Apache-2.0
# Every command of the table (as `casefile --help` lists it) prints with -h
# the synopsis its man page documents, form for form (as git's
# t0450-txt-doc-vs-help.sh): the usage lines of `casefile CMD -h`, up to the
# first blank line, against the SYNOPSIS section of man/casefile-CMD.1
# (man/casefile.1 for `help`), both reduced to words separated by single
# spaces, one form per line (`.br`, `.PP` or `.sp` separate forms in roff).
# HELP_VS_MAN_DIR names another man folder (to prove the test can fail).
source "$CLI_LIB"
mandir=${HELP_VS_MAN_DIR:-$FIXTURES/../../man}
[ -d "$mandir" ] || die "no man folder"

# usage_forms: casefile's -h output on stdin -> one form per line.
usage_forms() {
  awk '
    /^usage: / { started = 1; sub(/^usage: +/, "") }
    !started { next }
    /^[ \t]*$/ { exit }
    /^[ \t]*casefile / { if (form != "") print form; form = ""; }
    { form = form " " $0 }
    END { if (form != "") print form }' |
    sed -e 's/[[:space:]]\+/ /g' -e 's/^ //' -e 's/ $//'
}

# man_forms FILE: the SYNOPSIS section of a man page -> one form per line.
man_forms() {
  awk '
    function words(s,   out, n, i, c, q, w) {
      # roff arguments: blank-separated, "..." quoted
      n = 0; w = ""; q = 0; delete arg
      for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\"") { q = !q; continue }
        if (!q && (c == " " || c == "\t")) { if (w != "") arg[++n] = w; w = ""; continue }
        w = w c
      }
      if (w != "") arg[++n] = w
      return n
    }
    /^\.SH / { insyn = ($0 ~ /^\.SH "?SYNOPSIS"?$/); next }
    !insyn { next }
    /^\.(br|PP|LP|P|sp)( |$)/ { if (form != "") print form; form = ""; next }
    /^\.(B|I|SM) / { sub(/^\.[A-Z]+ /, ""); n = words($0); t = "";
      for (i = 1; i <= n; i++) t = t (i > 1 ? " " : "") arg[i]
      form = form " " t; next }
    /^\.(RB|IR|BI|BR|RI|IB) / { sub(/^\.[A-Z]+ /, ""); n = words($0); t = "";
      for (i = 1; i <= n; i++) t = t arg[i]
      form = form " " t; next }
    /^\./ { next }
    { form = form " " $0 }
    END { if (form != "") print form }' "$1" |
    sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\e/\\/g' \
        -e 's/[[:space:]]\+/ /g' -e 's/^ //' -e 's/ $//' | grep -v '^$'
}

expect_status 0 casefile --help
cmds=$(sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' out)
[ -n "$cmds" ] || die "no commands in --help"
bad=0
for c in $cmds; do
  page=$mandir/casefile-$c.1
  [ "$c" = help ] && page=$mandir/casefile.1
  [ -f "$page" ] || { echo "no man page for '$c'" >&2; bad=1; continue; }
  casefile "$c" -h >help.out 2>help.err || { echo "'casefile $c -h' failed" >&2; bad=1; continue; }
  usage_forms <help.out >help.forms
  man_forms "$page" >man.forms
  [ -s help.forms ] || { echo "'casefile $c -h' shows no usage" >&2; bad=1; continue; }
  if ! diff -u man.forms help.forms >diff.out; then
    echo "'casefile $c -h' and $(basename "$page") SYNOPSIS differ (-man +help):" >&2
    cat diff.out >&2
    bad=1
  fi
done
[ $bad = 0 ] || die "help and man page synopses differ"
