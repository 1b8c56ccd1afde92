# plots/10-stackless-coroutines/resume.gp: ns per resume of a stackless coroutine, several ways,
# beside a plain call through a function pointer (median bars, min/max error bars).
# Variables from plots/bench/env.sh: data (folder), machine (one line).
set title sprintf("What resuming a stackless coroutine costs (median, min/max bars)\n{/*0.8 %s}", machine)
set ylabel "Time per resume (ns)"
set xlabel "What is called"
set yrange [0:*]
set grid ytics
set style fill solid 0.6 border -1
set boxwidth 0.6
set key off
set xtics noenhanced
set xrange [-0.6:4.6]
plot data."/resume.dat" using 1:3:xtic(stringcolumn(2)) with boxes lc rgb "#4a7ebb", \
     ''                 using 1:3:4:5 with yerrorbars lc rgb "black" pt 0 lw 1.5, \
     ''                 using 1:3:(sprintf("%.1f ns", $3)) with labels offset 0,1.2
