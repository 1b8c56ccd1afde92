#!/usr/bin/env bash
# book/build.sh: build the course book (run by `make book`) from book/intro.md, every
# lessons/NN-topic/README.md that exists, in order, and a last chapter with the claims table.
#   book/build.sh        -> build/book/index.html (one page, with its plots/ and book.css)
#                           build/book/course.epub
#                           build/book/course.pdf  (weasyprint, from the same HTML, print.css)
# One page with a contents sidebar rather than a page per chapter: the whole course is one
# search (Ctrl-F) and one file to save, a chapter is still one link (index.html#ch-01-threads,
# printed below), and the PDF is made from that same page.
# The pandoc filter book/course.lua does the work: includes code excerpts from the real files,
# fills measured blocks from build/data/, resolves plot paths, nests the chapters' headings.
# A missing plot is a warning (the book says "run make plots"); a missing included file or a bad
# line range is an error naming the README and the block.
set -euo pipefail
cd "$(dirname "$0")/.."

# BOOK_DIR, BENCH_DATA, BENCH_PLOTS: make test builds its own book from its own figures
# (build/test/...), never touching the learner's build/book, build/data and build/plots.
out=${BOOK_DIR:-build/book}
start=$(date +%s%N)

if ! command -v pandoc > /dev/null 2>&1; then
    echo "book: pandoc is not installed, so the book cannot be built." >&2
    echo "book: install it (Debian/Ubuntu: sudo apt-get install -y pandoc), then run make book" >&2
    exit 1
fi
version=$(pandoc --version | sed -n '1s/^pandoc[^0-9]*//p')
if [ "$(printf '%s\n' 2.17 "$version" | sort -V | head -n 1)" != 2.17 ]; then
    echo "book: warning: pandoc $version is older than 2.17, the version this build is tested with" >&2
fi

# Build in a private folder, then move the results into place: two builds at once (make test
# running while someone types make book) never see each other's half-written files.
mkdir -p "$out"
stage=$(mktemp -d "$out/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# ---------------------------------------------------------------- the chapters, in order
chapters=()
for f in lessons/[0-9][0-9]-*/README.md; do
    [ -e "$f" ] && chapters+=("$f")
done
if [ ${#chapters[@]} = 0 ]; then
    echo "book: note: no lesson has a README.md yet; the book has only its first and last chapters" >&2
fi

# The last chapter: the claims table as plots/claims.sh prints it, and where each claim is
# discussed (every README that names its id).
claims_md=$stage/claims.md
{
    echo "# The claims, measured"
    echo
    echo "The article's claims, C1 to C16, and what the experiments measured on the machine that"
    echo "built this book. Each verdict is computed by the experiment from its own figures, by a"
    echo "rule written beside it in the benchmark's source; nothing here is typed in by hand."
    echo
    if [ -d "${BENCH_DATA:-build/data}/claims" ]; then
        echo "To print the same table in a terminal, run \`make claims\`. To measure again, with more"
        echo "repetitions, run \`make plots FULL=1\`, then \`make book\`."
    else
        echo "::: {.note}"
        echo "No experiment has run yet on this machine, so every claim says \"not yet measured\"."
        echo "Run \`make plots\` (quick mode takes well under a minute per lesson), then \`make book\` again."
        echo ":::"
    fi
    echo
    # Where each claim is discussed: every README that names its id, as links to chapters.
    where=""
    for i in $(seq 1 16); do
        links=""
        for f in "${chapters[@]}"; do
            if grep -qw "C$i" "$f"; then
                d=$(basename "$(dirname "$f")")
                links="$links${links:+, }[${d%%-*}](#ch-$d)"
            fi
        done
        where="$where;C$i=${links:-none yet}"
    done
    table=$(plots/claims.sh 2>&1) || table="$table
(plots/claims.sh failed with status $?)"
    # As a real table when every line has claims.sh's shape ("%-4s %-34s figures    VERDICT" or
    # "... not yet measured"); otherwise exactly as printed, so nothing is lost.
    if ! printf '%s\n' "$table" | awk -v where="$where" -f book/claims-table.awk; then
        echo '~~~~~~~~~~~~~~~~~~~~ {.claims}'
        printf '%s\n' "$table"
        echo '~~~~~~~~~~~~~~~~~~~~'
        echo
        echo "Where each claim is discussed (lesson numbers):"
        echo
        printf '%s\n' "$where" | tr ';' '\n' | sed -n 's/^\(C[0-9]*\)=\(.*\)/- \1: \2/p'
    fi
} > "$claims_md"

# One path per line for the filter (paths contain no newline: they match the glob above).
BOOK_CHAPTERS=$(printf '%s\n' "${chapters[@]}" "$claims_md")
export BOOK_CHAPTERS BOOK_OUT=$stage BOOK_INTRO=book/intro.md

# The machine the figures came from, for the first page: the "# machine:" header lines of the
# data files, without their dates (the most common one; how many files and runs it covers).
machine=$(
    data=${BENCH_DATA:-build/data}
    { grep -h -m1 '^# machine:' "$data"/*/*.dat 2> /dev/null || true; } |
    awk '{ sub(/^# machine: */, ""); d = ""
           if (match($0, /, [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]( [0-9:]+)?( UTC)?$/)) {
               d = substr($0, RSTART + 2); $0 = substr($0, 1, RSTART - 1) }
           n[$0]++; files++
           if (d != "") { if (first == "" || d < first) first = d; if (d > last) last = d } }
         END { if (!files) exit
               for (m in n) if (n[m] > best) { best = n[m]; top = m }
               printf "%s", top
               if (first != "") printf " (%s%s)", first, (last != first ? " to " last : "")
               printf ". %d data file(s)", files
               if (best < files) printf "; %d of them from another machine or compiler", files - best
               print "." }')
[ -n "$machine" ] || machine="no experiment has run yet: run make plots, then make book."
export BOOK_MACHINE=$machine

common=(book/intro.md --from markdown --preserve-tabs --lua-filter book/course.lua
        --toc --toc-depth=2 --highlight-style=pygments
        --metadata "date=$(date -u '+%Y-%m-%d')")
# (book/course.lua puts BOOK_MACHINE under the title: the first page of the HTML, PDF and EPUB.)

# ---------------------------------------------------------------- HTML and EPUB, side by side
# The filter runs once per output; both at once halves the time on two cores. Only the HTML
# pass prints the filter's warnings and errors (the EPUB pass would repeat them word for word).
cp book/book.css "$stage/book.css"
pandoc "${common[@]}" --standalone --section-divs --css book.css \
    --metadata pagetitle="Async vs Threads, measured" -o "$stage/index.html" &
html_pid=$!
BOOK_QUIET=1 pandoc "${common[@]}" --epub-chapter-level=1 --css book/epub.css \
    -o "$stage/course.epub" &
epub_pid=$!
html_ok=1 epub_ok=1
wait "$html_pid" || html_ok=0
if [ "$html_ok" = 0 ]; then
    wait "$epub_pid" || true
    echo "book: the HTML build failed (see the messages above); the book was not updated" >&2
    exit 1
fi

# ---------------------------------------------------------------- PDF, from the same HTML
# weasyprint renders the page pandoc made, with book/print.css instead of book.css (pages,
# running heads, contents with page numbers) and each plot as its PNG (weasyprint 57 cannot
# draw gnuplot's SVG). It starts as soon as the HTML is there, beside the EPUB pass. Without
# weasyprint the HTML and EPUB are still made, with a note.
pdf_pid=
if command -v weasyprint > /dev/null 2>&1; then
    cp book/print.css "$stage/print.css"
    to_png=(-e 's/href="book\.css"/href="print.css"/')
    while IFS= read -r -d '' svg; do
        rel=${svg#"$stage/"}
        [ -e "${svg%.svg}.png" ] && to_png+=(-e "s|src=\"$rel\"|src=\"${rel%.svg}.png\"|g")
    done < <(find "$stage" -name '*.svg' -print0)
    sed "${to_png[@]}" "$stage/index.html" > "$stage/print.html"
    weasyprint -q -e utf-8 "$stage/print.html" "$stage/course.pdf" 2> "$stage/pdf.log" &
    pdf_pid=$!
else
    echo "book: note: no PDF: weasyprint is not installed (Debian: sudo apt-get install -y weasyprint)" >&2
fi
wait "$epub_pid" || epub_ok=0
if [ "$epub_ok" = 0 ]; then
    [ -z "$pdf_pid" ] || wait "$pdf_pid" || true
    echo "book: the EPUB build failed (see the messages above); the book was not updated" >&2
    exit 1
fi
pdf_ok=0
if [ -n "$pdf_pid" ]; then
    if wait "$pdf_pid"; then
        pdf_ok=1
    else
        grep -v '^WARNING' "$stage/pdf.log" | tail -n 15 >&2
        echo "book: the PDF build failed (weasyprint, messages above); the HTML and EPUB are built" >&2
    fi
fi

# Into place: the folders first (plots the page shows), the page and the EPUB last.
for d in plots files; do
    rm -rf "${out:?}/$d"
    # -T: never into a folder that a build running at the same time has just put there
    # (its copy is the same, so losing that race is harmless).
    if [ -d "$stage/$d" ]; then mv -T "$stage/$d" "$out/$d" 2> /dev/null || true; fi
done
mv -f "$stage/book.css" "$stage/claims.md" "$out/"
mv -f "$stage/index.html" "$out/index.html"
mv -f "$stage/course.epub" "$out/course.epub"
if [ "$pdf_ok" = 1 ]; then mv -f "$stage/course.pdf" "$out/course.pdf"; else rm -f "$out/course.pdf"; fi

ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "book: ${#chapters[@]} lesson chapter(s) + intro + claims, built in ${ms} ms"
case $out in /*) url=file://$out ;; *) url=file://$PWD/$out ;; esac
echo "book: HTML  $out/index.html   (open $url/index.html)"
echo "book: EPUB  $out/course.epub"
[ "$pdf_ok" = 1 ] && echo "book: PDF   $out/course.pdf"
# A chapter with the reader's own figures in its measured blocks is one link (issue 8).
[ ${#chapters[@]} -gt 0 ] && first=$(basename "$(dirname "${chapters[0]}")") &&
    echo "book: one lesson: open $url/index.html#ch-$first (any lesson: #ch-NN-topic), or in a terminal: make read L=NN"
# weasyprint was there and failed: the HTML and EPUB are in place, but the build did not succeed.
[ -n "$pdf_pid" ] && [ "$pdf_ok" = 0 ] && exit 1
exit 0
