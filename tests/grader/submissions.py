"""tests/grader/submissions.py: take each student's exercise files from the class folder.
Build: nothing (Python 3 standard library; imported by grade.py)
Run:   tests/grader/grade.sh dir      (see tests/grader/README.md)

Untrusted input: every name, folder, link and archive here was made by a student. Only
lessons/NN-topic/exercise.c is taken, as a regular file no bigger than LIM["src_max"], opened
without following links at any level; archives are read in memory (never unpacked to disk),
capped in size and members. The bytes taken are never run or parsed here: they go to a box
(job.py). What cannot be taken is noted with its reason, for the feedback and flagged.txt.
"""
import io
import os
import re
import stat
import tarfile
import zipfile

from config import LIM

ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MEMBER_RE = re.compile(r"(?:([^/]+)/)?lessons/([0-9][0-9]-[a-z0-9][a-z0-9-]*)/exercise\.c")


def plain_name(s):
    return isinstance(s, str) and ID_RE.fullmatch(s) is not None and not s.endswith(".")


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
