#!/usr/bin/env bash
# book/check-excerpts.sh: check that every code excerpt in the lesson texts is exactly the
# code it quotes, so the text cannot drift from the files that compile. An excerpt is a
# fenced block whose attributes name a file (path from the top of the checkout) and,
# optionally, a line range:
#     ```{.c include="lessons/01-threads/hello_threads.c" lines="21-28"}
#     <exactly lines 21..28 of that file>
#     ```
#
# It also checks line references in the text (outside code blocks): a `file.c:NN` must be
# followed, in the same paragraph or list item, by a code span quoting that line's code, so
# the reference fails as soon as line NN no longer holds what the text says:
#     TSan names `racy.c:23` (`long seen = counter;`) as one side of the race.
# The file is looked up in the README's folder, then from the top of the checkout, then in
# lessons/common/. Extensions checked: .c .h .S .sh .py .lua .awk .gp.
# Prints one line per mismatch (README:line, block number, file, lines, what differs), then
# "excerpts: N passed, M failed; line references: N passed, M failed". Exit 0 iff none
# failed (make test runs it).
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
# A lesson exercise.c is quoted as the course ships it (the stub), never as a learner
# has edited it: tests/pristine-stub.sh gives a private copy of the shipped file.
function source_of(p,    parts, cmd, src) {
    if (p !~ /^lessons\/[0-9][0-9]-[^\/]*\/exercise\.c$/) return p
    split(p, parts, "/")
    cmd = "tests/pristine-stub.sh " parts[2]
    src = ""
    cmd | getline src
    close(cmd)
    return src != "" ? src : p
}
# Compare the block just closed with the file it names.
function check(    n, i, a, b, parts, line, got, src) {
    n = 0
    src = source_of(path)
    while ((got = (getline line < src)) > 0) filel[++n] = line
    if (got < 0) { report("no such file (include paths are relative to the top of the checkout)"); return }
    close(src)
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
# ---- line references: "file.c:NN" in a paragraph, then a code span with text of line NN
function refreport(ln, ref, msg) {
    printf "%s:%d: line reference %s: %s\n", para_file, ln, ref, msg
    rfailed++
}
# The file a reference names: beside the README, from the top, or in lessons/common/.
function ref_path(f,    dir, c) {
    dir = para_file; sub(/[^\/]*$/, "", dir)
    if (dir != "" && (getline c < (dir f)) >= 0) { close(dir f); return dir f }
    if ((getline c < f) >= 0) { close(f); return f }
    if ((getline c < ("lessons/common/" f)) >= 0) { close("lessons/common/" f); return "lessons/common/" f }
    return ""
}
function flush(    tmp, t, ns, i, k, run, j, p, rest, off, ref, f, n, path, src, line, got, q, ln, m, pos) {
    t = para; para = ""
    if (t == "") return
    # The code spans of the paragraph: a run of k backticks up to the next run of exactly k.
    ns = 0; i = 1
    while (i <= length(t)) {
        if (substr(t, i, 1) != "`") { i++; continue }
        run = 0; while (substr(t, i + run, 1) == "`") run++
        j = i + run; k = 0
        while (j <= length(t)) {
            if (substr(t, j, 1) == "`") {
                m = 0; while (substr(t, j + m, 1) == "`") m++
                if (m == run) { k = j; break }
                j += m
            } else j++
        }
        if (!k) { i += run; continue }
        ns++; sstart[ns] = i; stext[ns] = substr(t, i + run, k - i - run)
        gsub(/^[ \n]+|[ \n]+$/, "", stext[ns]); gsub(/\n/, " ", stext[ns])
        i = k + run
    }
    off = 0; rest = t
    while (match(rest, /[A-Za-z0-9_.\/-]+\.(c|h|S|sh|py|lua|awk|gp):[0-9]+/)) {
        pos = off + RSTART; ref = substr(rest, RSTART, RLENGTH)
        off += RSTART + RLENGTH - 1; rest = substr(rest, RSTART + RLENGTH)
        if (substr(t, pos - 1, 1) ~ /[A-Za-z0-9_]/) continue
        tmp = substr(t, 1, pos); ln = para_line + gsub(/\n/, "\n", tmp)
        f = ref; sub(/:[0-9]+$/, "", f); n = ref; sub(/^.*:/, "", n); n += 0
        path = ref_path(f)
        if (path == "") { refreport(ln, ref, "no file " f " beside the README, at the top of the checkout or in lessons/common/"); continue }
        src = source_of(path); k = 0
        while ((got = (getline line < src)) > 0) if (++k == n) break
        close(src)
        if (k < n) { refreport(ln, ref, path " has only " k " lines"); continue }
        q = ""; for (i = 1; i <= ns; i++) if (sstart[i] > pos) { q = stext[i]; break }
        if (q == "" || q ~ /\.(c|h|S|sh|py|lua|awk|gp):[0-9]+/) {
            refreport(ln, ref, "quote the line after it, in a code span: line " n " of " path " is " show(line))
            continue
        }
        if (index(line, q) == 0) {
            refreport(ln, ref, "line " n " of " path " is " show(line) ", which does not contain `" q "`")
            continue
        }
        rpassed++
    }
}
FNR == 1 {
    if (infence && isinclude) { report("the block is never closed"); }
    flush()
    infence = 0; nblock = 0
}
{
    if (!infence) {
        # Text outside code blocks: gather paragraphs (a list item or heading starts a new one).
        if ($0 ~ /^[ \t]*$/ || $0 ~ /^ *(```|~~~)/ || $0 ~ /^ *([-*+]|[0-9]+[.)]) / || $0 ~ /^#/) flush()
        if ($0 !~ /^[ \t]*$/ && $0 !~ /^ *(```|~~~)/) {
            if (para == "") { para_line = FNR; para_file = FILENAME }
            para = para (para == "" ? "" : "\n") $0
        }
    }
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
    flush()
    printf "excerpts: %d passed, %d failed; line references: %d passed, %d failed\n", \
        passed, failed, rpassed, rfailed
    exit (failed + rfailed > 0)
}
' "${files[@]}"
