#!/usr/bin/env bash
# book/chapter.sh: one lesson's text with YOUR figures, in the terminal (make read L=NN).
# A README read as a file shows "run make plots to fill this in" where the book shows what
# your machine measured: this prints the chapter as the book has it (measured blocks filled
# from build/data/, code listings from the files), then the link to it in the HTML book.
#   book/chapter.sh 02 | 2 | 02-races      (pipe it to less, or it goes through $PAGER)
set -euo pipefail
cd "$(dirname "$0")/.."

arg=${1:-}
[ -n "$arg" ] || { echo "usage: make read L=NN   (the lesson: 2, 02 or 02-races)" >&2; exit 2; }
case $arg in [0-9]) arg=0$arg ;; esac
dir=
for d in lessons/"$arg"*/; do
    [ -e "$d/README.md" ] && { dir=${d%/}; break; }
done
[ -n "$dir" ] || { echo "book/chapter.sh: no lesson '$1' with a README.md in lessons/" >&2; exit 2; }
command -v pandoc > /dev/null 2>&1 ||
    { echo "book/chapter.sh: pandoc is not installed: sudo apt-get install -y pandoc" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The chapter on its own: the filter takes the README as its "intro" and no other chapter.
# Plots cannot be drawn in a terminal: their paths are printed instead.
BOOK_CHAPTERS= BOOK_INTRO=$dir/README.md BOOK_OUT=$tmp BOOK_QUIET=1 \
    pandoc "$dir/README.md" --from markdown --lua-filter book/course.lua -t plain \
    --columns="${COLUMNS:-100}" -o "$tmp/chapter.txt"
{
    cat "$tmp/chapter.txt"
    echo
    book=${BOOK_DIR:-build/book}
    if [ -e "$book/index.html" ]; then
        case $book in /*) ;; *) book=$PWD/$book ;; esac
        echo "With its plots, in the book: file://$book/index.html#ch-$(basename "$dir")"
    else
        echo "With its plots: run make book, then open build/book/index.html#ch-$(basename "$dir")"
    fi
    echo "The plots alone: ${BENCH_PLOTS:-build/plots}/$(basename "$dir")/"
} > "$tmp/out.txt"
if [ -t 1 ]; then "${PAGER:-less}" "$tmp/out.txt"; else cat "$tmp/out.txt"; fi
