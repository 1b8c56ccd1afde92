# plots/11-stackful-coroutines/switch.gp: ns per switch, seven ways (log scale).
# Variables from plots/bench/env.sh: data (folder), machine (one line).
set title sprintf("What one switch costs (median, min/max bars)\n{/*0.8 %s}", machine)
set ylabel "Time per switch (ns, log scale)"
set xlabel "How the turn is handed over (a round trip is 2 switches)"
set logscale y
set yrange [0.3:*]
set grid ytics
set style fill solid 0.6 border -1
set boxwidth 0.6
set key off
set xrange [-0.6:6.6]
set xtics rotate by -20 font ",9"
plot data."/switch.dat" using 1:2:xtic(stringcolumn(1) eq "0" ? "stackless step" : \
        stringcolumn(1) eq "1" ? "hand switch (bare)" : stringcolumn(1) eq "2" ? "Boost jump\\_fcontext" : \
        stringcolumn(1) eq "3" ? "coro\\_resume+yield" : stringcolumn(1) eq "4" ? "swapcontext" : \
        stringcolumn(1) eq "5" ? "threads, condvar, 1 core" : "threads, condvar, free") \
        with boxes lc rgb "#4a7ebb", \
     ''                using 1:2:3:4 with yerrorbars lc rgb "black" pt 0 lw 1.5, \
     ''                using 1:2:($2 >= 1000 ? sprintf("%.1f us", $2 / 1000) : sprintf("%.3g ns", $2)) with labels offset 0,1.2
