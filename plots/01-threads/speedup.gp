# plots/01-threads/speedup.gp: speedup of counting primes vs number of workers, C threads
# beside CPython's threading, asyncio and multiprocessing (run by experiment.sh via plot).
set title sprintf("Counting primes: speedup over one worker\n{/*0.8 %s}", machine)
set xlabel "Workers (threads, tasks or processes)"
set ylabel "Speedup over 1 worker (x, higher is better)"
set key top left
set grid
set yrange [0:*]
set xtics 1
c = data.'/speedup.dat'
py = data.'/cpython.dat'
# CPython speedups: its own 1-worker median over the n-worker median (min/max bars
# from the same ratio with the slowest and fastest sample).
stats py using 2 every ::0::0 nooutput name "thr1"
stats py using 3 every ::0::0 nooutput name "asy1"
stats py using 4 every ::0::0 nooutput name "mp1"
plot c using 1:5:6:7 with yerrorlines lw 2 pt 7 title "C threads", \
     py using 1:(thr1_min/$2):(thr1_min/$6):(thr1_min/$5) with yerrorlines pt 5 title "CPython threading", \
     py using 1:(asy1_min/$3):(asy1_min/$8):(asy1_min/$7) with yerrorlines pt 9 title "CPython asyncio", \
     py using 1:(mp1_min/$4):(mp1_min/$10):(mp1_min/$9) with yerrorlines pt 11 title "CPython multiprocessing", \
     x with lines dt 2 lc rgb "gray" title "ideal (n x)"
