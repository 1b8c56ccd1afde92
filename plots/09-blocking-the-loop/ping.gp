# plots/09-blocking-the-loop/ping.gp: how long a ping waits while another request computes
# for 100 ms, by where the work runs (median and p99; bars from min to max; log scale).
# Variables from plots/bench/env.sh: data (folder), machine (one line).
set title sprintf("A ping's wait while another client's request computes for 100 ms\n{/*0.8 %s}", machine)
set ylabel "Ping round trip (ms, log scale)"
set xlabel "Where the 100 ms of work runs (work-on-pool: uv\\_queue\\_work)"
set logscale y
set yrange [0.01:*]
set grid ytics
set style fill solid 0.6 border -1
set boxwidth 0.35
set key top left
set xrange [-0.6:2.6]
plot data."/ping.dat" using ($1-0.18):3:xtic(2) with boxes lc rgb "#4a7ebb" title "median", \
     ''               using ($1-0.18):3:5:6 with yerrorbars lc rgb "black" pt 0 lw 1.5 title "min to max", \
     ''               using ($1+0.18):4 with boxes lc rgb "#c0504d" title "p99", \
     ''               using ($1-0.18):3:(sprintf("%.2f ms", $3)) with labels offset 0,1.2 notitle, \
     ''               using ($1+0.18):4:(sprintf("%.2f ms", $4)) with labels offset 0,1.2 notitle
