#!/usr/bin/python3
"""tests/grader/grade.py: grade a whole class, safely and fairly (`make grade SUBMISSIONS=dir`).
Build: nothing (Python 3 standard library; the test harness is C: tests/grader/harness.c)
Run:   tests/grader/grade.sh dir      (dir/<student>/lessons/NN-topic/exercise.c, or <student>.zip,
                                       <student>.tar.gz); see tests/grader/README.md

One job per (student, lesson): copy the one expected file in, compile and inspect it in a box,
refuse what the lesson does not allow, link it with the course's tests and our harness in a box,
then run every test in a box of its own (plain, then ASan+UBSan, then TSan for race lessons), a
test counting as passed only with the nonce proof, exit status 0 and no limit hit.
"""
import argparse
import csv
import io
import json
import os
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import sandbox  # noqa: E402


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v.isdigit() else default


LIM = {
    "wall_plain": env_int("GRADER_WALL", 10),          # s per test, plain build
    "wall_san": env_int("GRADER_WALL_SAN", 20),        # s per test under a sanitizer
    "wall_build": env_int("GRADER_WALL_BUILD", 120),   # s for all compiles, or all links
    "mem_test": env_int("GRADER_MEM_MB", 512) << 20,
    "mem_build": 1024 << 20,
    "pids_test": env_int("GRADER_PIDS", 128),
    "pids_build": 64,
    "fsize": 16 << 20,
    "nofile": 256,
    "out_keep": 16 << 10,      # bytes of a test's output kept for feedback
    "out_max": 1 << 20,        # more output than this and the test is stopped
    "src_max": 256 << 10,      # a bigger exercise.c is ignored
    "archive_max": 32 << 20,
    "unpacked_max": 64 << 20,
    "members_max": 10000,
    "feedback_max": 16 << 10,
}

HUNG_ENOUGH = 2   # after this many tests of the plain run hung, the others are not run
VERDICT_ORDER = ["memory", "timeout", "crash", "race", "failing"]
ALL_VERDICTS = ["ok", "failing", "compile-error", "timeout", "memory", "crash", "race",
                "rejected", "missing"]
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
LESSON_RE = re.compile(r"[0-9][0-9]-[a-z0-9][a-z0-9-]*")
MEMBER_RE = re.compile(r"(?:([^/]+)/)?lessons/([0-9][0-9]-[a-z0-9][a-z0-9-]*)/exercise\.c")

# Instrumentation the sanitizers add to the student's object: allowed on top of the lesson's
# list in those builds only. The user-facing interfaces that could silence a report
# (__tsan_acquire, __lsan_disable, __sanitizer_set_report_path, __asan_set_*...) are not here.
SAN_ALLOWED = re.compile(
    r"__tsan_(read|write|unaligned_read|unaligned_write|volatile_read|volatile_write)\d+"
    r"|__tsan_(read|write)_range|__tsan_func_(entry|exit)|__tsan_init"
    r"|__tsan_atomic\d+_\w+|__tsan_atomic_(thread|signal)_fence"
    r"|__tsan_(memcpy|memset|memmove)|__tsan_vptr_\w+"
    r"|__asan_(report_\w+|load\w*|store\w*|register_globals|unregister_globals|init"
    r"|version_mismatch_check_v\d+|option_detect_stack_use_after_return|stack_malloc_\d+"
    r"|stack_free_\d+|stack_malloc_always_\d+|handle_no_return|memcpy|memset|memmove"
    r"|alloca_poison|allocas_unpoison|before_dynamic_init|after_dynamic_init"
    r"|set_shadow_[0-9a-f]+|shadow_memory_dynamic_address|exp_\w+|poison_cxx_array_cookie"
    r"|register_elf_globals|unregister_elf_globals)"
    r"|__ubsan_handle_\w+")
SAN_CTORS = {"asan.module_ctor", "asan.module_dtor", "tsan.module_ctor", "tsan.module_dtor"}
SECTION_OK = re.compile(
    r"(\.(text|data|bss|rodata|tdata|tbss)(\..*)?|\.rela?\..*|\.comment|\.note\.GNU-stack"
    r"|\.note\.gnu\.property|\.eh_frame|\.debug_\w+|\.symtab|\.strtab|\.shstrtab|\.group"
    r"|\.data\.rel\.ro(\..*)?|\.rodata\.str[0-9.]*|\.rodata\.cst\d+)")
SAN_SECTION_OK = re.compile(r"(\.rela?)?(\.init_array|\.fini_array|asan_globals|\.ctors|\.dtors)"
                            r"(\.\d+)?")
FORBIDDEN_BUILTINS = re.compile(
    r"\b__builtin_(frame_address|return_address|extract_return_addr|apply|apply_args|longjmp"
    r"|setjmp|eh_return|unwind_init|dwarf_cfa|call_with_static_chain)\b")
# Ways to switch a sanitizer off for one function, or to change how a function is built.
FORBIDDEN_TOKENS = re.compile(
    r"\b(no_sanitize\w*|__no_sanitize\w*|no_address_safety_analysis"
    r"|disable_sanitizer_instrumentation|no_instrument_function|no_stack_protector)\b"
    r"|^\s*#\s*pragma\s+(GCC\s+(optimize|push_options|pop_options|target)|weak"
    r"|redefine_extname)\b"
    r"|__attribute__\s*\(\(\s*(optimize|target|__optimize__|__target__)\b", re.M)
SYSCALL_INSN = re.compile(r"\s(syscall|sysenter|int\s+\$0x80|vmcall|sysret)\b")


def plain_name(s):
    return isinstance(s, str) and ID_RE.fullmatch(s) is not None and not s.endswith(".")


def say(*a):
    print(*a, flush=True)


def warn(msg):
    print("grade: WARNING: " + msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ lessons (trusted side)

class Lesson:
    def __init__(self, name, tests_dir, lesson_dir, policy_file):
        self.name, self.tests_dir, self.lesson_dir = name, tests_dir, lesson_dir
        self.policy_file = policy_file
        self.conf = {}
        self.tests = []
        self.declared = set()
        self.allowed = set()
        self.allowed_prefix = []
        self.variants = ["plain", "asan"]
        self.error = ""
        self.trusted = ""   # build/grades/trusted/<lesson>

    def allows(self, sym):
        return sym in self.allowed or any(sym.startswith(p) for p in self.allowed_prefix)


def read_conf(path):
    conf = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*([A-Za-z_]+)\s*=\s*(.*?)\s*$", line)
            if m and not line.lstrip().startswith("#"):
                conf[m.group(1)] = m.group(2)
    return conf


def read_policy(path, seen=()):
    names, prefixes = set(), []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("include "):
                inc = os.path.join(os.path.dirname(path), line.split()[1] + ".allow")
                if not os.path.isfile(inc):   # a lesson-local policy may include ours
                    inc = os.path.join(HERE, "policy", line.split()[1] + ".allow")
                if inc in seen:
                    raise ValueError("policy include loop at %s" % inc)
                n, p = read_policy(inc, seen + (path,))
                names |= n
                prefixes += p
            elif line.startswith("option "):
                # "option asm": the lesson's exercise may contain assembly (lesson 11's hand
                # switch); its disassembly is still searched for system call instructions.
                if line.split()[1:] != ["asm"]:
                    raise ValueError("unknown policy option in %s: %s" % (path, line))
                names.add("option:asm")
            elif line.endswith("*"):
                prefixes.append(line[:-1])
            else:
                names.add(line)
    return names, prefixes


def run_trusted(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


# How the course compiles, in one place for make check, make test and this grader.
BUILD = read_conf(os.path.join(TOP, "lessons/common/build.conf"))


def san_flags(v):
    return BUILD["SAN_" + v].split()


def declared_names(lesson, cflags):
    """Functions (and extern variables) that exercise.h declares, read by the compiler itself
    (-aux-info lists every prototype with the file it came from)."""
    hdr = os.path.join(lesson.lesson_dir, "exercise.h")
    work = os.path.join(lesson.trusted, "decl")
    os.makedirs(work, exist_ok=True)
    src = os.path.join(work, "decl.c")
    with open(src, "w") as f:
        f.write('#include "exercise.h"\n')
    aux = os.path.join(work, "decl.aux")
    p = run_trusted(["gcc"] + BUILD["STD_CFLAGS"].split() + cflags +
                    ["-I", lesson.lesson_dir, "-I", os.path.join(TOP, "lessons/common"),
                     "-fsyntax-only", "-aux-info", aux, src])
    if p.returncode != 0:
        raise RuntimeError("exercise.h does not compile: " + p.stdout[:300])
    names = set()
    keywords = {"void", "int", "long", "char", "short", "unsigned", "signed", "const", "struct",
                "union", "enum", "double", "float", "_Bool", "bool", "extern", "volatile",
                "restrict", "static", "inline", "__restrict", "_Atomic"}
    with open(aux) as f:
        for line in f:
            m = re.match(r"/\* (\S+):\d+:\w+ \*/ (.*)", line)
            if not m or os.path.basename(m.group(1)) != "exercise.h" or "static" in m.group(2):
                continue
            for ident in re.findall(r"([A-Za-z_]\w*)\s*\(", m.group(2)):
                if ident not in keywords:
                    names.add(ident)
                    break
    with open(hdr) as f:
        text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
    for m in re.finditer(r"^\s*extern\s+[^;(]*?\b([A-Za-z_]\w*)\s*(\[[^]]*\])?\s*;", text, re.M):
        names.add(m.group(1))
    return names


def build_lesson(lesson):
    """Compile the course's side (tests, harness, shared code) for each variant, -Werror, and
    list the tests with a program linked against the lesson's own stub."""
    conf = lesson.conf
    cflags = conf.get("CFLAGS", "").split()
    pkgs = conf.get("PKGS", "").split()
    pkg_cflags, pkg_libs = [], []
    if pkgs:
        p = run_trusted(["pkg-config", "--cflags"] + pkgs)
        q = run_trusted(["pkg-config", "--libs"] + pkgs)
        if p.returncode or q.returncode:
            raise RuntimeError("pkg-config does not know %s" % " ".join(pkgs))
        pkg_cflags, pkg_libs = p.stdout.split(), q.stdout.split()
    lesson.cflags = cflags + pkg_cflags
    lesson.ldflags = (["-Wl,--wrap=%s" % w for w in conf.get("WRAP", "").split()] + pkg_libs +
                      conf.get("LIBS", "").split())
    if conf.get("TSAN", "0").strip() == "1":
        lesson.variants = ["plain", "asan", "tsan"]
    lesson.declared = declared_names(lesson, lesson.cflags)
    if not lesson.declared:
        raise RuntimeError("exercise.h declares no function")
    sources = sorted(os.path.join(lesson.tests_dir, f) for f in os.listdir(lesson.tests_dir)
                     if f.startswith("test_") and f.endswith(".c"))
    sources += [os.path.join(HERE, "harness.c"), os.path.join(TOP, "tests/common/expect.c")]
    # As tests/check.sh: fail_inject.c defines the pthread_create/join wrappers, so it is
    # linked only when the lesson wraps those.
    if "pthread_create" in conf.get("WRAP", "").split():
        sources.append(os.path.join(TOP, "tests/common/fail_inject.c"))
    sources += sorted(os.path.join(TOP, "lessons/common", f)
                      for f in os.listdir(os.path.join(TOP, "lessons/common")) if f.endswith(".c"))
    inc = ["-I", lesson.lesson_dir, "-I", os.path.join(TOP, "lessons/common"),
           "-I", os.path.join(TOP, "tests/common")]
    base = ["gcc"] + BUILD["STD_CFLAGS"].split() + BUILD["TEST_OPT"].split() + lesson.cflags
    for v in lesson.variants:
        d = os.path.join(lesson.trusted, v)
        os.makedirs(d, exist_ok=True)
        for i, src in enumerate(sources):
            obj = os.path.join(d, "%02d-%s.o" % (i, os.path.basename(src)[:-2]))
            p = run_trusted(base + san_flags(v) + BUILD["OWN_WARNINGS"].split() + inc +
                            ["-c", src, "-o", obj])
            if p.returncode != 0:
                raise RuntimeError("the course's own code does not compile (%s): %s"
                                   % (os.path.relpath(src, TOP), p.stdout[:400]))
    lister = os.path.join(lesson.trusted, "lister")
    plain = os.path.join(lesson.trusted, "plain")
    objs = sorted(os.path.join(plain, f) for f in os.listdir(plain))
    # The test list, from the course's objects alone: --list never calls the exercise, so a
    # generated file stands in for it (each name exercise.h declares, as a function that
    # aborts), and no one's exercise.c (a learner's half-edited stub in the checkout) is read.
    standin = os.path.join(lesson.trusted, "standin.c")
    with open(standin, "w") as f:
        f.write("#include <stdlib.h>\n")
        f.write("".join("void %s(void) { abort(); }\n" % n for n in sorted(lesson.declared)))
    p = run_trusted(base + ["-w", "-o", lister, standin] + objs + lesson.ldflags +
                    BUILD["TEST_LIBS"].split())
    if p.returncode != 0:
        raise RuntimeError("the lesson's tests do not link: " + p.stdout[:400])
    p = run_trusted([lister, "--list"], timeout=30)
    names = p.stdout.split()
    if p.returncode != 0 or not names or len(set(names)) != len(names):
        raise RuntimeError("cannot list the lesson's tests")
    lesson.tests = names


def lesson_filter(text):
    """LESSONS="01 02", L=2, "01-threads,02": the set of two-digit numbers and full names."""
    only = set()
    for x in re.split(r"[\s,]+", text.strip()):
        if x:
            only.add("0" + x if re.fullmatch(r"[0-9]", x) else x)
    return only


def discover(roots, only):
    lessons = {}
    for root in roots:
        tdir = os.path.join(root, "tests")
        if not os.path.isdir(tdir):
            continue
        for name in sorted(os.listdir(tdir)):
            if not LESSON_RE.fullmatch(name):
                continue
            if only and name[:2] not in only and name not in only:
                continue
            t = os.path.join(tdir, name)
            l_ = os.path.join(root, "lessons", name)
            if not (os.path.isfile(os.path.join(t, "lesson.conf")) and
                    os.path.isfile(os.path.join(l_, "exercise.h")) and
                    any(f.startswith("test_") and f.endswith(".c") for f in os.listdir(t))):
                continue
            policy = os.path.join(root, "grader-policy", name + ".allow")
            if not os.path.isfile(policy):
                policy = os.path.join(HERE, "policy", name + ".allow")
            lessons[name] = Lesson(name, t, l_, policy)
    return lessons


def link_universe(lessons):
    """Every name defined by what the student's object is linked with: the course's objects,
    cmocka, libc, libm, libgcc, the sanitizer runtimes. Defining one of them is an override."""
    names = set()
    libs = []
    for lib in ("libc.so.6", "libm.so.6", "libcmocka.so.0", "libgcc_s.so.1", "libasan.so.8",
                "libtsan.so.2", "libubsan.so.1", "libpthread.so.0", "libdl.so.2", "librt.so.1"):
        p = run_trusted(["gcc", "-print-file-name=" + lib])
        path = p.stdout.strip()
        if path and os.path.isabs(path) and os.path.exists(path):
            libs.append(path)
    for lib in libs:
        p = run_trusted(["nm", "-D", "--defined-only", lib])
        for line in p.stdout.splitlines():
            f = line.split()
            if len(f) >= 3:
                names.add(f[2].split("@")[0])
    for lesson in lessons:
        for v in lesson.variants:
            d = os.path.join(lesson.trusted, v)
            for o in sorted(os.listdir(d)):
                p = run_trusted(["nm", "-g", "--defined-only", os.path.join(d, o)])
                for line in p.stdout.splitlines():
                    f = line.split()
                    if len(f) >= 3:
                        names.add(f[2])
    return names


# ------------------------------------------------------------------ submissions (untrusted)

class Submission:
    def __init__(self, student):
        self.student = student
        self.files = {}       # lesson -> bytes
        self.notes = {}       # lesson -> why its file was ignored or refused
        self.rejected = ""    # the whole submission is refused (fail closed)
        self.ignored = []     # other things noticed (for the human)


def safe_repr(name):
    return repr(name)[:80]


def read_dir_submission(dirfd, name, sub, lessons):
    """dir/<id>/lessons/NN-topic/exercise.c, each component opened without following links."""
    flags_dir = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    try:
        top = os.open(name, flags_dir, dir_fd=dirfd)
    except OSError as e:
        sub.rejected = "cannot open the submission folder: %s" % e.strerror
        return
    try:
        try:
            lfd = os.open("lessons", flags_dir, dir_fd=top)
        except OSError:
            return
        try:
            for lesson in lessons:
                try:
                    d = os.open(lesson, flags_dir, dir_fd=lfd)
                except FileNotFoundError:
                    continue
                except OSError as e:
                    sub.notes[lesson] = "lessons/%s ignored (%s)" % (
                        lesson, "a link, not a folder" if e.errno == 40 else e.strerror)
                    continue
                try:
                    take_file(d, sub, lesson)
                finally:
                    os.close(d)
        finally:
            os.close(lfd)
    finally:
        os.close(top)


def take_file(d, sub, lesson):
    try:
        st = os.stat("exercise.c", dir_fd=d, follow_symlinks=False)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(st.st_mode):
        sub.notes[lesson] = "exercise.c ignored: not a regular file (%s)" % (
            "a symbolic link" if stat.S_ISLNK(st.st_mode) else "a device, fifo or socket")
        return
    if st.st_size > LIM["src_max"]:
        sub.notes[lesson] = "exercise.c ignored: %d bytes, more than %d" % (st.st_size, LIM["src_max"])
        return
    fd = os.open("exercise.c", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=d)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            sub.notes[lesson] = "exercise.c ignored: not a regular file"
            return
        data = os.read(fd, LIM["src_max"] + 1)
        if len(data) > LIM["src_max"]:
            sub.notes[lesson] = "exercise.c ignored: too big"
            return
        sub.files[lesson] = data
    finally:
        os.close(fd)


class Capped(io.RawIOBase):
    """A reader that refuses to yield more than limit bytes (against decompression bombs)."""

    def __init__(self, f, limit):
        self.f, self.left = f, limit

    def readable(self):
        return True

    def readinto(self, b):
        data = self.f.read(min(len(b), 65536))
        if len(data) > self.left:
            raise ValueError("the archive unpacks to more than %d bytes" % LIM["unpacked_max"])
        self.left -= len(data)
        b[:len(data)] = data
        return len(data)


def member_lesson(name, lessons):
    """The lesson an archive member is the exercise of, or None. Accepts lessons/NN/exercise.c
    with at most one plain folder before it; anything climbing out, absolute or odd: None."""
    if not isinstance(name, str) or len(name) > 255:
        return None
    while name.startswith("./"):
        name = name[2:]
    if name.startswith("/") or any(c < " " or c in "\\\x7f" for c in name):
        return None
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return None
    m = MEMBER_RE.fullmatch(name)
    if not m or m.group(2) not in lessons:
        return None
    if m.group(1) is not None and not plain_name(m.group(1)):
        return None
    return m.group(2)


def read_archive(path, kind, sub, lessons):
    st = os.stat(path, follow_symlinks=False)
    if not stat.S_ISREG(st.st_mode):
        sub.rejected = "the archive is not a regular file"
        return
    if st.st_size > LIM["archive_max"]:
        sub.rejected = "the archive is bigger than %d bytes" % LIM["archive_max"]
        return
    found = {}
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as raw:
            if kind == "zip":
                with zipfile.ZipFile(raw) as z:
                    infos = z.infolist()
                    if len(infos) > LIM["members_max"]:
                        raise ValueError("more than %d members" % LIM["members_max"])
                    for info in infos:
                        lesson = member_lesson(info.filename, lessons)
                        if lesson is None:
                            continue
                        mode = (info.external_attr >> 16) & 0o170000
                        if info.is_dir() or (mode and mode != stat.S_IFREG) or info.flag_bits & 1:
                            sub.notes[lesson] = "%s ignored: not a plain file" % info.filename
                            continue
                        if info.file_size > LIM["src_max"]:
                            sub.notes[lesson] = "%s ignored: too big" % info.filename
                            continue
                        with z.open(info) as f:
                            data = f.read(LIM["src_max"] + 1)
                        if len(data) > LIM["src_max"]:
                            sub.notes[lesson] = "%s ignored: too big" % info.filename
                            continue
                        found.setdefault(lesson, []).append(data)
            else:
                import gzip
                gz = gzip.GzipFile(fileobj=raw)
                capped = io.BufferedReader(Capped(gz, LIM["unpacked_max"]))
                with tarfile.open(fileobj=capped, mode="r|") as t:
                    count = 0
                    for m in t:
                        count += 1
                        if count > LIM["members_max"]:
                            raise ValueError("more than %d members" % LIM["members_max"])
                        lesson = member_lesson(m.name, lessons)
                        if lesson is None:
                            continue
                        if not m.isreg() or m.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
                            sub.notes[lesson] = "%s ignored: not a plain file (a link?)" % m.name
                            continue
                        if m.size > LIM["src_max"]:
                            sub.notes[lesson] = "%s ignored: too big" % m.name
                            continue
                        f = t.extractfile(m)
                        data = f.read(LIM["src_max"] + 1) if f else b""
                        found.setdefault(lesson, []).append(data)
    except (OSError, EOFError, ValueError, tarfile.TarError, zipfile.BadZipFile,
            NotImplementedError, RuntimeError) as e:
        sub.rejected = "unreadable archive: %s" % str(e)[:120]
        return
    for lesson, copies in found.items():
        if len(copies) > 1:
            sub.notes[lesson] = "refused: the archive holds %d copies of this exercise" % len(copies)
            sub.files.pop(lesson, None)
            sub.files[lesson] = None
        else:
            sub.files[lesson] = copies[0]


def collect(subdir, lessons):
    subs, reports = {}, []
    dirfd = os.open(subdir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        entries = sorted(os.listdir(dirfd))
        for entry in entries:
            st = os.stat(entry, dir_fd=dirfd, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                sid, kind = entry, "dir"
            elif entry.endswith(".tar.gz") or entry.endswith(".tgz"):
                sid, kind = entry[:-7] if entry.endswith(".tar.gz") else entry[:-4], "tgz"
            elif entry.endswith(".zip"):
                sid, kind = entry[:-4], "zip"
            else:
                reports.append("ignored %s: not a folder, .zip or .tar.gz%s" % (
                    safe_repr(entry), " (a link)" if stat.S_ISLNK(st.st_mode) else ""))
                continue
            if not plain_name(sid):
                reports.append("skipped %s: the student id is not a plain name" % safe_repr(sid))
                continue
            if stat.S_ISLNK(st.st_mode) or not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)):
                reports.append("skipped %s: a link or special file" % sid)
                continue
            if sid in subs:
                subs[sid].rejected = "two submissions for this student (folder and archive?)"
                continue
            sub = Submission(sid)
            subs[sid] = sub
            if kind == "dir":
                read_dir_submission(dirfd, entry, sub, lessons)
            else:
                read_archive(os.path.join(subdir, entry), "zip" if kind == "zip" else "tgz",
                             sub, lessons)
    finally:
        os.close(dirfd)
    return subs, reports


# ------------------------------------------------------------------ one job

def read_box_file(path, limit=1 << 20):
    """A file the box wrote: never followed through a link, never more than limit bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, limit).decode("utf-8", "replace")
    finally:
        os.close(fd)


def parse_symbols(text):
    """readelf -W -s: (name, type, bind, ndx) for each symbol."""
    out = []
    for line in (text or "").splitlines():
        f = line.split()
        if len(f) >= 8 and f[0].endswith(":") and f[0][:-1].isdigit():
            out.append((f[7], f[3], f[4], f[6]))
    return out


def parse_sections(text):
    names = []
    for line in (text or "").splitlines():
        m = re.match(r"\s*\[\s*(\d+)\]\s+(\S*)\s+(\S+)", line)
        if m and m.group(1) != "0":
            names.append(m.group(2))
    return names


def inspect(lesson, out, universe):
    """Refuse, with a reason, what this lesson's exercise may not contain. Returns (reason or
    '', notes)."""
    notes = []
    pre = read_box_file(os.path.join(out, "plain.i"), 8 << 20)
    if pre is None:
        return "the preprocessed source is missing", notes
    m = FORBIDDEN_BUILTINS.search(pre)
    if m:
        return "uses %s (reaches into the test's stack frames)" % m.group(0), notes
    m = FORBIDDEN_TOKENS.search(pre)
    if m:
        return "uses %s (changes how the grader's builds see this code)" % \
            " ".join(m.group(0).split())[:60], notes
    # The sanitizer builds must compile exactly the code the plain build compiled: no
    # #ifdef __SANITIZE_THREAD__ (or a macro that spells it) to behave differently there.
    for v in lesson.variants[1:]:
        if read_box_file(os.path.join(out, v + ".i"), 8 << 20) != pre:
            return ("the source preprocesses differently under the %s build (code that "
                    "checks for a sanitizer)" % v), notes
    plain_undef = set()
    for v in lesson.variants:
        asm = read_box_file(os.path.join(out, v + ".s"), 32 << 20)
        syms = parse_symbols(read_box_file(os.path.join(out, v + ".symbols"), 8 << 20))
        sects = parse_sections(read_box_file(os.path.join(out, v + ".sections"), 1 << 20))
        dis = read_box_file(os.path.join(out, v + ".dis"), 32 << 20)
        relocs = read_box_file(os.path.join(out, v + ".relocs"), 16 << 20)
        if asm is None or not syms or not sects or dis is None or relocs is None:
            return "the %s build left no complete object to inspect" % v, notes
        if re.search(r"^#APP", asm, re.M) and "option:asm" not in lesson.allowed:
            return "contains assembly (asm): not allowed in an exercise", notes
        if SYSCALL_INSN.search(dis):
            return "contains a system call instruction", notes
        for s in sects:
            if SECTION_OK.fullmatch(s):
                continue
            if v != "plain" and SAN_SECTION_OK.fullmatch(s):
                continue
            what = "code that runs at load or exit time" if re.search(
                r"init|fini|ctors|dtors", s) else "an unexpected section"
            return "defines section %s: %s" % (s[:60], what), notes
        if v != "plain":
            # The sanitizer's own module constructor is the only thing .init_array may name.
            for line in relocs.splitlines():
                if "init_array" in line or "fini_array" in line or "ctors" in line:
                    continue
            in_init = False
            for line in relocs.splitlines():
                if line.startswith("Relocation section"):
                    in_init = bool(re.search(r"init_array|fini_array|ctors|dtors", line))
                    continue
                f = line.split()
                if in_init and len(f) >= 5 and re.fullmatch(r"[0-9a-f]+", f[0]):
                    target = f[4]
                    if target not in SAN_CTORS and not target.startswith(".text"):
                        return "runs %s at load or exit time" % target[:60], notes
        seen_defined = set()
        for name, typ, bind, ndx in syms:
            if typ in ("FILE", "SECTION") or name == "":
                continue
            if typ == "GNU_IFUNC" or typ == "IFUNC":
                return "defines an ifunc (%s): code that runs at load time" % name[:60], notes
            if bind == "UNIQUE" or bind == "GNU_UNIQUE":
                return "defines a unique symbol %s" % name[:60], notes
            if bind == "LOCAL":
                continue
            if ndx == "UND":
                if v == "plain":
                    plain_undef.add(name)
                    if not lesson.allows(name):
                        return ("calls %s, which lesson %s's exercise may not use" %
                                (name[:60], lesson.name)), notes
                elif name not in plain_undef and not lesson.allows(name) and \
                        not SAN_ALLOWED.fullmatch(name):
                    return "calls %s (in the %s build)" % (name[:60], v), notes
                continue
            seen_defined.add(name)
            if name in lesson.declared:
                if bind == "WEAK":
                    return "defines %s as a weak symbol" % name[:60], notes
                continue
            if v != "plain" and name.startswith(("__asan", "__tsan", "__ubsan", "___asan", "__odr_asan")):
                # ASan's per-module globals descriptors: made by the compiler, not the student.
                if re.fullmatch(r"___?asan_gen_\w*|__asan_\w+\.\w+|__odr_asan[._]\w+", name):
                    continue
            if name.startswith("_") or name in universe or name == "main":
                return ("defines %s, a name the tests, the course, cmocka, libc or the runtime "
                        "already use (an override): make it static and rename it" % name[:60],
                        notes)
            if v == "plain":
                notes.append("%s is not static: the grader made it local (write `static`)" % name[:60])
    return "", notes


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def printable(text):
    """What a box printed, safe for a terminal and a CSV: no escapes, no control bytes."""
    return CONTROL.sub("?", text or "")


def first_lines(text, n=12, width=200):
    lines = [line[:width] for line in printable(text).splitlines() if line.strip()]
    more = len(lines) - n
    return "\n".join(lines[:n]) + ("\n(%d more lines)" % more if more > 0 else "")


def classify(variant, r, nonce, name):
    """One test run -> (outcome, message). outcome: pass, timeout, memory, crash, race,
    failing, error."""
    out = r.output.decode("utf-8", "replace")
    if r.error:
        return "error", "the grader could not run this test (%s); a human will look" % r.error
    # Memory first: a run that hit the memory limit may also have slowed down to its time
    # limit (reclaim) or been found asleep; that it was killed for memory is the fact that
    # does not depend on the machine's load.
    if r.oom or (variant != "plain" and r.code not in (0, None) and
                 "hard rss limit exhausted" in out):
        return "memory", "the test used more than %d MiB of memory and was killed" % (
            LIM["mem_test"] >> 20)
    if r.stuck:
        hint = (": " + r.hint) if r.hint else ""
        return "timeout", ("stuck: every thread of the test waited and none made progress for "
                           "%.1f s (a deadlock or a lost wake-up?); the grader stopped it%s" % (
                               sandbox.SETTLE, hint))
    if r.timed_out or r.cpu_limit:
        hint = (": " + r.hint) if r.hint else ""
        return "timeout", "no result within the time limit (the grader stopped it)%s" % hint
    if r.overflow:
        return "crash", "the test printed more than %d KiB and was stopped" % (LIM["out_max"] >> 10)
    proof = ("PASS %s %s\n" % (name, nonce)).encode()
    proved = r.verdict == proof
    if r.verdict and not proved:
        # Only the harness writes there, and only the nonce it read: anything else was forged.
        return "forged", ("a verdict the grader did not issue was written on its pipe (an "
                          "attempt to forge a pass); a human will look")
    sig = r.signal()
    if proved and r.code == 0:
        return "pass", ""
    if variant == "tsan" and r.code == 66:
        where = re.search(r"SUMMARY: ThreadSanitizer: (.*)", printable(out))
        return "race", "ThreadSanitizer reported %s:\n%s" % (
            where.group(1)[:150] if where else "a data race", first_lines(sanitizer_part(out)))
    if variant == "asan" and r.code == 23:
        return "failing", "LeakSanitizer: memory or a thread was not released:\n" + \
            first_lines(sanitizer_part(out))
    if variant == "asan" and r.code == 67:
        return "crash", "AddressSanitizer/UBSan found a memory error:\n" + \
            first_lines(sanitizer_part(out))
    if sig is not None:
        import signal as _s
        try:
            sname = _s.Signals(sig).name
        except ValueError:
            sname = "signal %d" % sig
        extra = (" while: " + r.hint) if r.hint else ""
        return "crash", "the test process was killed by %s%s\n%s" % (sname, extra, first_lines(out))
    if r.code == 255:
        # The course's checks print "ERROR: ..."; put those first (the exercise may print too).
        lines = out.splitlines()
        errs = [line for line in lines if line.startswith("ERROR: ")]
        rest = [line for line in lines if not line.startswith("ERROR: ")]
        return "failing", first_lines("\n".join(errs + rest)) or "a check failed"
    if r.code == 0:
        return "failing", ("the test process ended with status 0 before the test finished "
                           "(exit() called from the exercise?)\n" + first_lines(out))
    if proved:
        return "failing", "the test passed but the process then ended with status %s\n%s" % (
            r.code, first_lines(out))
    return "failing", "the test process ended with status %s\n%s" % (r.code, first_lines(out))


def sanitizer_part(out):
    keep = []
    for line in out.splitlines():
        if re.search(r"Sanitizer|runtime error|^\s+#\d+ .* in \w", line):
            if re.match(r"\s+#\d+", line) and "exercise.c" not in line:
                continue
            keep.append(line)
    return "\n".join(keep) or out


SAN_ENV = {v: dict(w.split("=", 1) for w in BUILD.get("RUN_" + v, "").split())
           for v in ("plain", "asan", "tsan")}


def san_env(variant, no_cgroup):
    """The sanitizer's options for one run. Without a cgroup nothing else bounds a sanitized
    run's memory (RLIMIT_AS cannot: shadow memory), so the sanitizer watches its own RSS and
    stops the test past the same limit the cgroup would set."""
    env = dict(SAN_ENV[variant])
    if no_cgroup:
        for key in ("ASAN_OPTIONS", "TSAN_OPTIONS"):
            if key in env:
                env[key] += ":hard_rss_limit_mb=%d" % (LIM["mem_test"] >> 20)
    return env


class Grader:
    def __init__(self, args, lessons, sb, universe):
        self.args, self.lessons, self.sb, self.universe = args, lessons, sb, universe
        self.work = os.path.join(args.work_root, "work")

    def job(self, sub, lesson):
        t0 = time.monotonic()
        res = {"student": sub.student, "lesson": lesson.name, "passed": 0,
               "total": len(lesson.tests), "verdict": "", "reason": "", "tests": [],
               "flag": False, "notes": [], "seconds": 0.0, "ran": False}
        try:
            self._job(sub, lesson, res)
        except Exception as e:   # the grader's own failure: fail closed
            res.update(verdict="rejected", reason="grader error: %s" % str(e)[:200], flag=True,
                       passed=0)
        res["seconds"] = time.monotonic() - t0
        # A human looks at what the grader refused or could not judge, and at a file that was
        # there but ignored (a link, a duplicate); a lesson the student did not hand in is a
        # zero with its reason, not a question.
        if res["verdict"] == "rejected" or (res["verdict"] == "missing" and
                                            sub.notes.get(lesson.name)):
            res["flag"] = True
        return res

    def _job(self, sub, lesson, res):
        note = sub.notes.get(lesson.name, "")
        if sub.rejected:
            res.update(verdict="rejected", reason=sub.rejected)
            return
        data = sub.files.get(lesson.name)
        if lesson.name in sub.files and data is None:
            res.update(verdict="rejected", reason=note or "refused")
            return
        if data is None:
            res.update(verdict="missing",
                       reason=note or "no lessons/%s/exercise.c" % lesson.name)
            return
        if lesson.error:
            res.update(verdict="rejected", reason="not graded: " + lesson.error)
            return
        res["ran"] = True
        jd = os.path.join(self.work, sub.student, lesson.name)
        shutil.rmtree(jd, ignore_errors=True)
        src, inc, conf, out = (os.path.join(jd, d) for d in ("src", "include", "conf", "out"))
        for d in (src, inc, conf, out):
            os.makedirs(d)
        with open(os.path.join(src, "exercise.c"), "wb") as f:
            f.write(data)
        # The contract, and any other header the lesson gives its exercise (co.h in lesson 10).
        for h in sorted(os.listdir(lesson.lesson_dir)):
            if h.endswith(".h"):
                shutil.copyfile(os.path.join(lesson.lesson_dir, h), os.path.join(src, h))
        with open(os.path.join(src, "keep.syms"), "w") as f:
            f.write("".join(n + "\n" for n in sorted(lesson.declared)))
        for h in sorted(os.listdir(os.path.join(TOP, "lessons/common"))):
            if h.endswith(".h"):
                shutil.copyfile(os.path.join(TOP, "lessons/common", h), os.path.join(inc, h))
        # The box compiles as make check does (lessons/common/build.conf), with the lesson's
        # own flags: one word list per file, read by box-build.sh.
        box_conf = {"cflags": BUILD["STD_CFLAGS"].split() + BUILD["TEST_OPT"].split() +
                    lesson.cflags,
                    "ldflags": lesson.ldflags + BUILD["TEST_LIBS"].split(),
                    "warnings": BUILD["LEARNER_WARNINGS"].split()}
        for v in lesson.variants:
            box_conf["san-" + v] = san_flags(v)
        for name, words in box_conf.items():
            with open(os.path.join(conf, name), "w") as f:
                f.write(" ".join(words))
        if os.geteuid() == 0:
            os.chown(out, sandbox.BOX_UID, sandbox.BOX_UID)
        script = os.path.join(self.args.work_root, "box-build.sh")   # a copy: see grade_in
        binds = [("ro", src, "/box/src"), ("ro", inc, "/box/include"), ("ro", conf, "/box/conf"),
                 ("ro", script, "/box/build.sh"), ("rw", out, "/box/out")]
        r = self.sb.run(["/bin/sh", "/box/build.sh", "compile"] + lesson.variants, binds,
                        LIM["wall_build"], LIM["mem_build"], LIM["pids_build"])
        if r.error:
            raise RuntimeError(r.error)
        warnings = read_box_file(os.path.join(out, "plain.err"), 64 << 10) or ""
        if r.code != 0 and read_box_file(os.path.join(out, "failed")) is None and \
                not (r.timed_out or r.cpu_limit or r.oom):
            raise RuntimeError("the build box failed: " + r.output.decode("utf-8", "replace")[:200])
        if r.code != 0:
            err = warnings
            if r.timed_out or r.cpu_limit or r.oom:
                why = "the compiler ran out of %s" % ("memory" if r.oom else "time")
            else:
                why = "does not compile"
            res.update(verdict="compile-error", reason=why + ": " + first_error(err))
            res["notes"].append(first_lines(err, 30))
            return
        if warnings.strip():
            res["notes"].append("compiler warnings (never cost points):\n" + first_lines(warnings, 20))
        why, notes = inspect(lesson, out, self.universe)
        res["notes"] += notes
        if why:
            res.update(verdict="rejected", reason=why)
            return
        binds = binds[:-1] + [("ro", lesson.trusted, "/box/trusted"), ("rw", out, "/box/out")]
        r = self.sb.run(["/bin/sh", "/box/build.sh", "link"] + lesson.variants, binds,
                        LIM["wall_build"], LIM["mem_build"], LIM["pids_build"])
        if r.error:
            raise RuntimeError(r.error)
        if r.code != 0:
            err = read_box_file(os.path.join(out, "link-plain.err"), 64 << 10) or ""
            res.update(verdict="compile-error",
                       reason="does not link (a function of exercise.h missing or defined "
                              "twice?): " + first_error(err))
            res["notes"].append(first_lines(err, 20))
            return
        outcomes = {}
        hung = []          # tests of the plain run that timed out
        for v in lesson.variants:
            exe = os.path.join(out, "test-" + v)
            st = os.lstat(exe)
            if not stat.S_ISREG(st.st_mode):
                raise RuntimeError("the linked test program is not a regular file")
            for name in lesson.tests:
                if name in outcomes and outcomes[name][0] != "pass":
                    continue   # failed already: the sanitizer runs speak only of passing tests
                if v == "plain" and len(hung) >= HUNG_ENOUGH:
                    # A submission that hangs hangs again: the rest would each wait out the
                    # limit. They count as not passed, and the feedback says why.
                    outcomes[name] = ("timeout", "not run: %s already hung (%s); make those "
                                      "finish first, then every test runs" % (
                                          " and ".join(hung), "the grader stops a submission "
                                          "after %d hung tests" % HUNG_ENOUGH))
                    continue
                nonce = secrets.token_hex(24)
                wall = LIM["wall_plain"] if v == "plain" else LIM["wall_san"]
                rr = self.sb.run(["/box/test", "--one", name], [("ro", exe, "/box/test")], wall,
                                 LIM["mem_test"], LIM["pids_test"], nonce=nonce,
                                 env=san_env(v, self.sb.cg.mode is None), cwd="/tmp",
                                 sanitized=v != "plain")
                oc, msg = classify(v, rr, nonce, name)
                if oc in ("error", "forged"):
                    res["flag"] = True
                if oc == "forged":
                    oc = "failing"
                label = {"plain": "", "asan": " [AddressSanitizer+UBSan]",
                         "tsan": " [ThreadSanitizer]"}[v]
                outcomes[name] = (oc, (msg + label) if oc != "pass" else "")
                if oc == "timeout" and v == "plain":
                    hung.append(name)
        passed = sum(1 for n in lesson.tests if outcomes[n][0] == "pass")
        res["passed"] = passed
        res["tests"] = [{"name": n, "outcome": outcomes[n][0], "message": outcomes[n][1]}
                        for n in lesson.tests]
        bad = [outcomes[n][0] for n in lesson.tests if outcomes[n][0] != "pass"]
        if not bad:
            res.update(verdict="ok", reason="all %d tests pass" % passed)
            return
        if "error" in bad:
            res.update(verdict="rejected", passed=0,
                       reason="the grader could not run every test: a human will look")
            return
        worst = min(bad, key=VERDICT_ORDER.index)
        first = next(n for n in lesson.tests if outcomes[n][0] == worst)
        msg = outcomes[first][1].split("\n")[0][:160]
        res.update(verdict=worst, reason="%d of %d tests fail; %s: %s" % (
            len(bad), len(lesson.tests), first, msg))

    def cleanup(self, sub, lesson):
        if os.environ.get("GRADER_KEEP") != "1":
            shutil.rmtree(os.path.join(self.work, sub.student, lesson.name), ignore_errors=True)


def first_error(text):
    for line in (text or "").splitlines():
        if "error" in line.lower():
            return line.strip()[:160]
    return (text or "").strip().split("\n")[0][:160]


# ------------------------------------------------------------------ output

def write_outputs(outdir, results, lessons, subs):
    os.makedirs(outdir, exist_ok=True)
    shutil.rmtree(os.path.join(outdir, "students"), ignore_errors=True)   # an older class's
    rows = sorted(results, key=lambda r: (r["student"], r["lesson"]))
    with open(os.path.join(outdir, "grades.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "lesson", "tests_passed", "tests_total", "score", "verdict",
                    "reason"])
        for r in rows:
            score = 100.0 * r["passed"] / r["total"] if r["total"] else 0.0
            reason = " ".join(printable(r["reason"]).split())[:300]
            if r["flag"]:
                reason = "REVIEW: " + reason
            w.writerow([r["student"], r["lesson"], r["passed"], r["total"], "%.1f" % score,
                        r["verdict"], reason])
    with open(os.path.join(outdir, "flagged.txt"), "w") as f:
        for r in rows:
            if r["flag"]:
                f.write("%s %s %s: %s\n" % (r["student"], r["lesson"], r["verdict"], r["reason"]))
    by_student = {}
    for r in rows:
        by_student.setdefault(r["student"], []).append(r)
    for student, rs in by_student.items():
        d = os.path.join(outdir, "students", student)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "results.json"), "w") as f:
            json.dump(gradescope_json(rs, lessons), f, indent=1, sort_keys=True)
            f.write("\n")
        with open(os.path.join(d, "feedback.txt"), "w") as f:
            f.write(feedback_text(student, rs))


def gradescope_json(rs, lessons):
    tests, total = [], 0.0
    for r in rs:
        lesson = lessons[r["lesson"]]
        by_name = {t["name"]: t for t in r["tests"]}
        for name in lesson.tests:
            t = by_name.get(name)
            ok = t is not None and t["outcome"] == "pass"
            if t is None:
                out = "%s: %s" % (r["verdict"], r["reason"])
            else:
                out = t["message"]
            tests.append({"name": "%s: %s" % (lesson.name, name), "score": 1.0 if ok else 0.0,
                          "max_score": 1.0, "output": out[:2000], "visibility": "visible"})
            total += 1.0 if ok else 0.0
    summary = "; ".join("%s %s (%d/%d)" % (r["lesson"], r["verdict"], r["passed"], r["total"])
                        for r in rs)
    return {"score": total, "output": summary, "tests": tests, "visibility": "visible",
            "stdout_visibility": "hidden"}


def feedback_text(student, rs):
    parts = ["Feedback for %s (make grade)\n" % student]
    for r in rs:
        parts.append("\n== %s: %s, %d of %d tests pass\n%s\n" % (
            r["lesson"], r["verdict"], r["passed"], r["total"], r["reason"]))
        for n in r["notes"]:
            parts.append(n + "\n")
        for t in r["tests"]:
            if t["outcome"] != "pass":
                parts.append("FAIL  %s\n%s\n" % (t["name"], "\n".join(
                    "      " + line for line in t["message"][:2000].splitlines())))
    text = printable("".join(parts).replace("\t", "    "))
    cap = LIM["feedback_max"]
    if len(text) > cap:
        text = text[:cap] + "\n(feedback cut at %d bytes)\n" % cap
    return text


class Progress:
    def __init__(self, total):
        self.total, self.done, self.t0 = total, 0, time.monotonic()
        self.tty = sys.stderr.isatty()
        self.lock = threading.Lock()
        self.last_pct = -1

    def step(self, label):
        with self.lock:
            self.done += 1
            el = time.monotonic() - self.t0
            # A rate over the first instants (missing files are instant) means nothing.
            rate = "%.1f/min" % (self.done / el * 60) if el >= 2 else "-/min"
            width = 30
            fill = int(width * self.done / max(self.total, 1))
            bar = "[%s%s] %d/%d  %s  %s" % ("#" * fill, "." * (width - fill), self.done,
                                            self.total, rate, label[:40])
            if self.tty:
                sys.stderr.write("\r\033[K" + bar)
                if self.done == self.total:
                    sys.stderr.write("\n")
            else:
                pct = 100 * self.done // max(self.total, 1)
                if pct // 10 != self.last_pct // 10 or self.done == self.total:
                    sys.stderr.write(bar + "\n")
                    self.last_pct = pct
            sys.stderr.flush()


def summary(results, lessons, elapsed, jobs, reports):
    for line in reports:
        say("grade: " + line)
    say("")
    cols = ["ok", "failing", "compile-error", "timeout", "memory", "crash", "race", "rejected",
            "missing"]
    for name in sorted(lessons):
        rs = [r for r in results if r["lesson"] == name]
        if not rs:
            continue
        say("%s (%d tests, runs: %s)" % (name, len(lessons[name].tests),
                                        ", ".join(lessons[name].variants)))
        say("  " + " ".join("%13s" % c for c in cols) + "   mean score (of those submitted)")
        counts = [sum(1 for r in rs if r["verdict"] == c) for c in cols]
        sent = [r for r in rs if r["verdict"] != "missing" and r["total"]]
        mean = sum(100.0 * r["passed"] / r["total"] for r in sent) / len(sent) if sent else 0.0
        say("  " + " ".join("%13d" % c for c in counts) + "   %9.1f" % mean)
    ran = [r for r in results if r["ran"]]
    if ran:
        say("\nslowest submissions:")
        for r in sorted(ran, key=lambda r: -r["seconds"])[:5]:
            say("  %7.1f s  %s %s (%s)" % (r["seconds"], r["student"], r["lesson"], r["verdict"]))
    rate = len(ran) / elapsed * 60 if elapsed > 0 else 0
    say("\ngraded %d lesson-submissions (%d with no file) in %.1f s with %d parallel jobs: "
        "%.1f lesson-submissions per minute" % (len(ran), len(results) - len(ran), elapsed, jobs,
                                              rate))
    flagged = sum(1 for r in results if r["flag"])
    if flagged:
        say("%d rows flagged for a human (REVIEW in grades.csv; list in flagged.txt)" % flagged)


def main():
    ap = argparse.ArgumentParser(description="grade a class (see tests/grader/README.md)")
    ap.add_argument("submissions")
    ap.add_argument("--out", default=os.path.join(TOP, "build/grades"))
    ap.add_argument("--lessons", default="", help="comma-separated lesson numbers or names")
    ap.add_argument("--extra-root", action="append", default=[],
                    help="another folder with tests/NN-x and lessons/NN-x (the grader's tests)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    args.out = os.path.abspath(args.out)
    # What the boxes read (made by us, bound read-only) must be readable by the box user,
    # whatever umask the instructor's shell has (077 would make every folder 0700).
    os.umask(0o022)
    if not os.path.isdir(args.submissions):
        print("grade: SUBMISSIONS=%s is not a folder" % args.submissions, file=sys.stderr)
        return 2
    only = lesson_filter(args.lessons)
    lessons = discover([TOP] + args.extra_root, only)
    unknown = sorted(x for x in only if not any(n == x or n[:2] == x for n in lessons))
    if unknown:
        print("grade: no lesson %s; the lessons are: %s" % (
            ", ".join(unknown), " ".join(sorted(discover([TOP] + args.extra_root, set())))),
            file=sys.stderr)
        return 2
    if not lessons:
        print("grade: no lesson to grade", file=sys.stderr)
        return 2
    args.assigned = bool(only)

    cgroups = sandbox.Cgroups()
    # SIGTERM (a timeout, a closed terminal) ends the grading like Ctrl-C does: through the
    # finally below, which removes the cgroups. Only SIGKILL skips it; the next run sweeps.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)
    try:
        return grade(args, lessons, cgroups)
    except KeyboardInterrupt:
        print("grade: interrupted: no grades written", file=sys.stderr)
        return 130
    finally:
        left = cgroups.close()
        if left:
            warn("could not remove the cgroups %s: a process in them would not die"
                 % ", ".join(left))


def interrupted(signum, frame):
    raise KeyboardInterrupt


def run_parallel(fn, items, jobs, stop=None):
    """list(map(fn, items)) on jobs threads. On an interrupt the jobs not yet started are
    dropped, and stop() makes those running end now."""
    ex = ThreadPoolExecutor(max_workers=jobs)
    try:
        return list(ex.map(fn, items))
    except BaseException:
        if stop is not None:
            stop()
        raise
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


def grade(args, lessons, cgroups):
    """Everything after the cgroups exist: build the course side, grade, write the outputs."""
    if os.environ.get("GRADER_SANDBOX") == "uid":
        warn("GRADER_SANDBOX=uid: NO bubblewrap. Boxes are only a switch to uid %d with limits: "
             "no private file view, no network isolation. Use it only inside a disposable "
             "container holding one submission (Gradescope), with the course's tests and "
             "results made unreadable to that user." % sandbox.BOX_UID)
        args.jobs = 1
    say("grade: isolation: %s as uid %d%s; %s" % (
        "setpriv only (GRADER_SANDBOX=uid)" if os.environ.get("GRADER_SANDBOX") == "uid"
        else "bubblewrap", sandbox.BOX_UID if os.geteuid() == 0 else os.geteuid(),
        "" if os.geteuid() == 0 else " (not root: the calling user)", cgroups.describe()))
    if cgroups.mode is None:
        warn("NO CGROUP: memory and process limits fall back to rlimits (RLIMIT_AS for plain "
             "runs only, RLIMIT_NPROC per user); a run's leftovers are found by process group "
             "and pid namespace only. Run as root on a machine with cgroups for real limits.")
        if args.jobs > 1:
            # RLIMIT_NPROC counts the user's tasks, not one box's: a fork bomb in one job
            # would leave the other no process to start. One job at a time.
            warn("NO CGROUP: grading one submission at a time (--jobs %d ignored)" % args.jobs)
            args.jobs = 1
    sb = sandbox.Sandbox(cgroups, LIM["fsize"], LIM["nofile"], LIM["out_keep"], LIM["out_max"],
                         args.jobs)
    probe = sb.run(["/bin/true"], [], 20, 64 << 20, 8, cwd="/")
    if probe.code != 0 or probe.error:
        print("grade: the sandbox does not start here (bwrap: %s %s); refusing to grade without "
              "it" % (probe.error, probe.output.decode("utf-8", "replace")[:300]), file=sys.stderr)
        return 2

    subs, reports = collect(args.submissions, sorted(lessons))
    if not args.assigned:
        # No LESSONS= or L=: grade the lessons this class handed in (in at least one
        # submission), not a row per student for every lesson of the course.
        sent = set()
        for sub in subs.values():
            sent |= set(sub.files) | set(sub.notes)
        if not sent:
            say("grade: no submission holds a lessons/NN-topic/exercise.c; nothing to grade")
        for n in sorted(set(lessons) - sent):
            del lessons[n]
        if lessons:
            say("grade: grading the lessons the class handed in: %s (LESSONS= or L= to choose)"
                % " ".join(sorted(lessons)))
    # The boxes' folders (the course's test objects, each job's copy of the student's file)
    # live apart from the checkout and from --out, which may sit in a folder only its owner can
    # enter (/root, a Debian home: 0700): the box user, who binds them into its boxes, must
    # reach them. A fresh folder under $GRADER_WORK or $TMPDIR (default /tmp), 0711: others may
    # pass through it, not list it; it is removed at the end (GRADER_KEEP=1 keeps it).
    try:
        args.work_root = make_work_root()
    except OSError as e:
        print("grade: cannot make the work folder: %s" % e, file=sys.stderr)
        return 2
    try:
        return grade_in(args, lessons, sb, subs, reports)
    finally:
        if os.environ.get("GRADER_KEEP") == "1":
            say("grade: the boxes' folders are kept in %s (GRADER_KEEP=1)" % args.work_root)
        else:
            shutil.rmtree(args.work_root, ignore_errors=True)


def make_work_root():
    base = os.environ.get("GRADER_WORK") or tempfile.gettempdir()
    root = tempfile.mkdtemp(prefix="course-grader.", dir=base)
    os.chmod(root, 0o711)
    d = os.path.dirname(os.path.abspath(root))
    while True:
        if os.geteuid() == 0 and os.stat(d).st_mode & 0o001 == 0:
            shutil.rmtree(root, ignore_errors=True)
            raise OSError("%s is not searchable by others, so the box user cannot reach %s "
                          "(set GRADER_WORK to a folder it can reach, e.g. /tmp)" % (d, root))
        if d == "/":
            return root
        d = os.path.dirname(d)


def grade_in(args, lessons, sb, subs, reports):
    """The grading proper, once the work folder exists (grade() removes it afterwards)."""
    trusted_root = os.path.join(args.work_root, "trusted")
    os.makedirs(trusted_root)
    # Everything a box binds comes from the work folder, never from the checkout.
    shutil.copyfile(os.path.join(HERE, "box-build.sh"), os.path.join(args.work_root,
                                                                      "box-build.sh"))
    t_build = time.monotonic()

    def prep(lesson):
        lesson.trusted = os.path.join(trusted_root, lesson.name)
        try:
            if not os.path.isfile(lesson.policy_file):
                raise RuntimeError("no policy file %s (fail closed)" % os.path.relpath(
                    lesson.policy_file, TOP))
            lesson.allowed, lesson.allowed_prefix = read_policy(lesson.policy_file)
            lesson.conf = read_conf(os.path.join(lesson.tests_dir, "lesson.conf"))
            build_lesson(lesson)
        except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as e:
            lesson.error = str(e)[:300]
            warn("lesson %s cannot be graded: %s" % (lesson.name, lesson.error))

    run_parallel(prep, list(lessons.values()), args.jobs, sb.stop)
    for lesson in lessons.values():
        if lesson.error:
            continue
        for v in lesson.variants:
            os.chmod(os.path.join(lesson.trusted, v), 0o755)
    universe = link_universe([l_ for l_ in lessons.values() if not l_.error])
    good = sorted(n for n, l_ in lessons.items() if not l_.error)
    say("grade: lessons %s (course side built in %.1f s)" % (", ".join(good) or "none",
                                                            time.monotonic() - t_build))
    os.chmod(trusted_root, 0o755)

    grader = Grader(args, lessons, sb, universe)
    jobs = [(subs[s], lessons[n]) for s in sorted(subs) for n in sorted(lessons)]
    # Real work first and longest first would balance better; sorted keeps runs comparable.
    progress = Progress(len(jobs))
    results = []
    lock = threading.Lock()
    t0 = time.monotonic()

    def one(job):
        sub, lesson = job
        res = grader.job(sub, lesson)
        grader.cleanup(sub, lesson)
        with lock:
            results.append(res)
        if not sb.stopping.is_set():
            progress.step("%s %s" % (sub.student, lesson.name))

    run_parallel(one, jobs, args.jobs, sb.stop)
    elapsed = time.monotonic() - t0
    write_outputs(args.out, results, lessons, subs)
    with open(os.path.join(args.out, "reports.txt"), "w") as f:
        f.write("".join(line + "\n" for line in reports))
    if os.environ.get("GRADER_SANDBOX") == "uid" and os.path.isdir("/box"):
        for name in os.listdir("/box"):
            os.unlink(os.path.join("/box", name))
        os.rmdir("/box")
    summary(results, lessons, elapsed, args.jobs, reports)
    say("grade: wrote %s" % os.path.relpath(os.path.join(args.out, "grades.csv"), os.getcwd()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
