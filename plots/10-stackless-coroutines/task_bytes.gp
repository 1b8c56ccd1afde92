# plots/10-stackless-coroutines/task_bytes.gp: resident bytes per stackless task (VmRSS growth
# divided by the number of tasks; median, min/max bars) against sizeof(struct task).
# Variables from plots/bench/env.sh: data (folder), machine (one line).
set title sprintf("Memory per stackless task: the struct, and nothing else\n{/*0.8 %s}", machine)
set xlabel "Tasks allocated at once (log scale)"
set ylabel "Resident memory per task (bytes)"
set logscale x
set yrange [0:*]
set grid
set key bottom right
set offsets 0, 0, 8, 0
set xrange [5000:2000000]
plot data.'/task_bytes.dat' using 1:3:4:5 with yerrorlines lw 2 pt 7 title "resident bytes per task (VmRSS growth / tasks)", \
     data.'/task_bytes.dat' using 1:2 with lines lw 1 dt 2 lc rgb "black" title "sizeof(struct task)"
