#!/usr/bin/python3
"""tests/grader/grade.py: grade a whole class, safely and fairly (`make grade SUBMISSIONS=dir`).
Build: nothing (Python 3 standard library; the test harness is C: tests/grader/harness.c)
Run:   tests/grader/grade.sh dir      (dir/<student>/lessons/NN-topic/exercise.c, or <student>.zip,
                                       <student>.tar.gz); see tests/grader/README.md

One job per (student, lesson): copy the one expected file in, compile and inspect it in a box,
refuse what the lesson does not allow, link it with the course's tests and our harness in a box,
then run every test in a box of its own (plain, then ASan+UBSan, then TSan for race lessons), a
test counting as passed only with the nonce proof, exit status 0 and no limit hit.

This file is the entry point and the orchestration: the command line, the cgroups and the
sandbox, the work folder, the course's side built once, the jobs run in parallel, an interrupt
handled. The rest lives beside it, one job a module, each docstring saying which side of the
trust border it stands on:
  config.py       where the course is, the limits, lessons/common/build.conf (trusted)
  lessons.py      the lessons: tests, flags, declared names, compiled test objects (trusted)
  submissions.py  the class folder: each student's exercise files (untrusted)
  inspection.py   the policy (trusted) and the check of a compiled object (untrusted input)
  job.py          one job in its boxes, the student's file to the result row (where they meet)
  verdicts.py     what one test run means, the words a student reads (untrusted input)
  reports.py      grades.csv, results.json, feedback.txt, summary (untrusted text, made safe)
  sandbox.py      the box: bwrap, setpriv, prlimit, a cgroup, watched from outside
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

# The modules above sit beside this file: found even when Python leaves the script's folder
# off sys.path (python3 -I, PYTHONSAFEPATH=1).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sandbox  # noqa: E402
from config import HERE, LIM, TOP, read_conf  # noqa: E402
from inspection import read_policy  # noqa: E402
from job import Grader  # noqa: E402
from lessons import build_lesson, discover, lesson_filter, link_universe  # noqa: E402
from reports import Progress, say, summary, write_outputs  # noqa: E402
from submissions import collect  # noqa: E402


def warn(msg):
    print("grade: WARNING: " + msg, file=sys.stderr, flush=True)


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
