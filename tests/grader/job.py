"""tests/grader/job.py: one job, one student's exercise for one lesson, from the file to the
result row: copy it in, compile and inspect it in a box, link it with the course's tests and
the grader's harness in a box, run every test in a box of its own (plain, then ASan+UBSan, then
TSan for race lessons), and score.
Build: nothing (Python 3 standard library; imported by grade.py)
Run:   tests/grader/grade.sh dir      (see tests/grader/README.md)

The border between the sides runs through here. Trusted: the lesson (lessons.py), the flags and
limits (config.py), the job's folders this module writes. Untrusted: the student's bytes, which
only a box ever compiles or runs, and everything a box returns (its files, output and status),
judged by inspection.py and verdicts.py, never trusted here.
"""
import os
import secrets
import shutil
import stat
import time

import sandbox
from config import BUILD, LIM, TOP, san_flags
from inspection import inspect, read_box_file
from verdicts import VERDICT_ORDER, classify, first_error, first_lines

HUNG_ENOUGH = 2   # after this many tests of the plain run hung, the others are not run


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


def stage_job(jd, lesson, data):
    """The job's folders as its boxes see them, made fresh in jd: src (exercise.c, the lesson's
    headers, keep.syms: the names exercise.h declares), include (lessons/common/*.h), conf (the
    build's flags, one word list per file, read by box-build.sh) and out (the box's only
    writable folder). Returns their four paths."""
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
    return src, inc, conf, out


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
        src, inc, conf, out = stage_job(os.path.join(self.work, sub.student, lesson.name),
                                        lesson, data)
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
