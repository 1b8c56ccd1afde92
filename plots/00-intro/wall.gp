# plots/00-intro/wall.gp: wall time of two identical CPU-bound tasks: one alone, twice that
# (the two one after the other), two at once held on one core, two at once free on all
# cores (C16). Bars are medians, error bars min..max over the repetitions. experiment.sh
# passes cores (the number of cores the benchmark could use).
if (!exists("cores")) cores = 2
set title sprintf("Two CPU-bound tasks: wall time (median, min..max)\n{/*0.8 %s}", machine)
set ylabel "Wall time (ms, lower is faster)"
set style fill solid 0.45 border -1
set boxwidth 0.6
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0     # room above the tallest error bar for its label
set xrange [-0.6:3.6]
set xtics ("one task alone" 0, "twice that (sum)" 1, "two at once, one core" 2, \
           sprintf("two at once, %d cores", cores) 3)
set grid ytics
set key off
f = data.'/wall.dat'
plot f using 1:2 with boxes lc rgb "#4477aa", \
     f using 1:2:3:4 with yerrorbars lc rgb "black" pt 0 lw 1.5, \
     f using 1:4:(sprintf("%.0f ms", $2)) with labels offset 0,1
