#!/usr/bin/env python3
"""plots/claims/claims.py: the sixteen lines of `make claims`, one per claim C1..C16.

Every figure is read from the data files of ONE data set, the folder DATA (build/data, or
$BENCH_DATA: make test's own), as the lessons' experiments wrote them: DATA/NN-topic/*.dat
(and a few .txt logs kept beside them). Nothing is read from DATA/claims/: those are the
per-lesson lines (`plots/claims.sh --all` shows them). Each verdict word is computed below by
the rule written in the comment above it; where a claim is settled by several lessons, the
rule says how their figures combine. A lesson's rule that this file applies again is cited
by its file, so the two can be compared.

A claim whose files are missing prints "not yet measured (run make plots): lesson NN". The
line format is the one book/claims-table.awk reads: "%-4s %-34s figures    VERDICT".

Usage: claims.py DATA            the sixteen lines
       claims.py DATA C5 ...     only these
"""
import os
import re
import sys

DATA = "build/data"

WORDS = {
    "C1": "async is faster: threads cost", "C2": "threads better for I/O-bound",
    "C3": "async isolates errors", "C4": "a thread error affects others",
    "C5": "threads need more memory", "C6": "async creates no resources",
    "C7": "threads parallel, async not", "C8": "threads ideal for CPU-bound",
    "C9": "async unfit for CPU-bound", "C10": "async has no race conditions",
    "C11": "threads slower for I/O", "C12": "many threads: switch costs",
    "C13": "coroutines lighter than threads", "C14": "which is easier to debug",
    "C15": "threads run in isolation", "C16": "concurrency vs parallelism",
}
LESSONS = {
    "00": "00-intro", "01": "01-threads", "02": "02-races", "04": "04-deadlocks",
    "05": "05-condition-variables", "06": "06-thread-pool", "07": "07-event-loop",
    "08": "08-nonblocking-io", "09": "09-blocking-the-loop", "10": "10-stackless-coroutines",
    "11": "11-stackful-coroutines", "13": "13-error-isolation", "14": "14-showdown",
}


class Missing(Exception):
    """A file (or a row of it) a claim needs is not there: lesson NN's experiment has not run."""

    def __init__(self, lesson, what):
        super().__init__(what)
        self.lesson, self.what = lesson, what


# ---- reading the data set ------------------------------------------------------------

def path(lesson, name):
    return os.path.join(DATA, LESSONS[lesson], name)


def text(lesson, name):
    try:
        with open(path(lesson, name), encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        raise Missing(lesson, name) from None


def rows(lesson, name):
    """The data rows of a file (lines not starting with #), split on white space."""
    r = [ln.split() for ln in text(lesson, name).splitlines()
         if ln.strip() and not ln.startswith("#")]
    if not r:
        raise Missing(lesson, name)
    return r


def row(lesson, name, key, col=0):
    """The row whose column col is key (a string: "1", "thread-per-task", ...)."""
    for r in rows(lesson, name):
        if len(r) > col and r[col] == key:
            return r
    raise Missing(lesson, "%s (row %s)" % (name, key))


def num(r, col):
    """Column col of row r as a number (a file cut short counts as not measured)."""
    try:
        return float(r[col])
    except (IndexError, ValueError):
        raise Missing("??", "column %d of '%s'" % (col, " ".join(r))) from None


def busy(lesson, name):
    """True when the file's '# load:' line says other programs loaded the machine."""
    return bool(re.search(r"^# load: .*BUSY", text(lesson, name), re.M))


def cores(lesson, name):
    """The machine's cores, as the file's '# load:' or '# machine:' line gives them."""
    m = re.search(r"^# (?:load|machine): .*?\b(\d+) cores?\b", text(lesson, name), re.M)
    if not m:
        raise Missing(lesson, name + " (no cores in its header)")
    return int(m.group(1))


# ---- numbers as the line shows them ----------------------------------------------------

def g(x, nd=1):
    return "%.*f" % (nd, x)


def ns(x):
    """ns, us or ms, three significant figures at most."""
    for unit, scale in (("ms", 1e6), ("us", 1e3)):
        if x >= scale:
            v = x / scale
            return "%s %s" % (g(v, 0 if v >= 100 else 1), unit)
    return "%s ns" % g(x, 0 if x >= 100 else 1)


def size(b):
    """Bytes as B or KiB."""
    return "%.0f B" % b if b < 1024 else "%s KiB" % g(b / 1024, 1)


def times(x):
    return "%.0fx" % x if x >= 10 else "%.1fx" % x


ORDER = {"FALSE": 0, "HALF-TRUE": 1, "TRUE": 2}


# ---- the claims --------------------------------------------------------------------------
# Each function returns (figures, verdict). The comment above each rule is the rule.

def server_sweep():
    """Lesson 14's comparison of its four servers (plots/14-showdown/bench_showdown.c): per
    connection count, async "wins" when the better async design (the loop, or coroutines on
    it) beats the better thread design by more than the margin, the threads win the other
    way round; the pool is "close" when within the margin of async. Score: requests/s on a
    quiet machine; on a busy one (load above half the cores) requests per CPU-second,
    margin 25% instead of 10%."""
    cols = {}
    for s in ("threads", "pool", "uv", "co"):
        f = "showdown_%s.dat" % s
        # conns rps_median ... (col 1) ... cpu_us_per_req_median (col 11)
        cols[s] = {r[0]: r for r in rows("14", f)}
    is_busy = any(busy("14", "showdown_%s.dat" % s) for s in cols)
    margin = 0.25 if is_busy else 0.10

    def score(s, c):
        r = cols[s][c]
        if not is_busy:
            return num(r, 1)
        cpu = num(r, 11)
        return 1e6 / cpu if cpu > 0 else 0.0

    conns = sorted(set.intersection(*(set(v) for v in cols.values())), key=int)
    if not conns:
        raise Missing("14", "showdown_*.dat (no connection count in all four)")
    pts = []
    for c in conns:
        t, p, u, co = score("threads", c), score("pool", c), score("uv", c), score("co", c)
        best, a = max(t, p), max(u, co)
        pts.append({"c": c, "t": t, "p": p, "u": u, "co": co,
                    "async_wins": a > best * (1 + margin),
                    "threads_win": best > a * (1 + margin),
                    "pool_close": p >= a * (1 - margin),
                    "async_beats_thr": a > t * (1 + margin)})
    return pts, is_busy, ("k req/CPU-s" if is_busy else "k req/s")


def c1():
    t_create = num(row("06", "task_cost.dat", "thread-per-task", 1), 2)   # median_ns_per_task
    pool = num(row("06", "task_cost.dat", "pool", 1), 2)
    callback = num(row("07", "callback_cost.dat", "timer-0", 1), 2)     # queue + run one callback
    coro = num(row("11", "create.dat", "1"), 1)                         # coroutine-16KiB, create+run+destroy
    pts, is_busy, _ = server_sweep()
    wins = sum(p["async_wins"] for p in pts)
    # Rule (lessons 06, 07, 14; lesson 11's coroutine figure is shown beside, not used: a
    # stackful coroutine's creation is mostly the mmap of its stack). The claim is "async is
    # faster BECAUSE creating threads is expensive". Creation is the expense when a thread
    # create+join costs at least 10x a queued libuv callback (06 vs 07). TRUE if it does, a
    # pool task (a thread created once, reused) still costs at least 10x a callback, and the
    # better async server (the loop or coroutines on it) beats both thread servers at every
    # connection count (14); FALSE if create+join is under 10x a callback or async wins at no
    # connection count (async is not faster where it counts); HALF-TRUE otherwise (creation
    # is costly per task, but a pool or a thread server closes the gap somewhere).
    costly = t_create >= 10 * callback
    if costly and pool >= 10 * callback and wins == len(pts):
        v = "TRUE"
    elif not costly or wins == 0:
        v = "FALSE"
    else:
        v = "HALF-TRUE"
    fig = ("per task: thread %s, pool %s, uv callback %s, coroutine %s | uv/co server ahead at "
           "%d/%d conn counts%s"
           % (ns(t_create), ns(pool), ns(callback), ns(coro), wins, len(pts),
              " (busy)" if is_busy else ""))
    return fig, v


def c2():
    pts, is_busy, unit = server_sweep()
    async_wins = sum(p["async_wins"] for p in pts)
    threads_win = sum(p["threads_win"] for p in pts)
    n = len(pts)
    # Rule (lesson 14's, plots/14-showdown/bench_showdown.c): TRUE if the better thread design
    # beats the better async one (loop or coroutines) by more than the margin at every
    # connection count; FALSE if async beats both thread designs at every count; DEPENDS if
    # the winner changes with the count; HALF-TRUE if async wins nowhere but the threads do
    # not win everywhere.
    if threads_win == n:
        v = "TRUE"
    elif async_wins == n:
        v = "FALSE"
    elif async_wins == 0:
        v = "HALF-TRUE"
    else:
        v = "DEPENDS"
    fig = "%s thr/pool/uv/co: %s%s" % (unit, ", ".join(
        "c=%s %.0f/%.0f/%.0f/%.0f" % (p["c"], p["t"] / 1e3, p["p"] / 1e3, p["u"] / 1e3,
                                      p["co"] / 1e3) for p in pts),
        " (busy: 25% margin)" if is_busy else "")
    return fig, v


def isolation():
    """Lesson 13's matrix: {(model, fault): others_ok_median}, and N-1."""
    m = {}
    for r in rows("13", "isolation.dat"):
        # model_index fault_index model fault others_ok_median ...
        m[(r[2], r[3])] = num(r, 4)
    found = re.search(r"^# N = (\d+) tasks", text("13", "isolation.dat"), re.M)
    if not found:
        raise Missing("13", "isolation.dat (no '# N = ' line)")
    return m, int(found.group(1)) - 1


def faults_of(m, model):
    return {f: v for (mm, f), v in m.items() if mm == model and f != "none"}


def c3():
    m, others = isolation()
    loop, coro, proc = faults_of(m, "loop"), faults_of(m, "coroutines"), faults_of(m, "processes")
    if not loop or not coro:
        raise Missing("13", "isolation.dat (loop or coroutine rows)")
    # Rule (lesson 13's, plots/13-error-isolation/bench_isolation.c), on the medians of the
    # loop and coroutine rows, every fault but none: TRUE if every fault left all N-1 other
    # tasks right in both; FALSE if some fault left fewer than half right in the loop;
    # HALF-TRUE otherwise.
    worst_async = min(list(loop.values()) + list(coro.values()))
    v = ("TRUE" if worst_async == others else
         "FALSE" if min(loop.values()) < others / 2 else "HALF-TRUE")
    fig = ("others right of %d, loop: NULL %.0f abort %.0f spin %.0f block %.0f leak %.0f | "
           "coroutines: NULL %.0f spin %.0f | processes: worst %s"
           % (others, loop.get("NULL", -1), loop.get("abort", -1), loop.get("endless-loop", -1),
              loop.get("blocking-read", -1), loop.get("leak", -1), coro.get("NULL", -1),
              coro.get("endless-loop", -1), "%.0f" % min(proc.values()) if proc else "-"))
    return fig, v


def c4():
    dead = rows("04", "dead_owner.dat")
    # waiters normal_got_median normal_got_min normal_got_max robust_got_median ...
    normal_most = max(num(r, 3) for r in dead)
    normal_all = all(num(r, 2) == num(r, 0) for r in dead)
    last = max(dead, key=lambda r: num(r, 0))
    m, others = isolation()
    thr = faults_of(m, "threads")
    if not thr:
        raise Missing("13", "isolation.dat (threads rows)")
    # Rule (lessons 04 and 13). Lesson 04's: TRUE if no waiter ever got the normal mutex its
    # dead owner held, FALSE if every waiter got it every time, HALF-TRUE between. Lesson 13's:
    # TRUE if some fault in one thread left fewer than N-1 other threads right, FALSE if none
    # did. The claim says "may affect": one lesson showing the harm is enough. TRUE if either
    # says TRUE; FALSE if both say FALSE; HALF-TRUE otherwise. (The robust mutex, shown beside,
    # is how a program contains the damage when it asks for it.)
    v04 = "TRUE" if normal_most == 0 else "FALSE" if normal_all else "HALF-TRUE"
    v13 = "TRUE" if min(thr.values()) < others else "FALSE"
    v = ("TRUE" if "TRUE" in (v04, v13) else
         "FALSE" if v04 == v13 == "FALSE" else "HALF-TRUE")
    fig = ("dead owner: %.0f/%.0f waiters got the mutex, robust %.0f (04) | others right of %d "
           "threads: NULL %.0f abort %.0f exit %.0f stray %.0f spin %.0f (13)"
           % (num(last, 1), num(last, 0), num(last, 4), others, thr.get("NULL", -1),
              thr.get("abort", -1), thr.get("exit", -1), thr.get("stray-write", -1),
              thr.get("endless-loop", -1)))
    return fig, v


def c5():
    # Threads: an idle thread's resident stack (RSS growth per thread) AND its kernel stack
    # (KernelStack growth per thread, which RSS does not show); default stack size.
    s06 = row("06", "thread_mem_slope.dat", "default")   # stack rss_B vmsize_B kernelstack_B
    t06 = (num(s06, 1), num(s06, 3))
    s11 = row("11", "mem_summary.dat", "3")              # kind tasks rss_B vm_B kernelstack_B
    t11 = (num(s11, 2), max(num(s11, 4), 0))
    thread = min(sum(t06), sum(t11))
    # The loop: what one libuv task owns. 07: a handle (uv_timer_t) plus the largest pending
    # request, struct and libuv's own allocation; 08: the server's RSS growth per idle client
    # at the most clients; 14: the loop server's RSS growth per connection under load.
    pend = rows("07", "pending_bytes.dat")               # index kind struct libuv total
    handle = max(num(r, 4) for r in pend if "handle" in r[1])
    request = max(num(r, 4) for r in pend if "request" in r[1])
    idle08 = num(max(rows("08", "idle_rss.dat"), key=lambda r: num(r, 0)), 1)
    mem14 = {r[0]: num(r, 1) * 1024 for r in rows("14", "showdown_mem.dat")}  # KiB/conn
    if "2" not in mem14 or "1" not in mem14:
        raise Missing("14", "showdown_mem.dat (rows 1, 2)")
    loop = max(handle + request, idle08, mem14["2"])
    # Coroutines: a suspended 16 KiB coroutine's touched stack and control block (11, RSS
    # per task; its kernel-stack column is noise around 0, not added); stackless: the task
    # struct's resident bytes (10).
    s16 = row("11", "mem_summary.dat", "1")
    coro = num(s16, 2)
    stackless = num(max(rows("10", "task_bytes.dat"), key=lambda r: num(r, 0)), 2)
    # Rule (claims.md's, replacing lesson 06's interim "resident vs reserved" rule): TRUE if
    # a thread costs more than 10x the loop's resident bytes per task, HALF-TRUE if more but
    # under 10x, FALSE otherwise. Both sides are taken against the claim: the thread is the
    # smaller of lessons 06 and 11 (RSS + kernel stack), the loop task the largest of
    # lessons 07, 08 and 14. A loop figure under 64 B counts as 64 (RSS moves by pages).
    ratio = thread / max(loop, 64.0)
    v = "TRUE" if ratio > 10 else "HALF-TRUE" if ratio > 1 else "FALSE"
    src, t = ("06", t06) if sum(t06) <= sum(t11) else ("11", t11)
    fig = ("thread %s KiB+%s kstack (%s) | uv task <=%.0f B (07 %.0f+%.0f, 08 %.0f, 14 %.0f): %s | "
           "coro %s, stackless %.0f B, pool %.0f B/conn"
           % (g(t[0] / 1024), g(t[1] / 1024), src, loop, handle,
              request, idle08, mem14["2"],
              times(ratio), size(coro), stackless, mem14["1"]))
    return fig, v


def c6():
    thr = {r[1]: num(r, 3) for r in rows("07", "pool_threads.dat")}   # index size before after
    pend = {r[1]: r for r in rows("07", "pending_bytes.dat")}
    unset = [k for k in thr if k.startswith("unset")]
    fs_open = pend.get("uv_fs_open(request)")
    if not unset or fs_open is None or "uv_timer_t(handle)" not in pend:
        raise Missing("07", "pool_threads.dat / pending_bytes.dat rows")
    after = thr[unset[0]]
    open_bytes = num(fs_open, 4)
    # Rule (lesson 07's, plots/07-event-loop/bench_resources.c): FALSE when the program has
    # more than 1 thread after one file read with the default pool AND a pending file request
    # owns more than 0 bytes; HALF-TRUE when only one of the two; TRUE when neither.
    wrong = (after > 1) + (open_bytes > 0)
    v = "FALSE" if wrong == 2 else "HALF-TRUE" if wrong == 1 else "TRUE"
    fig = ("threads after 1 file read: %.0f (pool unset), %s | pending uv_fs_open %.0f B (%.0f by "
           "libuv) | timer %.0f B"
           % (after, ", ".join("%.0f (%s)" % (v_, k) for k, v_ in thr.items()
                               if not k.startswith("unset") and k != "4"),
              open_bytes, num(fs_open, 3), num(pend["uv_timer_t(handle)"], 4)))
    return fig, v


def cpython_speedup(kind, workers):
    """CPython's speedup at `workers` over 1 worker (01's cpython.dat), 0 if not there."""
    col = {"threading": 1, "asyncio": 2, "multiprocessing": 3}[kind]
    try:
        r1, rn = row("01", "cpython.dat", "1"), row("01", "cpython.dat", str(workers))
    except Missing:
        return 0.0
    return num(r1, col) / num(rn, col) if num(rn, col) > 0 else 0.0


def c_threads_01():
    n = cores("01", "speedup.dat")
    r = row("01", "speedup.dat", str(n))        # threads median_s ... speedup_median (col 4)
    return n, num(r, 4), busy("01", "speedup.dat")


def cpu_servers():
    # server (0 threads, 1 pool, 2 uv, 4 co) rps_med ... cores_med (col 4)
    r = {x[0]: x for x in rows("14", "showdown_cpu.dat")}
    if not all(k in r for k in "0124"):
        raise Missing("14", "showdown_cpu.dat (rows 0, 1, 2, 4)")
    return ({k: num(r[k], 4) for k in "0124"}, {k: num(r[k], 1) for k in "0124"},
            busy("14", "showdown_cpu.dat"), cores("14", "showdown_cpu.dat"))


def c7():
    n, sp, busy01 = c_threads_01()
    py_async = cpython_speedup("asyncio", n)
    cc, _, busy14, _ = cpu_servers()
    # Lesson 01's rule (plots/01-threads/bench_speedup.c): TRUE if C threads reach 0.6 x cores
    # speedup at `cores` threads and asyncio stays under 1.2x; DEPENDS on 1 core or when C
    # does not scale on a busy machine; FALSE otherwise.
    c_scales = sp >= 0.6 * n
    v01 = ("DEPENDS" if n < 2 or (not c_scales and busy01) else
           "TRUE" if c_scales and (py_async == 0 or py_async < 1.2) else "FALSE")
    # Lesson 14's rule (bench_showdown.c): TRUE if a thread server kept more than 1.2 cores busy
    # on CPU-bound requests while both async servers (the loop and coroutines on it) stayed at
    # one (at most 1.05); DEPENDS on 1 core or when no thread server got past 1.2 on a busy
    # machine; FALSE otherwise.
    thr = max(cc["0"], cc["1"])
    par = thr > 1.2
    one = max(cc["2"], cc["4"]) <= 1.05
    v14 = "DEPENDS" if n < 2 or (not par and busy14) else "TRUE" if par and one else "FALSE"
    # Combined: load can hide parallelism, never fake it, so a DEPENDS (a busy machine) gives
    # way to the other lesson's word. TRUE if one says TRUE and none FALSE; FALSE if one says
    # FALSE and none TRUE; DEPENDS if both say DEPENDS or they contradict each other.
    vs = {v01, v14}
    v = ("TRUE" if "TRUE" in vs and "FALSE" not in vs else
         "FALSE" if "FALSE" in vs and "TRUE" not in vs else "DEPENDS")
    fig = ("x%d: C threads %.2fx, asyncio %s (01%s) | CPU-bound servers, cores busy: "
           "thr/conn %.2f, pool %.2f, uv %.2f, co %.2f (14%s)"
           % (n, sp, "%.2fx" % py_async if py_async else "not run", ", busy" if busy01 else "",
              cc["0"], cc["1"], cc["2"], cc["4"], ", busy" if busy14 else ""))
    return fig, v


def c8():
    n, sp, busy01 = c_threads_01()
    cc, rps, busy14, _ = cpu_servers()
    py_thr, py_mp = cpython_speedup("threading", n), cpython_speedup("multiprocessing", n)
    thr_cores = max(cc["0"], cc["1"])
    # Rule (lessons 01 and 14, the same words): C threads scale when the speedup at `cores`
    # threads (01) or the cores a thread server kept busy on CPU-bound requests (14) reach
    # 0.6 x cores (load can hide scaling, never fake it: either lesson is proof). Then TRUE if
    # CPython threading (01) also reaches 0.6 x cores; HALF-TRUE if it stays under 1.2x (the
    # GIL: true in C, false in CPython); DEPENDS in between. If C does not scale: DEPENDS if
    # either run was on a busy machine, FALSE otherwise. DEPENDS on 1 core or without CPython.
    c_scales = sp >= 0.6 * n or thr_cores >= 0.6 * n
    if n < 2 or py_thr == 0:
        v = "DEPENDS"
    elif not c_scales:
        v = "DEPENDS" if busy01 or busy14 else "FALSE"
    elif py_thr >= 0.6 * n:
        v = "TRUE"
    elif py_thr < 1.2:
        v = "HALF-TRUE"
    else:
        v = "DEPENDS"
    fig = ("C: %d threads %.2fx (01%s), thread server %.2f of %d cores (14%s) | CPython x%d: "
           "threading %s, multiprocessing %s"
           % (n, sp, ", busy" if busy01 else "", thr_cores, n, ", busy" if busy14 else "", n,
              "%.2fx" % py_thr if py_thr else "not run", "%.2fx" % py_mp if py_mp else "not run"))
    return fig, v


def c9():
    r = {x[1]: x for x in rows("09", "ping.dat")}   # index mode median_ms p99_ms min max pings
    try:
        idle, cb, pool = r["idle-server"], r["work-in-read-callback"], r["work-on-pool"]
    except KeyError:
        raise Missing("09", "ping.dat rows") from None
    is_busy = busy("09", "ping.dat")
    ratio = num(cb, 2) / (num(pool, 2) if num(pool, 2) > 0 else 1e-9)
    # Rule (lesson 09's, plots/09-blocking-the-loop/bench_ping.c): TRUE when, during the
    # work, the median ping waits at least 10x longer with the work in the read callback than
    # with it on libuv's pool; HALF-TRUE from 2x to 10x; FALSE under 2x; on a busy machine a
    # result other than TRUE is DEPENDS.
    v = "TRUE" if ratio >= 10 else "HALF-TRUE" if ratio >= 2 else "FALSE"
    if is_busy and ratio < 10:
        v = "DEPENDS"
    fig = ("ping while computing: in callback %s ms (p99 %s) | on uv pool %s ms (p99 %s): %s "
           "less | idle %s ms%s"
           % (g(num(cb, 2)), g(num(cb, 3)), g(num(pool, 2), 2), g(num(pool, 3), 2), times(ratio),
              g(num(idle, 2), 2), " (busy)" if is_busy else ""))
    return fig, v


def tsan(lesson_file):
    log = text("02", lesson_file)
    lines = sorted(set(re.findall(r"#0 .*?\b(racy\.c:\d+)", log)))
    return log.count("WARNING: ThreadSanitizer:"), lines


def c10():
    thr = max(rows("02", "lost.dat"), key=lambda r: num(r, 0))   # threads lost_median_pct ...
    co = {r[0]: r for r in rows("02", "coro.dat")}               # coroutines between after
    if "2" not in co:
        raise Missing("02", "coro.dat (row 2)")
    mid2, after2 = num(co["2"], 1), num(co["2"], 2)
    st = rows("10", "lost.dat")   # tasks expected lost_split split_pct lost_whole whole_pct
    st_max = max(st, key=lambda r: num(r, 0))
    split_any = sum(num(r, 2) for r in st if num(r, 0) >= 2)
    whole_any = sum(num(r, 4) for r in st)
    warn_thr, _ = tsan("tsan-racy.txt")
    warn_co, _ = tsan("tsan-coro.txt")
    # Rule (lessons 02 and 10): FALSE if ThreadSanitizer reports a data race in the coroutine
    # demo (02); HALF-TRUE if it reports none (one thread: no data race, that half holds) while
    # tasks that yield between read and write lose updates, in 02 (stackful, 2 coroutines) or
    # 10 (stackless, 2..8 tasks), and the same code yielding after the write (02) or with no
    # yield in between (10) loses none (a race condition at the suspension point); TRUE if
    # the mid-update yield loses nothing in either lesson; DEPENDS otherwise.
    loses = mid2 > 0 or split_any > 0
    clean = after2 == 0 and whole_any == 0
    v = ("FALSE" if warn_co > 0 else "HALF-TRUE" if loses and clean else
         "TRUE" if not loses else "DEPENDS")
    fig = ("threads x%.0f: %.1f%% lost, TSan %d | yield mid-update: 2 coroutines lose %.0f%% (02), "
           "%.0f stackless %.1f%% (10), TSan %d | after: %.0f lost"
           % (num(thr, 0), num(thr, 1), warn_thr, mid2, num(st_max, 0), num(st_max, 3), warn_co,
              after2 + whole_any))
    return fig, v


def c11():
    pts, is_busy, unit = server_sweep()
    n = len(pts)
    faster = sum(p["async_beats_thr"] for p in pts)
    # Rule (lesson 14's, bench_showdown.c): thread-per-connection vs the better async server
    # (the loop or coroutines on it). TRUE if async is faster by more than the margin at every
    # connection count; FALSE if the threads match or beat it at every count; DEPENDS
    # otherwise.
    v = "TRUE" if faster == n else "FALSE" if faster == 0 else "DEPENDS"
    fig = "thread/conn vs loop/co, %s: %s%s" % (unit, ", ".join(
        "c=%s %.0f vs %.0f/%.0f" % (p["c"], p["t"] / 1e3, p["u"] / 1e3, p["co"] / 1e3)
        for p in pts),
        " (busy: 25% margin)" if is_busy else "")
    return fig, v


def c12():
    h = {r[0]: r for r in rows("05", "handoff.dat")}   # case median_ns min max switches
    if not all(k in h for k in "0123"):
        raise Missing("05", "handoff.dat (cases 0..3)")
    call, cv = num(h["0"], 1), h["1"]
    sw = num(cv, 4)
    per_switch = num(cv, 1) / (sw if sw > 0 else 1)
    in_calls = per_switch / (call if call > 0 else 0.001)
    s = {r[0]: num(r, 1) for r in rows("11", "switch.dat")}   # way median_ns ...
    if "3" not in s or "5" not in s:
        raise Missing("11", "switch.dat (ways 3, 5)")
    coro, th = s["3"], s["5"]
    # Lesson 05's rule (bench_handoff.c): DEPENDS under 0.9 switches per hand-off; TRUE if one
    # thread switch costs at least 1 us and 100 function calls; HALF-TRUE if at least 10 calls;
    # FALSE under 10. Lesson 11's rule (bench_switch.c): TRUE if a thread hand-off on one core
    # costs at least 10x a coroutine switch and at least 1 us; HALF-TRUE from 2x; FALSE under.
    v05 = ("DEPENDS" if sw < 0.9 else "TRUE" if per_switch >= 1000 and in_calls >= 100 else
           "HALF-TRUE" if in_calls >= 10 else "FALSE")
    ratio = th / coro if coro > 0 else 0
    v11 = "TRUE" if ratio >= 10 and th >= 1000 else "HALF-TRUE" if ratio >= 2 else "FALSE"
    # Combined: a thread switch must be expensive against a call (05) AND against the
    # coroutine switch that replaces it (11): the weaker of the two words; DEPENDS if 05's is.
    v = "DEPENDS" if v05 == "DEPENDS" else min(v05, v11, key=ORDER.get)
    fig = ("1 core: thread switch %s = %.0f calls (%.2f/hand-off) (05) | hand-off %s vs "
           "coroutine switch %s: %s (11)"
           % (ns(per_switch), in_calls, sw, ns(th), ns(coro), times(ratio)))
    return fig, v


def c13():
    cr = {r[0]: num(r, 1) for r in rows("11", "create.dat")}   # way median_ns ...
    if not all(k in cr for k in "013"):
        raise Missing("11", "create.dat (ways 0, 1, 3)")
    ms = {r[0]: r for r in rows("11", "mem_summary.dat")}     # kind tasks rss vm kstack
    if "1" not in ms or "3" not in ms:
        raise Missing("11", "mem_summary.dat (kinds 1, 3)")
    thread_b = num(ms["3"], 2) + max(num(ms["3"], 4), 0)
    coro_b = num(ms["1"], 2)
    sl_b = num(max(rows("10", "task_bytes.dat"), key=lambda r: num(r, 0)), 2)
    # Rule (lesson 11's, bench_create.c, applied to each kind of coroutine): a kind is lighter
    # in time when create+run+destroy costs at least 10x less than a thread's (11), lighter
    # in memory when a waiting task's resident bytes are at least 2x less than an idle
    # thread's RSS + kernel stack (11; stackless bytes from 10). TRUE if both kinds (stackful
    # 16 KiB, stackless) pass both tests; FALSE if no kind passes either; HALF-TRUE otherwise.
    tests = [cr["3"] >= 10 * cr["1"], thread_b >= 2 * coro_b,
             cr["3"] >= 10 * cr["0"], thread_b >= 2 * max(sl_b, 1)]
    v = "TRUE" if all(tests) else "FALSE" if not any(tests) else "HALF-TRUE"
    fig = ("create: thread %s, coro %s (%s), stackless %s | waiting: thread %s, coro %s (%s), "
           "stackless %.0f B"
           % (ns(cr["3"]), ns(cr["1"]), times(cr["3"] / cr["1"]), ns(cr["0"]), size(thread_b),
              size(coro_b), times(thread_b / coro_b), sl_b))
    return fig, v


def c14():
    warn_thr, named = tsan("tsan-racy.txt")
    warn_co, _ = tsan("tsan-coro.txt")
    co = row("02", "coro.dat", "2")
    mid2 = num(co, 1)
    bt_t, bt_c = text("13", "backtrace_thread.txt"), text("13", "backtrace_callback.txt")

    def chain(bt):
        fr = [ln.split()[1] for ln in bt.splitlines() if re.match(r"#\d+ \S", ln)]
        if "check_length" in fr:   # from the failing check's caller's caller up to the
            fr = fr[fr.index("check_length") + 2:]   # code that asked or the loop
        for stop in ("handle_request", "uv_run"):
            if stop in fr[:4]:
                fr = fr[:fr.index(stop) + 1]
        return "<-".join(fr[:4]) if fr else "none"

    # Rule (lessons 02 and 13). 02: ThreadSanitizer names the racy lines (racy.c:N) of the
    # threaded demo AND reports nothing on the coroutines although they lose updates. 13: the
    # failing thread's gdb backtrace names handle_request (the code that asked for the check)
    # while the failing callback's shows uv_run and no handle_request. HALF-TRUE if either
    # holds ("threads are easy to debug" holds, with the tools; "async is easier" does not);
    # DEPENDS if neither (a tool missed, or no gdb).
    h02 = bool(named) and warn_co == 0 and mid2 > 0
    h13 = ("handle_request" in bt_t and "handle_request" not in bt_c
           and re.search(r"\buv_run\b", bt_c) is not None)
    v = "HALF-TRUE" if h02 or h13 else "DEPENDS"
    fig = ("TSan: threads %d report (%s), coroutines losing %.0f%%: %d (02) | bt: thread <-%s, "
           "callback <-%s (13)"
           % (warn_thr, ",".join(named).replace(",racy.c:", ",") or "no line", mid2, warn_co,
              chain(bt_t), chain(bt_c)))
    return fig, v


def c15():
    out = text("01", "stray_write.txt")
    found = re.search(r"^stray_write: (\d+) of thread 1's (\d+) cells", out, re.M)
    if not found:
        raise Missing("01", "stray_write.txt (no summary line)")
    changed, cells = int(found.group(1)), int(found.group(2))
    m, others = isolation()
    thr, proc = faults_of(m, "threads"), faults_of(m, "processes")
    if "stray-write" not in thr or "NULL" not in thr:
        raise Missing("13", "isolation.dat (threads rows)")
    # Rule (lessons 01 and 13): FALSE if one thread's stray write changed another thread's
    # data in either lesson (01: the off-by-one demo; 13: the stray-write fault left fewer than
    # N-1 other threads right); HALF-TRUE if not, but a crash (NULL) in one thread ended the
    # others (13); TRUE otherwise.
    v = ("FALSE" if changed > 0 or thr["stray-write"] < others else
         "HALF-TRUE" if thr["NULL"] < others else "TRUE")
    fig = ("thread 0's off-by-one hit %d of thread 1's %d cells (01) | stray write: threads keep "
           "%.0f/%d others, processes %s/%d; NULL: threads %.0f/%d (13)"
           % (changed, cells, thr["stray-write"], others,
              "%.0f" % proc["stray-write"] if "stray-write" in proc else "-", others, thr["NULL"],
              others))
    return fig, v


def c16():
    ov = rows("00", "overlap.dat")   # cores overlap_med min max at_once_med min max
    if len(ov) < 2:
        raise Missing("00", "overlap.dat (two rows)")
    one, alln = ov[0], ov[1]
    n = int(num(alln, 0))
    speed = num(rows("00", "speedup.dat")[0], 1)
    wall = {r[0]: num(r, 1) for r in rows("00", "wall.dat")}
    if "1" not in wall or "2" not in wall:
        raise Missing("00", "wall.dat (cases 1, 2)")
    # Rule (lesson 00's, plots/00-intro/bench_overlap.c): concurrency without simultaneity if,
    # on one core, the lifetimes overlap at least 50% (median) while no repetition had more
    # than 1.10 tasks running at once; simultaneity if, on all cores, some repetition had more
    # than 1.10 at once. HALF-TRUE if both; FALSE if only the first; DEPENDS if the tasks did
    # not overlap on one core.
    conc = num(one, 1) >= 50 and num(one, 6) <= 1.10
    simul = n >= 2 and num(alln, 6) > 1.10
    v = "HALF-TRUE" if conc and simul else "FALSE" if conc else "DEPENDS"
    fig = ("1 core: overlap %.0f%%, %.2f at once, %.2fx the work alone | %d "
           "cores: %.2f at once (best %.2f), speedup %.2fx%s"
           % (num(one, 1), num(one, 4), wall["2"] / wall["1"], n, num(alln, 4), num(alln, 6),
              speed, "" if simul else " (no simultaneity)"))
    return fig, v


CLAIMS = {"C%d" % i: f for i, f in enumerate(
    (c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16), 1)}
# The lessons each claim reads, to name them when their data is missing.
READS = {"C1": "06 07 11 14", "C2": "14", "C3": "13", "C4": "04 13", "C5": "06 07 08 10 11 14",
         "C6": "07", "C7": "01 14", "C8": "01 14", "C9": "09", "C10": "02 10", "C11": "14",
         "C12": "05 11", "C13": "10 11", "C14": "02 13", "C15": "01 13", "C16": "00"}


def line(cid):
    words = WORDS[cid]
    try:
        fig, verdict = CLAIMS[cid]()
    except Missing as e:
        # Every lesson of this claim whose data folder has no .dat file, else the one that
        # raised (a file or a row missing from a folder that exists).
        gone = [l for l in READS[cid].split()
                if not os.path.isdir(os.path.join(DATA, LESSONS[l]))
                or not any(n.endswith(".dat") for n in os.listdir(os.path.join(DATA, LESSONS[l])))]
        # (Nothing goes to stderr: book/build.sh reads this output with 2>&1.)
        what = ""
        if not gone and e.lesson in LESSONS:
            gone, what = [e.lesson], " (%s)" % e.what
        elif not gone:   # a row cut short: say which lessons, not which file
            gone, what = READS[cid].split(), " (a data file cut short)"
        return "%-4s %-34s not yet measured (run make plots): lesson%s %s%s" % (
            cid, words, "s" if len(gone) > 1 else "", ", ".join(gone), what)
    except (ArithmeticError, ValueError, KeyError, IndexError) as e:
        print("claims: %s: cannot compute from %s: %r" % (cid, DATA, e), file=sys.stderr)
        return "%-4s %-34s not yet measured (run make plots): lessons %s (unreadable data)" % (
            cid, words, ", ".join(READS[cid].split()))
    assert verdict in ("TRUE", "FALSE", "HALF-TRUE", "DEPENDS"), verdict
    return "%-4s %-34s %s    %s" % (cid, words, fig, verdict)


def main(argv):
    global DATA
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    DATA = argv[1]
    for cid in argv[2:] or list(CLAIMS):
        if cid not in CLAIMS:
            print("claims: no claim %s" % cid, file=sys.stderr)
            return 2
        print(line(cid))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except BrokenPipeError:   # plots/claims.sh | head
        sys.exit(0)
