# plots/07-event-loop/pending_bytes.gp: bytes each pending request or handle owns.
# Variables from plots/bench/env.sh: data (folder), machine (one line).
set title sprintf("Memory owned by one pending request or handle (exact counts, no spread)\n{/*0.8 %s}", machine)
set ylabel "Bytes per pending item (bytes)"
set xlabel "What is pending (N at once; libuv bytes counted through uv\\_replace\\_allocator)"
set grid ytics
set style data histograms
set style histogram rowstacked
set style fill solid 0.7 border -1
set boxwidth 0.6
set yrange [0:*]
set key top right
set xtics noenhanced
plot data."/pending_bytes.dat" using 3:xtic(2) title "the struct you provide (sizeof)" lc rgb "#4a7ebb", \
     ''                        using 4 title "allocated by libuv" lc rgb "#c0504d", \
     ''                        using 1:5:(sprintf("%.0f B", $5)) with labels offset 0,0.8 notitle
