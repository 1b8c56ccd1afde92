# plots/12-coroutines-on-the-loop/co_echo.gp: echo round trips per second vs clients, the
# coroutine server beside a callback server, measured in the same run, slice by slice.
# Variables from plots/bench/env.sh: data (folder), machine.
set title sprintf("Echo round trips per second on loopback, 64-byte ping-pong\n{/*0.8 %s}", machine)
set xlabel "Clients connected at once (log scale)"
set ylabel "Round trips per second (median, min-max bars)"
set logscale x
set xrange [0.5:*]
set yrange [0:*]
set grid
set key bottom right
set style data linespoints
plot data."/co_echo.dat" using ($1*0.95):2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#4a7ebb" title "one coroutine per connection (co\\_echo\\_start)", \
     ''                  using ($1*1.05):5:6:7 with yerrorlines lw 2 pt 5 lc rgb "#c0504d" title "callbacks (cb\\_echo.h, lesson 08's design)"
