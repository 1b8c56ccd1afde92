# plots/06-thread-pool/thread_vm.gp: address space reserved vs idle threads.
# Variables from plots/bench/env.sh: data (folder), machine (one line).
set title sprintf("Address space reserved by N idle threads (VmSize growth, median, min/max bars)\n{/*0.8 %s}", machine)
set xlabel "Idle threads (log scale)"
set ylabel "Address space added (KiB, log scale)"
set logscale xy
set grid
set key top left
set xrange [0.7:*]
plot data."/thread_mem_default.dat" using 1:5:6:7 with yerrorlines lw 2 pt 7 title "virtual (VmSize), default 8 MiB stack", \
     data."/thread_mem_64KiB.dat"   using 1:5:6:7 with yerrorlines lw 2 pt 5 dt 2 title "virtual (VmSize), 64 KiB stack", \
     data."/thread_mem_default.dat" using 1:2:3:4 with yerrorlines lw 1 pt 9 title "resident (VmRSS), default stack, for scale"
