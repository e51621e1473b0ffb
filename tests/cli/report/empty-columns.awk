# SPDX-License-Identifier: Apache-2.0
# Reads a report.html or report.md of casefile and prints one line per
# table column that is empty in every body row of a table that has rows:
# "FILE: [Heading,Heading,...]: Heading". Used by breach_demo_readable.sh.
# HTML: the tables as casefile writes them (<table><thead>..<tbody>..);
# Markdown: runs of lines that start with "|", the second a separator.
function strip(x) { gsub(/<[^>]*>/, "", x); gsub(/[ \t\r\n]|&nbsp;/, "", x); return x }
function flush_md(   c) {
  if (mdrows) for (c = 1; c <= mdcols; c++) if (!mdfull[c]) print FILENAME ": [" mdheads "]: " mdhead[c]
  mdrows = 0; mdcols = 0; mdline = 0; mdheads = ""; delete mdfull; delete mdhead
}
FNR == 1 { md = FILENAME ~ /\.md$/; if (md) { RS = "\n" } }
md {
  if ($0 !~ /^\|/) { flush_md(); next }
  line = $0; gsub(/\\\|/, "\001", line)
  n = split(line, f, "|")
  mdline++
  if (mdline == 1) {
    for (c = 2; c < n; c++) { h = f[c]; gsub(/^ +| +$/, "", h); mdhead[++mdcols] = h; mdheads = mdheads (mdheads ? "," : "") h }
    next
  }
  if (mdline == 2) next
  mdrows++
  for (c = 2; c < n && c - 1 <= mdcols; c++) if (strip(f[c]) != "") mdfull[c - 1]++
  next
}
END { if (md) flush_md() }
!md { html = html $0 "\n" }
END {
  if (md) exit
  nt = split(html, tables, "</table>")
  for (t = 1; t <= nt; t++) {
    x = tables[t]
    if ((i = index(x, "<table")) == 0) continue
    x = substr(x, i)
    h = x; sub(/<\/thead>.*/, "", h)
    n = split(h, hs, "<th")
    nc = 0; heads = ""; delete head
    for (k = 2; k <= n; k++) {
      y = hs[k]; if (y !~ /^[ >]/) continue
      sub(/^[^>]*>/, "", y); sub(/<\/th>.*/, "", y); gsub(/<[^>]*>/, "", y)
      head[++nc] = y; heads = heads (heads ? "," : "") y
    }
    b = x; if (!sub(/.*<tbody>/, "", b)) continue
    nr = split(b, rows, "<tr")
    delete full; body = 0
    for (r = 2; r <= nr; r++) {
      nd = split(rows[r], cells, "<td")
      if (nd < 2) continue
      body++
      for (c = 2; c <= nd && c - 1 <= nc; c++) {
        y = cells[c]; sub(/^[^>]*>/, "", y); sub(/<\/td>.*/, "", y)
        if (strip(y) != "") full[c - 1]++
      }
    }
    if (body) for (c = 1; c <= nc; c++) if (!full[c]) print FILENAME ": [" heads "]: " head[c]
  }
}
