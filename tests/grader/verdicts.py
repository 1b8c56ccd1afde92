"""tests/grader/verdicts.py: what one test run means (classify), and the words a student reads
about it.
Build: nothing (Python 3 standard library; imported by grade.py)
Run:   tests/grader/grade.sh dir      (see tests/grader/README.md)

Untrusted input: a run's output, status and verdict pipe (sandbox.Result) come from the
student's code in the test process; only the nonce proof on fd 4 plus exit status 0 makes a
pass. Everything quoted back (printable, first_lines) is stripped of control bytes first.
"""
import re

import sandbox
from config import LIM

VERDICT_ORDER = ["memory", "timeout", "crash", "race", "failing"]
ALL_VERDICTS = ["ok", "failing", "compile-error", "timeout", "memory", "crash", "race",
                "rejected", "missing"]


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


def first_error(text):
    for line in (text or "").splitlines():
        if "error" in line.lower():
            return line.strip()[:160]
    return (text or "").strip().split("\n")[0][:160]
