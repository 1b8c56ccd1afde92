# plots/06-thread-pool/thread_rss.gp: resident memory and kernel stacks vs idle threads.
# Variables from plots/bench/env.sh: data (folder), machine (one line).
set title sprintf("Memory used by N idle threads (growth of the process, median, min/max bars)\n{/*0.8 %s}", machine)
set xlabel "Idle threads (log scale)"
set ylabel "Memory added (KiB, log scale)"
set logscale xy
set grid
set key top left
set xrange [0.7:*]
# The two resident lines often coincide (only touched pages count, and an idle thread
# touches the same few whatever its stack size): the default one is drawn wide and pale,
# the 64 KiB one thin and dark on top of it, so both stay visible.
# A log scale cannot show 0 or less: such kernel-stack points are drawn at the bottom edge
# (open triangles) and counted in the key, never dropped silently.
ks = data."/thread_mem_default.dat"
stats ks using ($8 <= 0 ? 1 : 0) nooutput
ks_low = int(STATS_sum)
ks_note = ks_low == 0 ? "" : sprintf(" (%d point%s at 0 or less: drawn on the bottom edge; see the data file's kernelstack line)", ks_low, ks_low == 1 ? "" : "s")
set yrange [1:*]
plot data."/thread_mem_default.dat" using 1:2:3:4 with yerrorlines lw 6 lc rgb "#9ecae1" pt 7 ps 1.6 title "resident (VmRSS), default 8 MiB stack", \
     data."/thread_mem_64KiB.dat"   using 1:2:3:4 with yerrorlines lw 1.5 lc rgb "#08306b" pt 6 ps 1 dt 2 title "resident (VmRSS), 64 KiB stack", \
     ks using 1:($8 > 0 ? $8 : 1/0):($9 > 0 ? $9 : 1):10 with yerrorlines lw 1 lc rgb "#d95f0e" pt 9 title "kernel stacks (KernelStack, whole machine), default stack".ks_note, \
     ks using 1:($8 > 0 ? 1/0 : 1) with points pt 10 ps 1.8 lc rgb "#d95f0e" notitle
