#!/usr/bin/env bash
# book/build.sh: build the course book (run by `make book`) from book/intro.md, every
# lessons/NN-topic/README.md that exists, in order, and a last chapter with the claims table.
#   book/build.sh        -> build/book/index.html (one page, with its plots/ and book.css)
#                           build/book/course.epub
# The pandoc filter book/course.lua does the work: includes code excerpts from the real files,
# fills measured blocks from build/data/, resolves plot paths, nests the chapters' headings.
# A missing plot is a warning (the book says "run make plots"); a missing included file or a bad
# line range is an error naming the README and the block.
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/book
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
    if [ -d build/data/claims ]; then
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

common=(book/intro.md --from markdown --preserve-tabs --lua-filter book/course.lua
        --toc --toc-depth=2 --highlight-style=pygments
        --metadata "date=$(date -u '+%Y-%m-%d')")

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
wait "$epub_pid" || epub_ok=0
if [ "$html_ok" = 0 ]; then
    echo "book: the HTML build failed (see the messages above); the book was not updated" >&2
    exit 1
fi
if [ "$epub_ok" = 0 ]; then
    echo "book: the EPUB build failed (see the messages above); the book was not updated" >&2
    exit 1
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

ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "book: ${#chapters[@]} lesson chapter(s) + intro + claims, built in ${ms} ms"
echo "book: HTML  $out/index.html   (open file://$PWD/$out/index.html)"
echo "book: EPUB  $out/course.epub"
