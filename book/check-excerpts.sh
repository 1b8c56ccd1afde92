#!/usr/bin/env bash
# book/check-excerpts.sh: check that every code excerpt in the lesson texts is exactly the
# code it quotes, so the text cannot drift from the files that compile. An excerpt is a
# fenced block whose attributes name a file (path from the top of the checkout) and,
# optionally, a line range:
#     ```{.c include="lessons/01-threads/hello_threads.c" lines="21-28"}
#     <exactly lines 21..28 of that file>
#     ```
# Prints one line per mismatch (README:line, block number, file, lines, what differs), then
# "excerpts: N passed, M failed". Exit 0 iff none failed (make test runs it).
#   book/check-excerpts.sh [FILE.md ...]   default: book/intro.md and lessons/NN-*/README.md
# Paths (arguments and include=) are relative to the top of the checkout.
set -u
cd "$(dirname "$0")/.." || exit 2

files=("$@")
if [ $# = 0 ]; then
    files=(book/intro.md)
    for f in lessons/[0-9][0-9]-*/README.md; do
        [ -e "$f" ] && files+=("$f")
    done
fi
for f in "${files[@]}"; do
    [ -r "$f" ] || { echo "check-excerpts: cannot read '$f'" >&2; exit 2; }
done

awk '
# Show a line of text in a message: quoted, tabs visible, cut to a readable length.
function show(s) {
    gsub(/\t/, "\\t", s)
    if (length(s) > 60) s = substr(s, 1, 57) "..."
    return "\"" s "\""
}
# The value of attribute name in a fence info string {... name="value" ...}, or "" if absent.
function attr(info, name,    m) {
    if (match(info, "[{ \t]" name "=\"[^\"]*\"")) {
        m = substr(info, RSTART + 1, RLENGTH - 1)
        return substr(m, length(name) + 3, length(m) - length(name) - 3)
    }
    if (match(info, "[{ \t]" name "=[^ \t}\"]+")) {
        m = substr(info, RSTART + 1, RLENGTH - 1)
        return substr(m, length(name) + 2)
    }
    return ""
}
function report(msg) {
    printf "%s:%d: include block %d: %s lines %s: %s\n", readme, open_line, nblock, path, \
        (range == "" ? "(whole file)" : range), msg
    failed++
}
# Compare the block just closed with the file it names.
function check(    n, i, a, b, parts, line, got) {
    n = 0
    while ((got = (getline line < path)) > 0) filel[++n] = line
    if (got < 0) { report("no such file (include paths are relative to the top of the checkout)"); return }
    close(path)
    if (range == "") { a = 1; b = n }
    else if (range ~ /^[0-9]+-[0-9]+$/) { split(range, parts, "-"); a = parts[1] + 0; b = parts[2] + 0 }
    else if (range ~ /^[0-9]+$/) { a = b = range + 0 }
    else { report("the range is not of the form A-B"); return }
    if (a < 1 || b < a) { report("the range is not A-B with 1 <= A <= B"); return }
    if (b > n) { report("the range goes past the end: the file has " n " lines"); return }
    for (i = 0; i <= b - a && i < nbody; i++) {
        if (body[i + 1] != filel[a + i]) {
            report("README line " (open_line + 1 + i) " differs from file line " (a + i) \
                   ": README " show(body[i + 1]) ", file " show(filel[a + i]))
            return
        }
    }
    if (nbody != b - a + 1) {
        report("the block has " nbody " lines, the range has " (b - a + 1) \
               (nbody > b - a + 1 ? " (extra: " show(body[b - a + 2]) ")" : " (missing: " show(filel[a + nbody]) ")"))
        return
    }
    passed++
}
FNR == 1 {
    if (infence && isinclude) { report("the block is never closed"); }
    infence = 0; nblock = 0
}
{
    if (!infence) {
        # An opening fence: 3 or more backticks or tildes, indented any amount (a fence in
        # a nested list item is indented further than 3 spaces).
        if (match($0, /^ *(```+|~~~+)/)) {
            fence = $0; sub(/^ */, "", fence); indent = length($0) - length(fence)
            ch = substr(fence, 1, 1)
            flen = 0; while (substr(fence, flen + 1, 1) == ch) flen++
            info = substr(fence, flen + 1)
            if (ch == "`" && index(info, "`") > 0) next      # inline code, not a fence
            infence = 1; nbody = 0; open_line = FNR; readme = FILENAME
            isinclude = (info ~ /^[ \t]*\{/ && attr(info, "include") != "")
            if (isinclude) { nblock++; path = attr(info, "include"); range = attr(info, "lines") }
            else if (info ~ /include[ \t]*=/) {
                # pandoc 2.17 reads "```c {include=...}" as inline code, not as a block.
                nblock++; path = attr(info, "include"); range = attr(info, "lines")
                report("pandoc does not read this fence as an include block: write ```{.c include=\"PATH\" lines=\"A-B\"}")
            }
        }
        next
    }
    # Inside a fence: a closing fence is the same character, at least as long, then blanks.
    line = $0
    if (match(line, "^ *" (ch == "`" ? "`" : "~") "+[ \t]*$")) {
        closing = line; gsub(/[ \t]/, "", closing)
        if (length(closing) >= flen) {
            infence = 0
            if (isinclude) check()
            next
        }
    }
    # Content lines lose up to the opening fence indentation, as pandoc does.
    for (i = 0; i < indent && substr(line, 1, 1) == " "; i++) line = substr(line, 2)
    body[++nbody] = line
}
END {
    if (infence && isinclude) report("the block is never closed")
    printf "excerpts: %d passed, %d failed\n", passed, failed
    exit (failed > 0)
}
' "${files[@]}"
