"""tests/grader/sandbox.py: run one command in a box: bubblewrap as an unprivileged user, in
its own cgroup, with limits, and watched from outside.
Build: nothing (Python 3 standard library; used by grade.py)
Run:   python3 tests/grader/sandbox.py --self-test   (says what isolation this machine gives)

The isolation is real, from Debian packages: bwrap (bubblewrap) makes the namespaces (user, pid,
mount, network, ipc, uts, cgroup) and the read-only view; setpriv (util-linux) drops root before
bwrap starts, so the box's user namespace belongs to nobody (65534) and cannot read root's files;
prlimit (util-linux) sets the per-process limits; the cgroup (v1 or v2) limits memory and the
number of processes and lets the supervisor kill everything the run started. Without a usable
cgroup, rlimits are the only fence, and grade.py says so loudly.
"""
import errno
import fcntl
import os
import select
import signal
import threading
import time

BOX_UID = 65534
PREFIX = "course-grader."


def _read(path, limit=65536):
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _kv(path):
    out = {}
    for line in _read(path).splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return out


class Cgroups:
    """Where this grader may make cgroups: under its own cgroup (nested, so whatever limits the
    grader itself runs under still apply), in the v1 memory and pids hierarchies or in v2.
    GRADER_CGROUP=v1, v2 or none restricts the choice (to test one kind on a hybrid machine)."""

    def __init__(self):
        self.mode = None            # "v1", "v2" or None (rlimits only)
        self.bases = {}             # controller (or "v2") -> our directory
        self.why = ""
        want = os.environ.get("GRADER_CGROUP", "any")
        if want not in ("any", "v1", "v2", "none"):
            raise ValueError("GRADER_CGROUP must be v1, v2 or none")
        if want == "none":
            self.why = "GRADER_CGROUP=none"
            return
        if os.geteuid() != 0 and os.environ.get("GRADER_CGROUP_TRY") != "1":
            self.why = "not root: no cgroup of our own"
            return
        mounts = []
        for line in _read("/proc/self/mountinfo").splitlines():
            left, _, right = line.partition(" - ")
            f = left.split()
            r = right.split()
            if len(f) >= 5 and len(r) >= 3:
                mounts.append((f[4], r[0], set(r[2].split(","))))
        own = {}
        for line in _read("/proc/self/cgroup").splitlines():
            parts = line.split(":", 2)
            if len(parts) == 3:
                for c in parts[1].split(",") if parts[1] else ["v2"]:
                    own[c] = parts[2]
        tag = "%s%d" % (PREFIX, os.getpid())
        why = []
        if want in ("any", "v1"):
            try:
                self.bases = self._v1(mounts, own, tag)
                self.mode = "v1"
                return
            except OSError as e:
                why.append(str(e))
        if want in ("any", "v2"):
            try:
                self.bases = {"v2": self._v2(mounts, own, tag)}
                self.mode = "v2"
                return
            except OSError as e:
                why.append(str(e))
        self.why = "; ".join(why)

    @staticmethod
    def _v1(mounts, own, tag):
        made = {}
        try:
            for ctrl in ("memory", "pids"):
                mnt = [m for m, fs, opts in mounts if fs == "cgroup" and ctrl in opts]
                if not mnt or ctrl not in own:
                    raise OSError("no cgroup v1 %s hierarchy" % ctrl)
                parent = mnt[0] + own[ctrl].rstrip("/")
                sweep_stale(parent)
                made[ctrl] = os.path.join(parent, tag)
                os.makedirs(made[ctrl], exist_ok=True)
            return made
        except OSError:
            for b in made.values():
                remove_tree(b)
            raise

    @staticmethod
    def _v2(mounts, own, tag):
        """In v2 a cgroup can give its children a controller only if its own parent gave it
        that controller and it holds no process itself. Our own cgroup holds us, so it works
        only when it is already set up for it (a delegated cgroup: systemd's Delegate=yes);
        else, as root, at the top of the hierarchy, where the limits of the grader itself
        no longer cover its boxes. Each candidate is tried for real: a probe cgroup gets its
        memory and pids limits written, or the next candidate is tried."""
        mnt = [m for m, fs, opts in mounts if fs == "cgroup2"]
        if not mnt or "v2" not in own:
            raise OSError("no cgroup v2 hierarchy")
        tried = []
        for m in mnt:
            for parent in dict.fromkeys([m + own["v2"].rstrip("/"), m]):
                enabled = _read(os.path.join(parent, "cgroup.subtree_control")).split()
                if "memory" not in enabled or "pids" not in enabled:
                    tried.append("%s gives its children %s" % (parent, " ".join(enabled) or
                                                               "no controller"))
                    continue
                sweep_stale(parent)
                base = os.path.join(parent, tag)
                try:
                    os.makedirs(base, exist_ok=True)
                    _write(os.path.join(base, "cgroup.subtree_control"), "+memory +pids")
                    probe = os.path.join(base, "probe")
                    os.mkdir(probe)
                    _write(os.path.join(probe, "memory.max"), str(64 << 20))
                    _write(os.path.join(probe, "pids.max"), "8")
                    os.rmdir(probe)
                    return base
                except OSError as e:
                    tried.append("%s: %s" % (base, e))
                    remove_tree(base)
        raise OSError("cgroup v2 has no place with the memory and pids controllers for us (%s)"
                      % "; ".join(tried))

    def describe(self):
        if self.mode is None:
            return "NO CGROUP (%s): limits are rlimits only" % self.why
        return "cgroup %s at %s" % (self.mode, ", ".join(sorted(self.bases.values())))

    def new(self, name, mem_bytes, pids):
        return None if self.mode is None else Cgroup(self, name, mem_bytes, pids)

    def close(self):
        """Remove our cgroups, with whatever a run interrupted by a signal left inside."""
        left = [b for b in self.bases.values() if not remove_tree(b)]
        self.bases = {}
        return left


def remove_tree(top):
    """Kill every process in the cgroup top and in those below it, then remove them, deepest
    first. True once top is gone."""
    for attempt in range(100):
        if not os.path.isdir(top):
            return True
        dirs = [d for d, _, _ in os.walk(top)]
        for d in dirs:
            for w in _read(os.path.join(d, "cgroup.procs")).split():
                try:
                    os.kill(int(w), signal.SIGKILL)
                except (ValueError, ProcessLookupError, PermissionError):
                    pass
        for d in sorted(dirs, key=len, reverse=True):
            try:
                os.rmdir(d)
            except OSError:
                pass                          # not empty yet, or already gone
        if os.path.isdir(top):
            time.sleep(0.02)                  # killed processes take a moment to leave
    return not os.path.isdir(top)


def sweep_stale(parent):
    """Remove the cgroups a grader killed outright (SIGKILL, a crash) could not remove: those
    named course-grader.PID whose PID no longer runs. Harmless to other graders: a live one's
    PID runs."""
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        pid = name[len(PREFIX):]
        if not name.startswith(PREFIX) or not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue                          # its grader is still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        remove_tree(os.path.join(parent, name))


class Cgroup:
    def __init__(self, owner, name, mem_bytes, pids):
        self.mode = owner.mode
        self.dirs = {k: os.path.join(b, name) for k, b in owner.bases.items()}
        self.killed = set()
        for d in self.dirs.values():
            os.mkdir(d)
        if self.mode == "v1":
            m, p = self.dirs["memory"], self.dirs["pids"]
            _write(os.path.join(m, "memory.limit_in_bytes"), str(mem_bytes))
            if os.path.exists(os.path.join(m, "memory.memsw.limit_in_bytes")):
                try:
                    _write(os.path.join(m, "memory.memsw.limit_in_bytes"), str(mem_bytes))
                except OSError:
                    pass
            _write(os.path.join(p, "pids.max"), str(pids))
        else:
            d = self.dirs["v2"]
            _write(os.path.join(d, "memory.max"), str(mem_bytes))
            if os.path.exists(os.path.join(d, "memory.swap.max")):
                _write(os.path.join(d, "memory.swap.max"), "0")
            _write(os.path.join(d, "pids.max"), str(pids))

    def procs_files(self):
        return [os.path.join(d, "cgroup.procs") for d in self.dirs.values()]

    def pids(self):
        found = set()
        for f in self.procs_files():
            for w in _read(f).split():
                if w.isdigit():
                    found.add(int(w))
        return found

    def stats(self):
        if self.mode == "v1":
            m, p = self.dirs["memory"], self.dirs["pids"]
            oom = _kv(os.path.join(m, "memory.oom_control")).get("oom_kill", 0)
            peak = int(_read(os.path.join(m, "memory.max_usage_in_bytes")).strip() or 0)
            pids_max = _kv(os.path.join(p, "pids.events")).get("max", 0)
        else:
            d = self.dirs["v2"]
            oom = _kv(os.path.join(d, "memory.events")).get("oom_kill", 0)
            peak = int(_read(os.path.join(d, "memory.peak")).strip() or 0)
            pids_max = _kv(os.path.join(d, "pids.events")).get("max", 0)
        return oom, peak, pids_max

    def kill_all(self):
        """SIGKILL everything in the cgroup until it is empty; True once it is. The pids limit
        bounds how fast a fork bomb can refill it."""
        for attempt in range(400):
            pids = self.pids()
            if not pids:
                return True
            self.killed |= pids
            if self.mode == "v2" and os.path.exists(os.path.join(self.dirs["v2"], "cgroup.kill")):
                try:
                    _write(os.path.join(self.dirs["v2"], "cgroup.kill"), "1")
                except OSError:
                    pass
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.005 if attempt < 20 else 0.05)
        return not self.pids()

    def remove(self):
        """Remove the run's cgroups (already emptied by kill_all); True once all are gone."""
        return all([remove_tree(d) for d in self.dirs.values()])


def tasks_of_user(uid):
    """How many tasks (threads included: RLIMIT_NPROC counts them) have uid as real user."""
    n = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        st = _kv_status(os.path.join("/proc", pid, "status"))
        if st.get("Uid") == uid:
            n += st.get("Threads", 1)
    return n


def _kv_status(path):
    """The real uid ("Uid") and thread count ("Threads") of a /proc/PID/status file."""
    out = {}
    for line in _read(path, 4096).splitlines():
        key, _, value = line.partition(":")
        if key in ("Uid", "Threads") and value.split():
            out[key] = int(value.split()[0])
    return out


def become_subreaper():
    """Orphans of a killed box (bwrap's child, when bwrap died first) are reparented to us
    rather than to an init that may never reap them: see reap()."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0     # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


_SPAWN_LOCK = threading.Lock()
_DIRECT = set()     # our direct children, waited for by the thread that started each


def sweep_zombies():
    """Reap the zombies reparented to us (we are a subreaper) that no thread waits for: the
    box's processes bwrap left behind. Direct children belong to their thread's wait4."""
    me = os.getpid()
    with _SPAWN_LOCK:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            stat_text = _read("/proc/%s/stat" % entry, 4096)
            tail = stat_text.rpartition(")")[2].split()
            if len(tail) < 2 or tail[0] != "Z" or tail[1] != str(me):
                continue
            pid = int(entry)
            if pid in _DIRECT:
                continue
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


def reap(pids):
    """Collect the zombies among pids (processes of one box we killed). Only these pids:
    never waitpid(-1), which would steal the status of another job's box."""
    left = set(pids)
    for _ in range(50):
        for p in list(left):
            try:
                got, _ = os.waitpid(p, os.WNOHANG)
            except ChildProcessError:
                left.discard(p)      # not our child (reaped by bwrap, or reparented elsewhere)
                continue
            if got == p:
                left.discard(p)
        if not left:
            return
        time.sleep(0.01)


def _high(fd):
    """Move fd to 64 or above (close-on-exec), so the dup2 list below never clobbers a source."""
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 64)
    os.close(fd)
    return new


# The first thing that runs, as root, before any limit or namespace: join the cgroup(s), then
# become prlimit -> setpriv -> bwrap. Paths arrive as arguments, never as shell text.
JOIN = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"'


# A run whose threads all sleep, and none ran or switched for this long, is stuck (a deadlock,
# a lost wake-up): it is stopped then, not at its wall-clock limit. A thread waiting for a core
# is runnable (R), so a loaded machine cannot make a busy run look stuck; a busy loop is left
# to the wall-clock limit. The same rule as make check's runner (tests/common/runner.c).
SETTLE = float(os.environ.get("GRADER_SETTLE", "1.0"))


def descendants(root):
    """root and every process below it (by parent pid), from /proc; [] if root is gone."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = _read("/proc/%s/stat" % name, 1024)
        rest = st[st.rfind(")") + 2:].split()
        if len(rest) > 1 and rest[1].isdigit():
            children.setdefault(int(rest[1]), []).append(int(name))
    found, todo = [], [root]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


# ThreadSanitizer's runtime keeps background threads that sleep 100 ms at a time for ever,
# with every blockable signal from 1 to 30 blocked: their switch counts would hide any hang
# of a TSan run. A thread seen so (state S, that mask, asleep in nanosleep) is the runtime's
# and is skipped from then on, as make check's runner does (is_runtime_thread in
# tests/common/runner.c, which says why a test's own thread is never taken for one).
_ALL_BUT_KILL_STOP = 0x3fffffff & ~(1 << 8) & ~(1 << 18)


def _is_runtime_thread(p, t, state, status, runtime):
    if (p, t) in runtime:
        return True
    if state != "S":
        return False
    blocked = [line.split()[1] for line in status.splitlines() if line.startswith("SigBlk:")]
    if not blocked or int(blocked[0], 16) & 0x3fffffff != _ALL_BUT_KILL_STOP:
        return False
    if "nanosleep" not in _read("/proc/%d/task/%s/wchan" % (p, t), 64):
        return False
    runtime.add((p, t))
    return True


def progress_of(pids, runtime):
    """(every thread asleep, a signature of what each has done). A thread counts as asleep in
    state S, t or T; R (running or waiting for a core) and D (the kernel works for it: disk,
    a page fault, memory reclaim, which ends by itself on a loaded machine) are progress. Its
    signature is its state, CPU time and context switches. A process or thread that ends
    while we read is skipped (it was not stuck); so are TSan's own threads (runtime: a set
    kept across looks at one run)."""
    asleep, sig = True, []
    for p in sorted(pids):
        try:
            tids = os.listdir("/proc/%d/task" % p)
        except OSError:
            continue
        for t in sorted(tids):
            st = _read("/proc/%d/task/%s/stat" % (p, t), 1024)
            status = _read("/proc/%d/task/%s/status" % (p, t))
            rest = st[st.rfind(")") + 2:].split()
            if len(rest) < 13 or not status:
                continue
            if rest[0] == "Z" or _is_runtime_thread(p, t, rest[0], status, runtime):
                continue
            if rest[0] not in ("S", "t", "T"):
                asleep = False
            switches = [line.split()[1] for line in status.splitlines()
                        if "ctxt_switches:" in line]
            sig.append((p, t, rest[0], rest[11], rest[12], tuple(switches)))
    return asleep and bool(sig), tuple(sig)


class Result:
    def __init__(self):
        self.code = None        # exit status of the box (128+N: killed by signal N)
        self.timed_out = False
        self.stuck = False      # stopped because every thread slept without progress (SETTLE)
        self.cpu_limit = False
        self.overflow = False   # printed more than out_max bytes
        self.oom = False
        self.pids_max = False
        self.mem_peak = 0
        self.wall = 0.0
        self.cpu = 0.0
        self.output = b""
        self.output_total = 0
        self.hint = ""
        self.verdict = b""
        self.clean = True       # the cgroup was empty at the end
        self.error = ""         # the grader's own trouble (fail closed)

    def signal(self):
        if self.code is not None and self.code > 128 and self.code - 128 < 65:
            return self.code - 128
        return None


class Sandbox:
    def __init__(self, cgroups, fsize, nofile, out_keep, out_max, jobs):
        self.cg = cgroups
        self.fsize, self.nofile = fsize, nofile
        self.out_keep, self.out_max = out_keep, out_max
        self.jobs = jobs
        self.root = os.geteuid() == 0
        self.counter = 0
        self.mode = os.environ.get("GRADER_SANDBOX", "bwrap")
        if self.mode not in ("bwrap", "uid"):
            raise ValueError("GRADER_SANDBOX must be bwrap or uid")
        self.uid_lock = threading.Lock()
        self.stopping = threading.Event()     # set by stop(): end every run now
        become_subreaper()

    def stop(self):
        """The grader was interrupted: kill the boxes running now, start no other."""
        self.stopping.set()

    def bwrap_argv(self, binds, env, cwd):
        if self.mode == "uid":
            return self.uid_argv(binds, env, cwd)
        argv = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
                "--cap-drop", "ALL", "--hostname", "box", "--clearenv",
                "--ro-bind", "/usr", "/usr",
                "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
                "--proc", "/proc", "--dev", "/dev",
                "--size", str(32 << 20), "--tmpfs", "/tmp", "--dir", "/box"]
        for mode, src, dst in binds:
            argv += ["--bind" if mode == "rw" else "--ro-bind", src, dst]
        for k, v in sorted(env.items()):
            argv += ["--setenv", k, v]
        argv += ["--chdir", cwd]
        return argv

    def uid_argv(self, binds, env, cwd):
        """GRADER_SANDBOX=uid, for a disposable container where bwrap cannot make namespaces
        (Gradescope's): the same user switch, limits and cgroup, but no private view of the
        files: /box/* are links to the job's folders, made fresh for each run (one at a time),
        and what the box user must not read has to be made unreadable by the caller."""
        if os.path.lexists("/box"):
            for name in os.listdir("/box"):
                os.unlink(os.path.join("/box", name))
        else:
            os.mkdir("/box", 0o755)
        for mode, src, dst in binds:
            os.symlink(src, dst)
        argv = ["setsid", "--wait", "env", "-i"] + ["%s=%s" % kv for kv in sorted(env.items())]
        return argv + ["/bin/sh", "-c", 'cd "$0" && exec "$@"', cwd]

    def run(self, cmd, binds, wall, mem, pids, nonce=None, env=None, cwd="/box/out",
            sanitized=False):
        """sanitized: the program is built with a sanitizer, whose shadow memory makes an
        address-space limit meaningless (only matters without a cgroup)."""
        if self.mode == "uid":
            with self.uid_lock:
                return self._run(cmd, binds, wall, mem, pids, nonce, env, cwd, sanitized)
        return self._run(cmd, binds, wall, mem, pids, nonce, env, cwd, sanitized)

    def _run(self, cmd, binds, wall, mem, pids, nonce, env, cwd, sanitized):
        r = Result()
        if self.stopping.is_set():
            r.error = "the grader was interrupted"
            return r
        base_env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "LC_ALL": "C"}
        base_env.update(env or {})
        cpu = int(wall) + 1
        limits = ["prlimit", "--cpu=%d:%d" % (cpu, cpu + 1), "--fsize=%d" % self.fsize,
                  "--nofile=%d" % self.nofile, "--core=0"]
        if self.cg.mode is None:
            # No cgroup: rlimits are all there is. RLIMIT_NPROC caps the tasks of the whole
            # user, not of this box: the box may add `pids` to what the user runs now (the
            # other jobs' boxes, a dying fork bomb, the user's own programs when not root).
            # Address space is no fence for the sanitizers (they map terabytes of shadow),
            # so it is set only where it means something.
            uid = BOX_UID if self.root else os.getuid()
            limits.append("--nproc=%d" % (tasks_of_user(uid) + pids + 4))
            if not sanitized and mem:
                limits.append("--as=%d" % (mem * 4))
        drop = []
        if self.root:
            drop = ["setpriv", "--reuid=%d" % BOX_UID, "--regid=%d" % BOX_UID, "--clear-groups",
                    "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"]
        self.counter += 1
        cg = None
        try:
            cg = self.cg.new("box%d.%d" % (os.getpid(), id(r)), mem, pids)
        except OSError as e:
            r.error = "cannot make a cgroup: %s" % e
            return r
        procs = cg.procs_files() if cg else []
        box = self.bwrap_argv(binds, base_env, cwd)
        argv = (["/bin/sh", "-c", JOIN, "sh", str(len(procs))] + procs + limits + ["--"] + drop +
                box + ([] if self.mode == "uid" else ["--"]) + cmd)

        fds = []
        pid = -1
        try:
            devnull = _high(os.open("/dev/null", os.O_RDONLY))
            out_r, out_w = os.pipe()
            nonce_r, nonce_w = os.pipe()
            ver_r, ver_w = os.pipe()
            hint_r, hint_w = os.pipe()
            out_w, nonce_r, ver_w, hint_w = map(_high, (out_w, nonce_r, ver_w, hint_w))
            fds = [devnull, out_r, out_w, nonce_r, nonce_w, ver_r, ver_w, hint_r, hint_w]
            if nonce is not None:
                os.write(nonce_w, (nonce + "\n").encode())
            os.close(nonce_w)
            fds.remove(nonce_w)
            actions = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, out_w, 1),
                       (os.POSIX_SPAWN_DUP2, out_w, 2)]
            if nonce is not None:
                actions += [(os.POSIX_SPAWN_DUP2, nonce_r, 3), (os.POSIX_SPAWN_DUP2, ver_w, 4),
                            (os.POSIX_SPAWN_DUP2, hint_w, 5)]
            start = time.monotonic()
            with _SPAWN_LOCK:
                pid = os.posix_spawn("/bin/sh", argv, {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin"},
                                     file_actions=actions, setpgroup=0)
                _DIRECT.add(pid)
            for fd in (devnull, out_w, nonce_r, ver_w, hint_w):
                os.close(fd)
                fds.remove(fd)
            self._watch(r, pid, cg, out_r, hint_r, ver_r, start, wall)
        except OSError as e:
            r.error = "sandbox: %s" % e
        finally:
            for fd in fds:
                try:
                    os.close(fd)
                except OSError:
                    pass
            if cg is not None:
                if not cg.kill_all():
                    r.clean = False
                    r.error = r.error or "processes left in the cgroup after the run"
                reap(cg.killed - {pid})
                r.oom_count, r.mem_peak, pmax = cg.stats()
                r.oom = r.oom_count > 0
                r.pids_max = pmax > 0
                if not cg.remove():
                    r.clean = False
                    r.error = r.error or "could not remove the run's cgroup"
            with _SPAWN_LOCK:
                _DIRECT.discard(pid)
            sweep_zombies()
        return r

    def _watch(self, r, pid, cg, out_r, hint_r, ver_r, start, wall):
        deadline = start + wall
        status = None
        open_fds = {out_r: "out", hint_r: "hint", ver_r: "ver"}
        hint_buf = b""
        next_look, last_look, quiet, last, runtime = start + 0.25, start, 0.0, None, set()
        while True:
            if cg is not None and status is None:
                # Every process the box had is remembered, so its zombie can be reaped later
                # (bwrap may leave its pid-1 child to us, the subreaper).
                cg.killed |= cg.pids()
            if status is None:
                got, st, ru = os.wait4(pid, os.WNOHANG)
                if got == pid:
                    status = st
                    r.cpu = ru.ru_utime + ru.ru_stime
                    r.wall = time.monotonic() - start
                    # The box is gone; whatever is left in its cgroup goes now.
                    if cg is not None:
                        cg.kill_all()
                    deadline = min(deadline, time.monotonic() + 2)
            now = time.monotonic()
            if not open_fds and status is not None:
                break
            if status is None and SETTLE > 0 and now >= next_look:
                # Quiet time is summed from looks, each gap counted 0.5 s at most: if the
                # grader itself got no core for a while, a thread whose wake-up is due but
                # has not run yet is never judged across that gap.
                gap, last_look, next_look = min(now - last_look, 0.5), now, now + 0.25
                asleep, seen = progress_of(cg.pids() if cg is not None else descendants(pid),
                                           runtime)
                if not asleep or seen != last:
                    quiet, last = 0.0, seen
                elif (quiet := quiet + gap) >= SETTLE:
                    r.stuck = True
                    deadline = now
            if self.stopping.is_set() and status is None:
                r.error = "the grader was interrupted"
                deadline = now
            if now >= deadline:
                if status is None:
                    r.timed_out = True
                    r.wall = now - start
                    self._kill(pid, cg)
                    _, status, ru = os.wait4(pid, 0)
                    r.cpu = ru.ru_utime + ru.ru_stime
                break
            ready, _, _ = select.select(list(open_fds), [], [], min(0.05, deadline - now))
            for fd in ready:
                try:
                    data = os.read(fd, 65536)
                except OSError as e:
                    if e.errno == errno.EINTR:
                        continue
                    data = b""
                if not data:
                    del open_fds[fd]
                    continue
                kind = open_fds[fd]
                if kind == "out":
                    r.output_total += len(data)
                    room = self.out_keep - len(r.output)
                    if room > 0:
                        r.output += data[:room]
                    if r.output_total > self.out_max and status is None:
                        r.overflow = True
                        r.wall = time.monotonic() - start
                        self._kill(pid, cg)
                        _, status, ru = os.wait4(pid, 0)
                        r.cpu = ru.ru_utime + ru.ru_stime
                        open_fds.clear()
                        break
                elif kind == "hint":
                    hint_buf = (hint_buf + data)[-8192:]
                    lines = hint_buf.split(b"\n")
                    for line in lines[:-1]:
                        if line.startswith(b"HINT "):
                            r.hint = line[5:1029].decode("utf-8", "replace")
                    hint_buf = lines[-1]
                else:
                    if len(r.verdict) < 4096:
                        r.verdict += data
        if status is not None:
            if os.WIFEXITED(status):
                r.code = os.WEXITSTATUS(status)
            elif os.WIFSIGNALED(status):
                r.code = 128 + os.WTERMSIG(status)
            sig = r.signal()
            # SIGXCPU comes from the CPU rlimit (an exercise may not send signals); SIGKILL is
            # the hard CPU limit only when the CPU time got there (the OOM killer is checked
            # separately, from the cgroup).
            if sig == signal.SIGXCPU or (sig == signal.SIGKILL and r.cpu >= int(wall) + 1 - 0.05):
                r.cpu_limit = True

    def _kill(self, pid, cg):
        if cg is not None:
            cg.kill_all()
        for target in (-pid, pid):
            try:
                os.kill(target, signal.SIGKILL)
            except ProcessLookupError:
                pass


def self_test():
    """Print what isolation this machine gives the grader, and check it works."""
    cgs = Cgroups()
    print("sandbox: running as uid %d; %s" % (os.geteuid(), cgs.describe()))
    sb = Sandbox(cgs, 1 << 20, 64, 4096, 1 << 20, 1)
    r = sb.run(["/bin/sh", "-c", "id -u; cat /proc/self/status | grep -E '^(CapEff|NoNewPrivs)'; "
                "ls /; (echo x > /box/out/f) 2>&1; ls /work /root /etc 2>&1 | head -3"],
               [], 10, 64 << 20, 16, cwd="/")
    print(r.output.decode("utf-8", "replace").rstrip())
    print("exit %s, error %r, clean %s" % (r.code, r.error, r.clean))
    cgs.close()
    return 0 if r.code == 0 and not r.error else 1


if __name__ == "__main__":
    import sys
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    print("usage: sandbox.py --self-test", file=sys.stderr)
    sys.exit(2)
