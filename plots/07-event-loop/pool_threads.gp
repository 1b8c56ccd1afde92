# plots/07-event-loop/pool_threads.gp: threads of a libuv program before and after one read.
# Variables from plots/bench/env.sh: data (folder), machine (one line).
set title sprintf("Threads of a \"single-threaded\" libuv program, before and after one file read\n{/*0.8 %s}", machine)
set ylabel "Threads in /proc/self/task (count)"
set xlabel "UV\\_THREADPOOL\\_SIZE"
set grid ytics
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.7 border -1
set boxwidth 0.9
set yrange [0:*]
set key top left
plot data."/pool_threads.dat" using 3:xtic(2) title "before the read" lc rgb "#9bbb59", \
     ''                       using 4 title "after one read (read\\_all)" lc rgb "#c0504d", \
     ''                       using ($0 + 0.15):4:(sprintf("%d", $4)) with labels offset 0,0.8 notitle
