#!/usr/bin/python3
"""tests/grader/corpus/corpus.py: build the hostile class from cases.txt, and check its grades.
Build: nothing (Python 3 standard library)
Run:   tests/grader/run-tests.sh   (corpus.py build DIR; corpus.py check DIR OUT)
"""
import csv
import io
import os
import stat
import sys
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))

# Names a student folder must never be graded under: each is reported and skipped.
ODD_NAMES = ["evil;touch PWNED", "new\nline", "$(touch PWNED)", "-rf", ".hidden", "a b"]
ESCAPE_MARKERS = ["/tmp/GRADER_ESCAPED", "/var/tmp/GRADER_ESCAPED", "/dev/shm/GRADER_ESCAPED",
                  os.path.join(TOP, "GRADER_ESCAPED"), os.path.join(TOP, "build/grades/GRADER_ESCAPED"),
                  "/root/GRADER_ESCAPED", "/GRADER_ESCAPED", os.path.join(TOP, "PWNED"), "PWNED"]


def cases():
    out = []
    with open(os.path.join(HERE, "cases.txt")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                student, lesson, verdict, passed, how, src = line.split()
                out.append((student, lesson, verdict, passed, how, src))
    return out


def source(src):
    path = os.path.join(TOP, src[1:]) if src.startswith("@") else os.path.join(HERE, "src", src)
    with open(path, "rb") as f:
        return f.read()


def member(lesson):
    return "lessons/%s/exercise.c" % lesson


def tar_add(t, name, data=None, **kw):
    info = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(info, k, v)
    if data is not None:
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    else:
        t.addfile(info)


def build(root):
    os.makedirs(root)
    for student, lesson, verdict, passed, how, src in cases():
        data = source(src)
        base = os.path.join(root, student)
        if how in ("dir", "dir+zip", "oversized", "symlink-file", "symlink-dir", "fifo", "device"):
            d = os.path.join(base, "lessons", lesson)
            if how == "symlink-dir":
                os.makedirs(os.path.join(base, "lessons"))
                os.makedirs(os.path.join(base, "real"))
                with open(os.path.join(base, "real", "exercise.c"), "wb") as f:
                    f.write(data)
                os.symlink("../real", d)
                continue
            os.makedirs(d)
            target = os.path.join(d, "exercise.c")
            if how == "symlink-file":
                os.symlink(os.path.join(TOP, "solutions/01-threads/exercise.c"), target)
            elif how == "fifo":
                os.mkfifo(target)
            elif how == "device":
                os.mknod(target, 0o644 | stat.S_IFCHR, os.makedev(1, 5))   # /dev/zero
            elif how == "oversized":
                with open(target, "wb") as f:
                    f.write(data + b"/*" + b"x" * (300 << 10) + b"*/\n")
            else:
                with open(target, "wb") as f:
                    f.write(data)
            if how == "dir+zip":
                with zipfile.ZipFile(base + ".zip", "w") as z:
                    z.writestr(member(lesson), data)
        elif how in ("zip", "zip-symlink", "zip-dotdot", "garbage-zip"):
            if how == "garbage-zip":
                with open(base + ".zip", "wb") as f:
                    f.write(b"PK\x03\x04 this is not a zip file" * 10)
                continue
            with zipfile.ZipFile(base + ".zip", "w", zipfile.ZIP_DEFLATED) as z:
                if how == "zip":
                    z.writestr("course/" + member(lesson), data)
                elif how == "zip-dotdot":
                    z.writestr("../" + member(lesson), data)
                    z.writestr("x/../" + member(lesson), data)
                else:
                    info = zipfile.ZipInfo(member(lesson))
                    info.external_attr = (stat.S_IFLNK | 0o777) << 16
                    z.writestr(info, "/etc/passwd")
        else:
            with tarfile.open(base + ".tar.gz", "w:gz") as t:
                if how == "tgz":
                    tar_add(t, "./course/" + member(lesson), data, mode=0o644)
                elif how == "tar-symlink":
                    tar_add(t, member(lesson), type=tarfile.SYMTYPE, linkname="/etc/passwd")
                elif how == "tar-dotdot":
                    tar_add(t, "../../" + member(lesson), data)
                    tar_add(t, "/" + member(lesson), data)
                    tar_add(t, "a/b/" + member(lesson), data)
                elif how == "tar-hardlink":
                    tar_add(t, "notes.txt", data)
                    tar_add(t, member(lesson), type=tarfile.LNKTYPE, linkname="notes.txt")
                elif how == "tar-double":
                    tar_add(t, member(lesson), data)
                    tar_add(t, "./" + member(lesson), data.replace(b"2 * n", b"n + n"))
                elif how == "tar-oddname":
                    tar_add(t, member(lesson) + "\n", data)
                    tar_add(t, "$(touch PWNED)/" + member(lesson), data)
                    tar_add(t, "a;b/" + member(lesson), data)
                    tar_add(t, member(lesson).replace("exercise", "exer\x1bcise"), data)
                elif how == "gzip-bomb":
                    tar_add(t, "padding.bin", b"\0" * (80 << 20))
                    tar_add(t, member(lesson), data)
                else:
                    raise SystemExit("corpus: unknown how '%s'" % how)
    # Names that must be reported and skipped, never used in a path or a shell.
    for name in ODD_NAMES:
        os.makedirs(os.path.join(root, name, "lessons", "99-hostile"))
        with open(os.path.join(root, name, "lessons", "99-hostile", "exercise.c"), "wb") as f:
            f.write(source("h_ok.c"))
    os.symlink("solution", os.path.join(root, "linked-student"))
    with open(os.path.join(root, "bad'quote.zip"), "wb") as f:
        f.write(b"")


def check(root, out, cgroup=True):
    """Without a cgroup (rlimits only) nothing limits a sanitizer run's memory: a memory bomb
    ends at the time limit instead, still with no test passed. Both verdicts score 0."""
    fails = []
    rows = {}
    with open(os.path.join(out, "grades.csv"), newline="") as f:
        for r in csv.DictReader(f):
            key = (r["student"], r["lesson"])
            if key in rows:
                fails.append("%s %s: two rows" % key)
            rows[key] = r
    passed = 0
    for student, lesson, verdict, want, how, src in cases():
        r = rows.get((student, lesson))
        if r is None:
            fails.append("%s %s: no row in grades.csv" % (student, lesson))
            continue
        got = int(r["tests_passed"])
        total = int(r["tests_total"])
        ok_count = got < total if want == "-" else got == int(want)
        same = r["verdict"] == verdict or (not cgroup and verdict == "memory" and
                                           r["verdict"] == "timeout")
        if not same or not ok_count:
            fails.append("%s %s: expected %s with %s passed; got %s with %d/%d (%s)" % (
                student, lesson, verdict, want, r["verdict"], got, total, r["reason"][:150]))
        else:
            passed += 1
    students = {k[0] for k in rows}
    reports = open(os.path.join(out, "reports.txt")).read()
    for name in ODD_NAMES + ["linked-student"]:
        if name in students:
            fails.append("%r was graded; it must be skipped" % name)
        elif repr(name)[:80] not in reports and name not in reports:
            fails.append("%r was not reported as skipped" % name)
        else:
            passed += 1
    for m in ESCAPE_MARKERS:
        if os.path.lexists(m):
            fails.append("%s exists: something wrote outside its box" % m)
    passed += 1
    return passed, fails


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "build":
        build(sys.argv[2])
    elif (len(sys.argv) in (4, 5) and sys.argv[1] == "check" and
          sys.argv[4:] in ([], ["--no-cgroup"])):
        n, fails = check(sys.argv[2], sys.argv[3], cgroup=len(sys.argv) == 4)
        for f in fails:
            print("FAIL  " + f)
        print("corpus: %d checks passed, %d failed" % (n, len(fails)))
        sys.exit(1 if fails else 0)
    elif len(sys.argv) == 2 and sys.argv[1] == "markers":
        print("\n".join(ESCAPE_MARKERS))
    else:
        print("usage: corpus.py build DIR | check DIR OUT [--no-cgroup] | markers", file=sys.stderr)
        sys.exit(2)
