# plots/00-intro/timeline.gp: progress of tasks A and B over time, held on one core (left)
# and free on all cores (right), from the last repetition of bench_overlap (C16). On one
# core both lines climb at once, each at half speed: lifetimes overlap (concurrency), one
# runs at a time. On two free cores each climbs at full speed (parallelism).
f = data.'/timeline.dat'
stats f using 1 nooutput name "t"
set multiplot layout 1,2 title sprintf("Two CPU-bound tasks started together: progress over time\n{/*0.8 %s}", machine)
set xrange [0:t_max * 1.02]
set yrange [0:105]
set xlabel "Time since the first task started (ms)"
set ylabel "Work done (% of the task)"
set grid
set key bottom right
set title "both held on one core"
plot f index 0 using 1:2 with lines lw 2 title "task A", \
     f index 1 using 1:2 with lines lw 2 dt 2 title "task B"
set title "free on all cores"
plot f index 2 using 1:2 with lines lw 2 title "task A", \
     f index 3 using 1:2 with lines lw 2 dt 2 title "task B"
unset multiplot
