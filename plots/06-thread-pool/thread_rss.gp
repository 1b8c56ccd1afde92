# plots/06-thread-pool/thread_rss.gp: resident memory and kernel stacks vs idle threads.
# Variables from plots/bench/env.sh: data (folder), machine (one line).
set title sprintf("Memory used by N idle threads (growth of the process, median, min/max bars)\n{/*0.8 %s}", machine)
set xlabel "Idle threads (log scale)"
set ylabel "Memory added (KiB, log scale)"
set logscale xy
set grid
set key top left
set xrange [0.7:*]
plot data."/thread_mem_default.dat" using 1:2:3:4 with yerrorlines lw 2 pt 7 title "resident (VmRSS), default 8 MiB stack", \
     data."/thread_mem_64KiB.dat"   using 1:2:3:4 with yerrorlines lw 2 pt 5 dt 2 title "resident (VmRSS), 64 KiB stack", \
     data."/thread_mem_default.dat" using 1:($8 > 0 ? $8 : 1/0):9:10 with yerrorlines lw 1 pt 9 title "kernel stacks (KernelStack, whole machine), default stack"
