# plots/11-stackful-coroutines/create.gp: ns to create, run and destroy one task (log scale).
# Variables from plots/bench/env.sh: data (folder), machine (one line).
set title sprintf("What a short task costs from creation to destruction (median, min/max bars)\n{/*0.8 %s}", machine)
set ylabel "Time per task (ns, log scale)"
set xlabel "Kind of task"
set logscale y
set yrange [10:*]
set grid ytics
set style fill solid 0.6 border -1
set boxwidth 0.6
set key off
set xrange [-0.6:4.6]
set xtics font ",9"
plot data."/create.dat" using 1:2:xtic(stringcolumn(1) eq "0" ? "stackless" : \
        stringcolumn(1) eq "1" ? "coroutine, 16 KiB" : stringcolumn(1) eq "2" ? "coroutine, 64 KiB" : \
        stringcolumn(1) eq "3" ? "thread" : "stack alone (mmap..munmap)") \
        with boxes lc rgb "#4a7ebb", \
     ''                using 1:2:3:4 with yerrorbars lc rgb "black" pt 0 lw 1.5, \
     ''                using 1:2:($2 >= 1000 ? sprintf("%.1f us", $2 / 1000) : sprintf("%.3g ns", $2)) with labels offset 0,1.2
