"""tests/grader/config.py: what every part of the grader reads: where the course is, the limits
of a box, and how the course compiles (lessons/common/build.conf).
Build: nothing (Python 3 standard library; imported by grade.py and its modules)
Run:   tests/grader/grade.sh dir      (see tests/grader/README.md)

Trusted side only: the instructor's environment (GRADER_* knobs) and the course's own files.
Nothing here reads a student's file or anything a box wrote.
"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


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


def read_conf(path):
    conf = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*([A-Za-z_]+)\s*=\s*(.*?)\s*$", line)
            if m and not line.lstrip().startswith("#"):
                conf[m.group(1)] = m.group(2)
    return conf


# How the course compiles, in one place for make check, make test and this grader.
BUILD = read_conf(os.path.join(TOP, "lessons/common/build.conf"))


def san_flags(v):
    return BUILD["SAN_" + v].split()
