# plots/04-deadlocks/dead_owner.gp: waiters that got a lock whose owner thread died holding
# it, normal mutex vs robust mutex (run by experiment.sh via plot; gets data, machine, limit).
d = data.'/dead_owner.dat'
set title sprintf("A thread exits holding a mutex: how many waiters still get the lock\n{/*0.8 each waiter gives up after %d ms (a detection limit, not a speed test)}\n{/*0.8 %s}", limit, machine)
set xlabel "Waiter threads (count)"
set ylabel "Waiters that got the lock (count; median, bars min..max)"
set key top left Left reverse
set grid ytics
set yrange [0:*]
set offsets 0.5, 0.5, graph 0.30, 0
set style fill solid 0.7 border -1
set boxwidth 0.35
# One group per waiter count (x = row number); normal left, robust right, the value on top;
# a dashed line across both bars of a group marks how many waiters there were.
plot d using ($0-0.2):2 with boxes lc rgb "#c0392b" title "normal mutex (the others wait forever)", \
     d using ($0-0.2):2:3:4 with yerrorbars pt -1 lc rgb "black" notitle, \
     d using ($0-0.2):2:(sprintf("%.0f", $2)) with labels offset 0,1.3 notitle, \
     d using ($0+0.2):5 with boxes lc rgb "#2e86c1" title "robust mutex (EOWNERDEAD, then consistent)", \
     d using ($0+0.2):5:6:7 with yerrorbars pt -1 lc rgb "black" notitle, \
     d using ($0+0.2):5:(sprintf("%.0f", $5)) with labels offset 0,1.3 notitle, \
     d using 0:1:(0.42):xtic(1) with xerrorbars pt -1 lw 2 dt 2 lc rgb "black" title "all the waiters (a bar that reaches this line: every waiter got the lock)"
