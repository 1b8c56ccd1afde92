#!/usr/bin/env bash
# plots/14-showdown/experiment.sh: lesson 14's experiment (run by plots/run.sh).
# The same tiny keep-alive HTTP server four ways, loaded by wrk on 127.0.0.1:
#   threads  build/bench/14-showdown/srv_threads   a thread per connection
#   pool     build/bench/14-showdown/srv_pool      2 worker threads share all connections
#   uv       build/bench/14-showdown/srv_uv        one libuv loop, one thread
#   co       build/bench/14-showdown/srv_co        a coroutine per connection on one libuv
#                                                  loop (lesson 12's runtime), one thread
#   nginx    /usr/sbin/nginx, one worker process, our own config in a temporary folder
# For each server and connection count (10 100 1000; 10000 too with --full) a fresh server,
# one warm-up run, then REPS wrk runs of DUR seconds; requests/s and p99 latency from wrk,
# the server's VmRSS read in the middle of each run (the connections are all open then).
# Raw samples go to build/data/14-showdown/showdown.raw; bench_showdown turns them into
# median/min/max .dat files and the claim lines (its rules are written beside them).
# Then the CPU-bound sweep (C7): GET /primes on threads, pool, uv and co, and the cores each
# kept busy. Last, `strace -c` counts the system calls per request of uv, co and nginx at
# 100 connections.
set -eu
source plots/bench/env.sh

if [ "$MODE" = --full ]; then
    CONNS="10 100 1000 10000" DUR=10 REPS=5 CPU_REPS=3
else
    CONNS="10 100 1000" DUR=2 REPS=3 CPU_REPS=1
fi
POOL_WORKERS=2
# 10000 connections need 10000 descriptors in wrk and in the server: this script's limit
# (and its children's) only, never the shell's that started it.
ulimit -n "$(ulimit -Hn)"
for tool in wrk /usr/sbin/nginx; do
    command -v "$tool" > /dev/null || { echo "experiment: $tool is not installed (make deps)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/showdown.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2> /dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# nginx with one worker, in the foreground, every path in our folder. As root, nginx
# would switch its worker to the user "nobody"; `user root` keeps it as is (and a
# non-root nginx ignores the directive with a warning).
nginx_conf() {
    local port=$1 user_line=""
    [ "$(id -u)" = 0 ] && user_line="user root;"
    cat > "$work/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
$user_line
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
worker_rlimit_nofile $(ulimit -Hn);
events { worker_connections $(( $(ulimit -Hn) - 16 )); }
http {
    access_log off;
    client_body_temp_path $work/body;
    proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;
    server {
        listen 127.0.0.1:$port backlog=4096;   # the same queue as our servers
        location / { default_type text/plain; return 200 "Hello\n"; }
    }
}
EOF
}

# Start server $1; sets server_pid and port. Our servers pick a free port (0) and print it;
# nginx is given one and retried on another if it was taken.
start_server() {
    local name=$1 tries
    : > "$work/out"
    case $name in
        threads) "$BIN/srv_threads" 0 > "$work/out" 2>&1 & server_pid=$! ;;
        pool) "$BIN/srv_pool" 0 "$POOL_WORKERS" > "$work/out" 2>&1 & server_pid=$! ;;
        uv) "$BIN/srv_uv" 0 > "$work/out" 2>&1 & server_pid=$! ;;
        co) "$BIN/srv_co" 0 > "$work/out" 2>&1 & server_pid=$! ;;
        nginx)
            for tries in 1 2 3 4 5; do
                port=$(( 20000 + RANDOM % 10000 ))
                nginx_conf "$port"
                /usr/sbin/nginx -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" \
                    > "$work/out" 2>&1 & server_pid=$!
                for _ in $(seq 50); do
                    (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null && return 0
                    kill -0 "$server_pid" 2> /dev/null || break
                    sleep 0.1
                done
                kill -KILL "$server_pid" 2> /dev/null || true
                wait "$server_pid" 2> /dev/null || true
            done
            echo "experiment: nginx did not start:" >&2; cat "$work/nginx-error.log" >&2; exit 1 ;;
    esac
    for _ in $(seq 50); do
        port=$(sed -n 's/^listening on 127.0.0.1://p' "$work/out")
        [ -n "$port" ] && return 0
        sleep 0.1
    done
    echo "experiment: $name did not start:" >&2; cat "$work/out" >&2; exit 1
}

# SIGTERM, then up to 5 s for a clean exit; a server that does not stop is killed, and
# that is an error of the server (they all must stop on SIGTERM).
stop_server() {
    local name=$1
    kill -TERM "$server_pid"
    for _ in $(seq 50); do
        kill -0 "$server_pid" 2> /dev/null || break
        sleep 0.1
    done
    if kill -0 "$server_pid" 2> /dev/null; then
        kill -KILL "$server_pid"
        echo "experiment: $name did not stop on SIGTERM; killed" >&2
    fi
    wait "$server_pid" || echo "experiment: $name exited with status $?" >&2
    server_pid=
}

rss_kib() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2> /dev/null || echo 0; }

# Figures of one wrk report: requests/s, p99 in microseconds, errors (socket errors and
# non-2xx answers), requests answered.
parse_wrk() {
    awk '
        /^Requests\/sec:/ { rps = $2 }
        $1 == "99%" { v = $2
            if (v ~ /us$/) { sub(/us$/, "", v); p99 = v }
            else if (v ~ /ms$/) { sub(/ms$/, "", v); p99 = v * 1000 }
            else if (v ~ /m$/) { sub(/m$/, "", v); p99 = v * 60e6 }
            else if (v ~ /s$/) { sub(/s$/, "", v); p99 = v * 1e6 } }
        /Socket errors:/ { gsub(/,/, ""); errs += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses:/ { errs += $5 }
        / requests in / { reqs = $1 }
        END { if (rps == "" || reqs == "") exit 1; printf "%s %.1f %d %d\n", rps, p99, errs, reqs }' "$1"
}

# CPU time a process used so far (user + system), in clock ticks of 1/hz seconds.
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

raw=$DATA/showdown.raw
printf '# server conns rep requests_per_s p99_us rss_kib errors cpu_us_per_request\n' > "$raw"
servers="threads pool uv co nginx"
npoints=$(( $(echo "$servers" | wc -w) * $(echo "$CONNS" | wc -w) )) point=0
for s in $servers; do
    for c in $CONNS; do
        point=$((point + 1))
        echo "[14-showdown] $point/$npoints: $s, $c connections, $REPS x ${DUR}s" >&2
        start_server "$s"
        url=http://127.0.0.1:$port/
        wrk -t2 -c"$c" -d1s "$url" > /dev/null 2>&1 || true   # warm-up, thrown away
        for rep in $(seq "$REPS"); do
            c0=$(cpu_ticks "$server_pid")
            wrk -t2 -c"$c" -d"${DUR}s" --timeout 5s --latency "$url" > "$work/wrk" 2>&1 &
            wrk_pid=$!
            # RSS in the middle of the run, while every connection is open.
            sleep "$(awk -v d="$DUR" 'BEGIN { print d * 0.6 }')"
            rss=$(rss_kib "$server_pid")
            wait "$wrk_pid" || { echo "experiment: wrk failed:" >&2; cat "$work/wrk" >&2; exit 1; }
            c1=$(cpu_ticks "$server_pid")
            figs=$(parse_wrk "$work/wrk") || { echo "experiment: cannot read wrk's report:" >&2; cat "$work/wrk" >&2; exit 1; }
            # CPU time per request: what one request costs the server, whatever share of
            # the cores the scheduler gave it.
            echo "$s $c $rep $figs" | awk -v rss="$rss" -v c0="$c0" -v c1="$c1" -v hz="$hz" \
                '{ printf "%s %s %s %s %s %s %s %.2f\n", $1, $2, $3, $4, $5, rss, $6, (c1 - c0) / hz * 1e6 / $7 }' >> "$raw"
        done
        stop_server "$s"
    done
done

# C7 for the servers: every request computes (GET /primes: lesson 01's work, about a
# millisecond), 8 connections. The CPU time the server used (utime + stime of
# /proc/PID/stat) over the run's wall time says how many cores it kept busy at once.
cpu_raw=$DATA/showdown_cpu.raw
printf '# server rep requests_per_s cores_used (CPU seconds per second of the run)\n' > "$cpu_raw"
for s in threads pool uv co; do
    echo "[14-showdown] CPU-bound requests: $s, 8 connections, $CPU_REPS x ${DUR}s" >&2
    start_server "$s"
    url=http://127.0.0.1:$port/primes
    wrk -t2 -c8 -d1s "$url" > /dev/null 2>&1 || true   # warm-up
    for rep in $(seq "$CPU_REPS"); do
        t0=$(date +%s.%N) c0=$(cpu_ticks "$server_pid")
        wrk -t2 -c8 -d"${DUR}s" --timeout 5s --latency "$url" > "$work/wrk" 2>&1 ||
            { echo "experiment: wrk failed:" >&2; cat "$work/wrk" >&2; exit 1; }
        t1=$(date +%s.%N) c1=$(cpu_ticks "$server_pid")
        figs=$(parse_wrk "$work/wrk") || { echo "experiment: cannot read wrk's report:" >&2; cat "$work/wrk" >&2; exit 1; }
        awk -v s="$s" -v r="$rep" -v f="$figs" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
            'BEGIN { split(f, a, " "); printf "%s %s %s %.3f\n", s, r, a[1], (c1 - c0) / hz / (t1 - t0) }' >> "$cpu_raw"
    done
    stop_server "$s"
done

# Where the time goes: system calls per request for uv, co and nginx at 100 connections
# (strace slows them all a lot: these runs count calls, their speed means nothing).
sys=$DATA/showdown_syscalls.txt
: > "$sys"
if command -v strace > /dev/null; then
    for s in uv co nginx; do
        start_server "$s"
        strace -c -f -o "$work/strace" -p "$server_pid" 2> /dev/null & strace_pid=$!
        sleep 0.5
        wrk -t2 -c100 -d2s "http://127.0.0.1:$port/" > "$work/wrk" 2>&1 || true
        kill -INT "$strace_pid" 2> /dev/null || true
        wait "$strace_pid" 2> /dev/null || true
        stop_server "$s"
        reqs=$(awk '/requests in/ { print $1 }' "$work/wrk")
        # strace -c lines: % time, seconds, usecs/call, calls, [errors,] syscall.
        awk -v s="$s" -v n="${reqs:-0}" '
            NF >= 5 && $4 ~ /^[0-9]+$/ && $NF != "total" && n > 0 {
                printf "%s %s %.3f\n", s, $NF, $4 / n }' "$work/strace" >> "$sys"
    done
else
    echo "# strace not installed: no system call counts" > "$sys"
fi

"$BIN/bench_showdown" "$MODE"
plot showdown_rps.gp showdown_rps
plot showdown_p99.gp showdown_p99
plot showdown_rss.gp showdown_rss
plot showdown_cpu.gp showdown_cpu
