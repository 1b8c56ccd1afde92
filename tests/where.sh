#!/usr/bin/env bash
# tests/where.sh: the last thing `make` prints: where each output is.
cd "$(dirname "$0")/.." || exit 2
count() { ls $1 2>/dev/null | wc -l; }
cat <<MSG

Done. Where things are:
  book        build/book/index.html  (and build/book/course.epub)
  plots       build/plots/<lesson>/*.png, *.svg   ($(count 'build/plots/*/*.png') plots)
  data        build/data/<lesson>/*.dat, with the machine in each header ($(count 'build/data/*/*.dat') files)
  claims      make claims   (the table printed above)
  demos       build/lessons/<lesson>/   (make -C lessons/<lesson> run)
Next: read lessons/00-intro/README.md, then make check L=00.
MSG
