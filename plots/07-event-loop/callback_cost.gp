# plots/07-event-loop/callback_cost.gp: ns to queue and run one callback on the loop, beside
# lesson 06's thread per task and pool task (its first two rows) when with06 = 1 (log scale).
# Variables from plots/bench/env.sh: data (folder), machine (one line); with06 (0 or 1).
set title sprintf("What running one callback costs on the loop (median, min/max bars)\n{/*0.8 %s}", machine)
set ylabel "Time per callback or task (ns, log scale)"
set xlabel "How the work runs"
set logscale y
set yrange [1:*]
set grid ytics
set style fill solid 0.6 border -1
set boxwidth 0.6
set key top left
set xtics noenhanced
d06 = data."/../06-thread-pool/task_cost.dat"
if (with06) {
    set xrange [-0.6:5.6]
    plot data."/callback_cost.dat" using 1:3:xtic(2) with boxes lc rgb "#4a7ebb" title "libuv loop (lesson 07)", \
         ''                         using 1:3:4:5 with yerrorbars lc rgb "black" pt 0 lw 1.5 notitle, \
         ''                         using 1:3:(sprintf("%.0f ns", $3)) with labels offset 0,1.5 notitle, \
         d06 every ::0::1 using ($1 + 4):3:xtic(2) with boxes lc rgb "#c0504d" title "threads (lesson 06)", \
         d06 every ::0::1 using ($1 + 4):3:4:5 with yerrorbars lc rgb "black" pt 0 lw 1.5 notitle, \
         d06 every ::0::1 using ($1 + 4):3:(sprintf("%.0f ns", $3)) with labels offset 0,1.5 notitle
} else {
    set xrange [-0.6:3.6]
    plot data."/callback_cost.dat" using 1:3:xtic(2) with boxes lc rgb "#4a7ebb" title "libuv loop (lesson 07)", \
         ''                         using 1:3:4:5 with yerrorbars lc rgb "black" pt 0 lw 1.5 notitle, \
         ''                         using 1:3:(sprintf("%.0f ns", $3)) with labels offset 0,1.5 notitle
}
