"""tests/grader/reports.py: what the grading writes and prints: grades.csv, flagged.txt, each
student's results.json (Gradescope's format) and feedback.txt, the progress bar and the summary.
Build: nothing (Python 3 standard library; imported by grade.py)
Run:   tests/grader/grade.sh dir      (see tests/grader/README.md)

Untrusted text passes through here: reasons and test messages quote what the student's code
printed. Everything written to a terminal or a CSV goes through printable() (no escapes, no
control bytes) and is cut to a size; the feedback is capped at LIM["feedback_max"].
"""
import csv
import json
import os
import shutil
import sys
import threading
import time

from config import LIM
from verdicts import ALL_VERDICTS, printable


def say(*a):
    print(*a, flush=True)


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
    cols = ALL_VERDICTS
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
