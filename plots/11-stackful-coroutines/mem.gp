# plots/11-stackful-coroutines/mem.gp: resident and virtual bytes per waiting task vs tasks.
# Variables from plots/bench/env.sh: data (folder), machine (one line).
set title sprintf("Memory per waiting task (growth of the process / tasks; median, min/max bars)\n{/*0.8 %s}", machine)
set xlabel "Waiting tasks (log scale)"
set ylabel "Bytes per task (log scale)"
set logscale xy
set grid
set key top right font ",9" box opaque maxrows 4
set xrange [0.7:15000]
set yrange [10:1e9]
plot data."/mem_coro_64KiB.dat" using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#4a7ebb" title "coroutine 64 KiB: resident", \
     data."/mem_coro_16KiB.dat" using 1:2:3:4 with yerrorlines lw 2 pt 5 lc rgb "#2a9d8f" title "coroutine 16 KiB: resident", \
     data."/mem_stackless.dat"  using 1:2:3:4 with yerrorlines lw 2 pt 9 lc rgb "#e9a23b" title "stackless: resident", \
     data."/mem_thread.dat"     using 1:2:3:4 with yerrorlines lw 2 pt 11 lc rgb "#c8553d" title "thread: resident", \
     data."/mem_coro_64KiB.dat" using 1:5:6:7 with yerrorlines lw 1 dt 2 pt 6 lc rgb "#4a7ebb" title "coroutine 64 KiB: virtual", \
     data."/mem_coro_16KiB.dat" using 1:5:6:7 with yerrorlines lw 1 dt 2 pt 4 lc rgb "#2a9d8f" title "coroutine 16 KiB: virtual", \
     data."/mem_thread.dat"     using 1:5:6:7 with yerrorlines lw 1 dt 2 pt 10 lc rgb "#c8553d" title "thread: virtual"
