# plots/09-blocking-the-loop/ping.gp: how long a ping waits while another request computes
# for 100 ms, by where the work runs (median and p99; bars from min to max; log scale).
# Variables from plots/bench/env.sh: data (folder), machine (one line).
# The figures are written under each group's name, not on the bars: above a median box the
# min-to-max bar runs through any label, and the tallest label left the plot at the top.
set title sprintf("A ping's wait while another client's request computes for 100 ms\n{/*0.8 %s}", machine)
set ylabel "Ping round trip (ms, log scale)"
set xlabel "Where the 100 ms of work runs (work-on-pool: uv\\_queue\\_work)"
set logscale y
# Room above the tallest bar (the largest ping, column 6): autoscale would end the axis at it.
stats data."/ping.dat" using 6 nooutput
set yrange [0.01:STATS_max * 3]
set grid ytics
set style fill solid 0.6 border -1
set boxwidth 0.35
set key top left
set xrange [-0.6:2.6]
set xtics scale 0
set xlabel offset 0,-1   # below the two lines of each group's name
set bmargin 5
plot data."/ping.dat" using ($1-0.18):3 with boxes lc rgb "#4a7ebb" title "median", \
     ''               using ($1-0.18):3:5:6 with yerrorbars lc rgb "black" pt 0 lw 1.5 title "min to max", \
     ''               using ($1+0.18):4 with boxes lc rgb "#c0504d" title "p99", \
     ''               using 1:(NaN):xtic(sprintf("%s\nmedian %.2f ms, p99 %.2f ms", strcol(2), $3, $4)) \
                      with points notitle
