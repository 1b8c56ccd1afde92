"""tests/grader/lessons.py: the lessons as the grader sees them (trusted side).
Build: nothing (Python 3 standard library; imported by grade.py)
Run:   tests/grader/grade.sh dir      (see tests/grader/README.md)

Trusted side only: the course's tests, headers, lesson.conf and policy files, compiled and run
outside any box with run_trusted. Nothing here reads a student's file. What comes out: for each
lesson its tests, its flags, the names exercise.h declares, its compiled test objects, and the
set of names a student may not define (link_universe).
"""
import os
import re
import subprocess

from config import BUILD, HERE, TOP, san_flags

LESSON_RE = re.compile(r"[0-9][0-9]-[a-z0-9][a-z0-9-]*")


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


def run_trusted(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


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


def lesson_flags(lesson):
    """The lesson's own flags (its lesson.conf, pkg-config for its PKGS), its builds (TSAN = 1
    adds ThreadSanitizer) and the names its exercise.h declares: what a job needs of the lesson
    besides the course's compiled tests (build_lesson)."""
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
    # mmap and mprotect always: harness.c refuses executable memory made at run time.
    wraps = conf.get("WRAP", "").split() + ["mmap", "mprotect"]
    lesson.ldflags = (["-Wl,--wrap=%s" % w for w in dict.fromkeys(wraps)] + pkg_libs +
                      conf.get("LIBS", "").split())
    if conf.get("TSAN", "0").strip() == "1":
        lesson.variants = ["plain", "asan", "tsan"]
    lesson.declared = declared_names(lesson, lesson.cflags)
    if not lesson.declared:
        raise RuntimeError("exercise.h declares no function")


def build_lesson(lesson):
    """Compile the course's side (tests, harness, shared code) for each variant, -Werror, and
    list the tests with a program linked against the lesson's own stub."""
    lesson_flags(lesson)
    conf = lesson.conf
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
