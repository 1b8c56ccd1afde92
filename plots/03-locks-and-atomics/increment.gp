# plots/03-locks-and-atomics/increment.gp: ns per increment vs threads for a mutex, the
# lesson's spinlock and atomic_fetch_add (run by experiment.sh via plot).
set title sprintf("One shared counter: time per increment\n{/*0.8 %s}", machine)
set xlabel "Threads incrementing the same counter"
set ylabel "Time per increment (ns, log scale; lower is better)"
set key below
set grid
set logscale y
set xtics 1
f = data.'/increment.dat'
stats f using 1 nooutput
set xrange [0.5:STATS_max + 0.5]
plot f using 1:2:3:4 with yerrorlines lw 2 pt 7 title "pthread mutex", \
     f using 1:5:6:7 with yerrorlines lw 2 pt 5 title "spinlock (lesson 03 solution)", \
     f using 1:8:9:10 with yerrorlines lw 2 pt 9 title "atomic\\_fetch\\_add"
