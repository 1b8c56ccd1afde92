# plots/08-nonblocking-io/idle_rss.gp: the server's resident bytes per connected idle client,
# libuv server beside the raw epoll server. Variables from plots/bench/env.sh: data, machine.
set title sprintf("Server memory per idle client (resident, kernel buffers not counted)\n{/*0.8 %s}", machine)
set xlabel "Idle clients connected (log scale)"
set ylabel "Resident bytes per client (median, min-max bars)"
set logscale x
set xrange [50:*]
set yrange [0:*]
set grid
set key top right
plot data."/idle_rss.dat" using ($1*0.95):2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#4a7ebb" title "libuv server (a struct per client, buffers only while reading)", \
     ''                   using ($1*1.05):5:6:7 with yerrorlines lw 2 pt 5 lc rgb "#c0504d" title "raw epoll server (a 64 KiB buffer per client)"
