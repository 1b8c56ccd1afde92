# plots/14-showdown/showdown_rss.gp: the server sweep, one line per server.
# Variables from plots/bench/env.sh: data (folder), machine (one line).
set title sprintf("Server resident memory during the run vs open connections (VmRSS, median, min/max bars)\n{/*0.8 %s}", machine)
set xlabel "Open connections (log scale)"
set ylabel "Resident memory (KiB, log scale)"
set logscale x
set logscale y
set grid
set key top right
set xrange [6:*]
plot data."/showdown_threads.dat" using 1:8:9:10 with yerrorlines lw 2 pt 7 title "thread per connection", \
     data."/showdown_pool.dat"    using 1:8:9:10 with yerrorlines lw 2 pt 5 title "pool of 2 threads", \
     data."/showdown_uv.dat"      using 1:8:9:10 with yerrorlines lw 2 pt 9 title "libuv loop", \
     data."/showdown_co.dat"      using 1:8:9:10 with yerrorlines lw 2 pt 13 lc 7 title "coroutines on the loop", \
     data."/showdown_nginx.dat"   using 1:8:9:10 with yerrorlines lw 2 pt 11 lc 4 dt 2 title "nginx, 1 worker"
