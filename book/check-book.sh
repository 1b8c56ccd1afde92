#!/usr/bin/env bash
# book/check-book.sh: check the book that book/build.sh just built (make test runs both):
#   1. the three outputs exist: index.html, course.epub, course.pdf (a real PDF);
#   2. book/check-excerpts.sh: every included file exists and every excerpt and line
#      reference still matches its file;
#   3. every plot a README shows (![...](../../build/plots/LESSON/FILE)) is drawn, for each
#      lesson whose experiments have run (its data folder exists), and is in the HTML book;
#   4. epubcheck finds zero errors in the EPUB (Debian's epubcheck is a jar: run with java).
# Messages name the README, its line and the block ("image 2"). Ends with "book: all checks
# passed" or "book: N check(s) failed"; exit 0 iff all passed.
#   book/check-book.sh      (uses BOOK_DIR, BENCH_DATA, BENCH_PLOTS like book/build.sh)
set -u
cd "$(dirname "$0")/.." || exit 2
out=${BOOK_DIR:-build/book}
data=${BENCH_DATA:-build/data}
plots=${BENCH_PLOTS:-build/plots}
failed=0
fail() { echo "book: FAIL $*"; failed=$((failed + 1)); }

# epubcheck takes the longest (a JVM): start it first, read its verdict last.
epub_log=$(mktemp)
trap 'rm -f "$epub_log"' EXIT
epub_pid=
if [ -s "$out/course.epub" ]; then
    jar=$(readlink -f "$(command -v epubcheck 2> /dev/null || echo /usr/share/java/epubcheck.jar)")
    if [ -e "$jar" ] && command -v java > /dev/null 2>&1; then
        case $jar in
            *.jar) java -jar "$jar" "$out/course.epub" > "$epub_log" 2>&1 & ;;
            *) "$jar" "$out/course.epub" > "$epub_log" 2>&1 & ;;
        esac
        epub_pid=$!
    else
        fail "epubcheck (and java) are needed to check the EPUB (Debian: sudo apt-get install -y epubcheck)"
    fi
fi

# ---- 1. the outputs
for f in index.html course.epub course.pdf; do
    [ -s "$out/$f" ] || fail "$out/$f was not built (run book/build.sh first; its messages say why)"
done
if [ -s "$out/course.pdf" ] && [ "$(head -c 5 "$out/course.pdf")" != "%PDF-" ]; then
    fail "$out/course.pdf is not a PDF"
fi
if [ -s "$out/index.html" ] && ! grep -q 'class="abstract"' "$out/index.html"; then
    fail "$out/index.html: the first page does not name the machine the figures came from"
fi

# ---- 2. excerpts, included files, line references
book/check-excerpts.sh | sed -e 's/^excerpts: /book: excerpts: /' -e '/^book: /!s/^/book: FAIL /'
[ "${PIPESTATUS[0]}" = 0 ] || failed=$((failed + 1))

# ---- 3. plots: each image of each README, outside code blocks
readmes=()
for f in lessons/[0-9][0-9]-*/README.md; do [ -e "$f" ] && readmes+=("$f"); done
drawn=0
while IFS=$'\t' read -r readme line n src; do
    dir=${readme%/*}
    # The path from the top, without ./ and ../ (the README's folder is two levels down).
    path=$(realpath -m --relative-to=. "$dir/$src")
    case $path in build/plots/*) ;; *) continue ;; esac
    rest=${path#build/plots/}
    lesson=${rest%%/*}
    [ -d "$data/$lesson" ] || continue          # its experiments have not run: nothing to draw
    if [ ! -s "$plots/$rest" ]; then
        fail "$readme:$line: image $n ($src): not drawn, though $data/$lesson/ exists: plots/$lesson/ must draw $(basename "$rest") (or the README names the wrong file)"
    elif [ -s "$out/index.html" ] && ! grep -qF "src=\"plots/$rest\"" "$out/index.html"; then
        fail "$readme:$line: image $n ($src): drawn, but not in $out/index.html"
    else
        drawn=$((drawn + 1))
    fi
done < <(awk '
    FNR == 1 { infence = 0; n = 0 }
    /^ *(```|~~~)/ { infence = !infence; next }
    infence { next }
    {
        s = $0
        while (match(s, /!\[[^]]*\]\([^) ]+/)) {
            img = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
            sub(/^!\[[^]]*\]\(/, "", img)
            printf "%s\t%d\t%d\t%s\n", FILENAME, FNR, ++n, img
        }
    }' "${readmes[@]}")

# ---- 4. epubcheck
if [ -n "$epub_pid" ]; then
    wait "$epub_pid"
    if ! grep -q 'Messages: 0 fatals / 0 errors' "$epub_log"; then
        grep -E '^(FATAL|ERROR)' "$epub_log" | head -n 20 | sed 's/^/book: FAIL epubcheck: /'
        fail "epubcheck $out/course.epub: $(grep -m1 '^Messages:' "$epub_log" || tail -n 1 "$epub_log")"
    fi
fi

echo "book: $drawn plot(s) drawn and shown; epubcheck: $(grep -m1 '^Messages:' "$epub_log" 2> /dev/null || echo 'not run')"
if [ "$failed" = 0 ]; then
    echo "book: all checks passed ($out)"
else
    echo "book: $failed check(s) failed"
    exit 1
fi
