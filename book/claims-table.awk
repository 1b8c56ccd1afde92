# book/claims-table.awk: turn the output of plots/claims.sh into a Markdown table for the
# book's last chapter. Input lines: a title, "machine: ...", a blank line, then one line per
# claim, "%-4s %-34s %s    %s" (id, words, figures, verdict; written by claim_write in
# plots/bench/harness.c) or "%-4s %-34s not yet measured ...". Prints nothing and exits 1 if any
# line has another shape: book/build.sh then shows the output as it is.
# -v where="C1=links;C2=links;..." gives the last column (chapters that discuss each claim).

# Backslash-escape what Markdown could read as markup (figures are free text).
function md(s) { gsub(/[][\\`*_{}<>|#$~^]/, "\\\\&", s); return s }
function trim(s) { sub(/^ +/, "", s); sub(/ +$/, "", s); return s }

BEGIN {
    nw = split(where, w, ";")
    for (i = 1; i <= nw; i++) if ((k = index(w[i], "=")) > 0) read_in[substr(w[i], 1, k - 1)] = substr(w[i], k + 1)
}
NR == 1 { next }
/^machine: / { machine = substr($0, 10); next }
/^$/ { next }
# Lines before the first claim other than the machine (a "note: ..." and its indented
# continuation, e.g. a warning that the machine was busy) become one paragraph.
n == 0 && $0 !~ /^C[0-9]+ / {
    line = $0; sub(/^ +/, "", line); sub(/^note: /, "", line)
    notes = notes (notes == "" ? "" : " ") md(line)
    next
}
{
    if ($0 !~ /^C[0-9]+ +/ || length($0) < 41) { bad = 1; exit }
    # Words longer than 34 characters push the figures right ("%-34s" pads, never cuts): they
    # then end at the first space from column 40 on.
    wend = 39
    while (substr($0, wend + 1, 1) != " " && wend < length($0)) wend++
    id = trim(substr($0, 1, 5)); words = trim(substr($0, 6, wend - 5)); rest = substr($0, wend + 2)
    if (rest ~ /^not yet measured/) {
        figures = ""; verdict = "[not yet measured]{.verdict .none}"
    } else if (match(rest, /    (TRUE|FALSE|HALF-TRUE|DEPENDS)$/)) {
        figures = md(substr(rest, 1, RSTART - 1))
        v = substr(rest, RSTART + 4)
        verdict = "[" v "]{.verdict ." tolower(v) "}"
    } else { bad = 1; exit }
    rows[++n] = "| " id " | " md(words) " | " figures " | " verdict " | " read_in[id] " |"
}
END {
    if (bad || n == 0) exit 1
    if (machine != "") print "Machine: " md(machine) "\n"
    if (notes != "") print "::: {.note}\n**Note:** " notes "\n:::\n"
    # The dashes set the relative column widths (pandoc pipe tables with long rows).
    print "| claim | the article says | measured here | verdict | lessons |"
    print "|:---|:------------|:----------------------|:------|:-------|"
    for (i = 1; i <= n; i++) print rows[i]
}
