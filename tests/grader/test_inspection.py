#!/usr/bin/python3
"""tests/grader/test_inspection.py: unit tests of the inspection policy: the policy language
(read_policy), the real policy files (policy/*.allow) and the check of a compiled object
(inspection.inspect), without a class to grade or a box to run.
Build: nothing (Python 3 standard library; gcc, readelf and objdump for the compiled cases)
Run:   python3 -m unittest discover -s tests/grader -p 'test_*.py'   (tests/grader/run-tests.sh
       runs it first and counts each test)

Three kinds of input. Text shaped like what box-build.sh leaves in a box (readelf -W -s and -S,
readelf -W -r, objdump -d, gcc -S and -E), written by the tests, for one rule at a time. Policy
texts written by the tests, and the real policy/*.allow files. And real objects: each lesson's
reference answer (solutions/NN-topic/exercise.c) and a few small hostile files, compiled with
box-build.sh itself, with the folders and flags job.stage_job gives a box (BOX_ROOT points the
script at them; outside a box, as the course's own files are trusted), then inspected as the
grader does: the unit-level twin of grade-references.sh.

The holes these tests found (code placed in a section of the source's choice, an executable
stack, lesson 13's read, executable memory in lessons 11 and 12) are closed; KNOWN_HOLES keeps
the allowances that remain and says what makes each safe.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from config import HERE, TOP, read_conf  # noqa: E402
from inspection import (inspect, parse_sections, parse_symbols, read_box_file,  # noqa: E402
                        read_policy)
from job import stage_job  # noqa: E402
from lessons import Lesson, build_lesson, discover, lesson_flags, link_universe  # noqa: E402

POLICY_DIR = os.path.join(HERE, "policy")
BOX_BUILD = os.path.join(HERE, "box-build.sh")

# The calls no lesson's exercise may make unless the lesson's own policy file names it (the
# README: "a lesson whose exercise needs one says so in its own file"), by family. The keys
# include every word of base.allow's header list ("no read, write, open, ..."), checked by
# test_base_header_names_only_tested_families; the values are the libc spellings of each.
DENIED = {
    "read": ["read", "pread", "pread64", "readv", "preadv", "preadv2", "recv", "recvfrom",
             "recvmsg", "fread", "fgets", "fgetc", "getc", "getchar", "getline", "getdelim",
             "fscanf", "scanf", "__isoc99_fscanf", "__isoc99_scanf", "__read_chk", "__fread_chk",
             "__fgets_chk"],
    "write": ["write", "pwrite", "pwrite64", "writev", "pwritev", "send", "sendto", "sendmsg",
              "sendfile", "splice", "tee", "copy_file_range", "dprintf", "vdprintf",
              "__dprintf_chk"],
    "open": ["open", "open64", "openat", "creat", "fopen", "fopen64", "freopen", "fdopen",
             "opendir", "__open_2", "__openat_2", "dup", "dup2", "dup3", "fcntl", "memfd_create"],
    "exit": ["exit", "quick_exit", "atexit", "on_exit", "at_quick_exit", "__cxa_atexit"],
    "_exit": ["_exit", "_Exit"],
    "fork": ["fork", "vfork", "clone", "clone3", "posix_spawn", "posix_spawnp", "daemon"],
    "exec": ["execve", "execv", "execvp", "execvpe", "execl", "execle", "execlp", "fexecve",
             "execveat", "system", "popen"],
    "kill": ["kill", "killpg", "tgkill", "tkill", "sigqueue", "pidfd_send_signal"],
    "signal": ["signal", "sigaction", "sigset", "sysv_signal", "__sysv_signal", "bsd_signal"],
    "syscall": ["syscall"],
    "dlopen": ["dlopen", "dlmopen", "__libc_dlopen_mode", "dl_iterate_phdr", "dladdr"],
    "dlsym": ["dlsym", "dlvsym", "__libc_dlsym"],
    "mmap": ["mmap", "mmap64", "mprotect", "pkey_mprotect", "mremap"],
    "setjmp": ["setjmp", "_setjmp", "__sigsetjmp", "sigsetjmp", "longjmp", "_longjmp",
               "siglongjmp", "__longjmp_chk"],
    # Not in base.allow's header, named by the README's threat model all the same.
    "socket": ["socket", "socketpair", "connect", "bind", "listen", "accept", "accept4"],
    "ptrace": ["ptrace", "process_vm_readv", "process_vm_writev", "prctl", "personality"],
}

# What a forged pass needs: the nonce, which waits in a pipe on fd 3 until the test returned
# (harness.c), and memory the exercise can make executable (code built at run time is never
# inspected). Printing on fd 4 needs no call at all (stdout->_fileno = 4), so these are the
# names that must stay out of every policy.
NONCE_READERS = DENIED["read"] + ["splice", "tee", "copy_file_range", "sendfile"]
EXEC_MEMORY = ["mmap", "mmap64", "mprotect", "pkey_mprotect", "mremap"]

# Denied names a lesson may still allow, each by lesson and exact names, with what makes it
# safe. A check fails on anything else.
#   11 and 12 allow mmap and mprotect (a coroutine's stack and guard page): mmap(PROT_READ |
#     PROT_WRITE | PROT_EXEC) would give a page to copy machine code to, a system call
#     included. Every program the grader links goes through harness.c's __wrap_mmap and
#     __wrap_mprotect, which refuse PROT_EXEC (test_harness_refuses_executable_memory, and
#     the corpus cases h-exec-mmap and h-exec-mprotect run it).
# (Lesson 13 allowed read, which fetches the nonce, and killpg; both were removed.)
KNOWN_HOLES = {
    "nonce": {},
    "exec-memory": {"11-stackful-coroutines": {"mmap", "mprotect"},
                    "12-coroutines-on-the-loop": {"mmap", "mprotect"}},
    "unused-denied": {},
}


def split_known(found, hole):
    """found ({lesson: names}) as (new, known): per lesson, the names KNOWN_HOLES[hole] does not
    list, and those it does; lessons with none left out."""
    known = KNOWN_HOLES[hole]
    new = {n: sorted(set(v) - known.get(n, set())) for n, v in found.items()}
    old = {n: sorted(set(v) & known.get(n, set())) for n, v in found.items()}
    return {n: v for n, v in new.items() if v}, {n: v for n, v in old.items() if v}


def real_lessons():
    """The course's lessons, as the grader finds them, each with its real policy read (a
    missing one is test_every_lesson_has_a_policy_that_includes_base's to report)."""
    found = discover([TOP], set())
    for lesson in found.values():
        if os.path.isfile(lesson.policy_file):
            lesson.allowed, lesson.allowed_prefix = read_policy(lesson.policy_file)
    return found


def own_policy(path, tmp):
    """The names a policy file lists itself, its includes left out: read_policy on a copy
    without the include lines."""
    with open(path) as f:
        lines = [line for line in f if line.split("#", 1)[0].split()[:1] != ["include"]]
    copy = os.path.join(tmp, "own-" + os.path.basename(path))
    with open(copy, "w") as f:
        f.writelines(lines)
    return read_policy(copy)


# ------------------------------------------------------------------ box output, written by hand

def readelf_symbols(rows):
    """readelf -W -s: the null symbol, then rows of (name, type, bind, ndx)."""
    lines = ["", "Symbol table '.symtab' contains %d entries:" % (len(rows) + 1),
             "   Num:    Value          Size Type    Bind   Vis      Ndx Name",
             "     0: 0000000000000000     0 NOTYPE  LOCAL  DEFAULT  UND "]
    for i, (name, typ, bind, ndx) in enumerate(rows, 1):
        lines.append("%6d: 0000000000000000     0 %-7s %-6s DEFAULT  %3s %s" %
                     (i, typ, bind, ndx, name))
    return "\n".join(lines) + "\n"


def readelf_sections(rows):
    """readelf -W -S: the null section, then rows of (name, flags)."""
    lines = ["There are %d section headers, starting at offset 0x1000:" % (len(rows) + 1), "",
             "Section Headers:",
             "  [Nr] Name              Type            Address          Off    Size   ES Flg"
             " Lk Inf Al",
             "  [ 0]                   NULL            0000000000000000 000000 000000 00      0"
             "   0  0"]
    for i, (name, flags) in enumerate(rows, 1):
        typ = "RELA" if name.startswith(".rela.") else "REL" if name.startswith(".rel.") else \
            "PROGBITS"
        lines.append("  [%2d] %-17s %-15s 0000000000000000 000040 000010 00 %3s  0"
                     "   0  1" % (i, name, typ, flags))
    lines += ["Key to Flags:", "  W (write), A (alloc), X (execute), M (merge), S (strings)"]
    return "\n".join(lines) + "\n"


def readelf_relocs(section, targets):
    """readelf -W -r: one relocation section whose entries name targets."""
    lines = ["", "Relocation section '%s' at offset 0x5f0 contains %d entries:" %
             (section, len(targets)),
             "    Offset             Info             Type               Symbol's Value  "
             "Symbol's Name + Addend"]
    for i, t in enumerate(targets):
        lines.append("%016x  0000000500000001 R_X86_64_64            0000000000000000 %s + 0"
                     % (8 * i, t))
    return "\n".join(lines) + "\n"


CLEAN_SECTIONS = [(".text", "AX"), (".rela.text", "I"), (".data", "WA"), (".bss", "WA"),
                  (".rodata.str1.1", "AMS"), (".comment", "MS"), (".note.GNU-stack", ""),
                  (".note.gnu.property", "A"), (".eh_frame", "A"), (".rela.eh_frame", "I"),
                  (".symtab", ""), (".strtab", ""), (".shstrtab", "")]
CLEAN_SYMBOLS = [("exercise.c", "FILE", "LOCAL", "ABS"), (".text", "SECTION", "LOCAL", "1"),
                 ("helper_static", "FUNC", "LOCAL", "1"), ("split_run", "FUNC", "GLOBAL", "1")]
CLEAN_SOURCE = "static int helper_static(int x) { return x; }\nint split_run(void) { return 0; }\n"


def write_box(out, variants, calls=(), symbols=None, sections=None, source=CLEAN_SOURCE,
              asm="\t.text\nsplit_run:\n\tret\n", dis="", relocs="", per_variant=None):
    """Write what box-build.sh leaves in out for a clean object that calls calls; the keyword
    arguments replace one part, per_variant[v] a part of variant v only."""
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        os.unlink(os.path.join(out, name))
    rows = list(CLEAN_SYMBOLS if symbols is None else symbols)
    rows += [(c, "NOTYPE", "GLOBAL", "UND") for c in calls]
    for v in variants:
        parts = {"i": source, "s": asm, "symbols": readelf_symbols(rows),
                 "sections": readelf_sections(CLEAN_SECTIONS if sections is None else sections),
                 "dis": dis, "relocs": relocs}
        parts.update((per_variant or {}).get(v, {}))
        for ext, text in parts.items():
            with open(os.path.join(out, "%s.%s" % (v, ext)), "w") as f:
                f.write(text)


def fake_lesson(allowed=("malloc", "free", "pthread_create", "pthread_join"), prefixes=(),
                variants=("plain",), declared=("split_run",)):
    lesson = Lesson("01-threads", "/nonexistent/tests", "/nonexistent/lesson", "/nonexistent")
    lesson.allowed, lesson.allowed_prefix = set(allowed), list(prefixes)
    lesson.variants, lesson.declared = list(variants), set(declared)
    return lesson


UNIVERSE = {"malloc", "printf", "pthread_create", "cmocka_run_group_tests", "course_run",
            "test_split_run_empty_range", "expect_long_eq", "is_prime"}


class TmpCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="test-inspection.")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.out = os.path.join(self.tmp, "out")

    def policy(self, name, text):
        path = os.path.join(self.tmp, name + ".allow")
        with open(path, "w") as f:
            f.write(text)
        return path

    def inspect_box(self, lesson, **parts):
        write_box(self.out, lesson.variants, **parts)
        return inspect(lesson, self.out, UNIVERSE)


# ------------------------------------------------------------------ the policy language

class PolicyLanguageTest(TmpCase):
    # A name a line; "#" starts a comment anywhere; blank lines and spaces around are nothing.
    def test_read_policy_takes_names_and_skips_comments_and_blank_lines(self):
        path = self.policy("a", "# a header\n\n  malloc  \nfree # trailing comment\n"
                                "\t\n#calloc\npthread_create\n")
        self.assertEqual(read_policy(path), ({"malloc", "free", "pthread_create"}, []))

    # A trailing * makes a prefix; a * anywhere else is part of a name.
    def test_read_policy_takes_a_trailing_star_as_a_prefix(self):
        path = self.policy("a", "__atomic_fetch_*\nfiber_note_*\nodd*name\n")
        self.assertEqual(read_policy(path), ({"odd*name"}, ["__atomic_fetch_", "fiber_note_"]))

    # A prefix matches the names that start with it; a name matches only itself.
    def test_lesson_allows_exact_names_and_prefixes_only(self):
        lesson = fake_lesson(allowed=("pthread_create",), prefixes=("__atomic_fetch_",))
        self.assertTrue(lesson.allows("pthread_create"))
        self.assertTrue(lesson.allows("__atomic_fetch_add_4"))
        for name in ("pthread_create_x", "pthread_creat", "__atomic_fetch", "__atomic_load_4"):
            self.assertFalse(lesson.allows(name), name)

    # "option asm" is the only option: it lets the exercise contain assembly.
    def test_read_policy_option_asm_allows_assembly(self):
        self.assertEqual(read_policy(self.policy("a", "option asm # the switch\n")),
                         ({"option:asm"}, []))

    # Any other option, or more words after asm, stops the reading: the lesson is not graded.
    def test_read_policy_refuses_an_unknown_option(self):
        for line in ("option nosyscall", "option asm syscall"):
            with self.assertRaisesRegex(ValueError, "unknown policy option .*: %s$" % line):
                read_policy(self.policy("a", "malloc\n%s\n" % line))

    # include NAME reads NAME.allow beside the file: its names and prefixes are added.
    def test_read_policy_include_adds_the_included_names(self):
        self.policy("b", "free\nuv_*\n")
        path = self.policy("a", "include b\nmalloc\n")
        self.assertEqual(read_policy(path), ({"malloc", "free"}, ["uv_"]))

    # A policy outside tests/grader/policy (an extra root's grader-policy/) may include ours.
    def test_read_policy_include_falls_back_to_the_graders_policy_folder(self):
        names, _ = read_policy(self.policy("a", "include base\n"))
        base, _ = read_policy(os.path.join(POLICY_DIR, "base.allow"))
        self.assertEqual(names, base)
        self.policy("base", "only_this\n")     # a file beside it comes first
        self.assertEqual(read_policy(self.policy("a", "include base\n")), ({"only_this"}, []))

    # Two files that include the same third one (a diamond) are no loop.
    def test_read_policy_include_twice_is_no_loop(self):
        self.policy("d", "malloc\n")
        self.policy("b", "include d\nfree\n")
        self.policy("c", "include d\ncalloc\n")
        names, _ = read_policy(self.policy("a", "include b\ninclude c\n"))
        self.assertEqual(names, {"malloc", "free", "calloc"})

    # A loop (a file including itself, or a -> b -> a) is refused, never followed forever.
    def test_read_policy_refuses_an_include_loop(self):
        self.policy("b", "include a\n")
        for top in (self.policy("self", "include self\n"), self.policy("a", "include b\n")):
            with self.assertRaisesRegex(ValueError, "policy include loop"):
                read_policy(top)

    # A missing include is an error (OSError: the grader then grades nothing for that lesson),
    # never an empty list that would refuse every call silently.
    def test_read_policy_fails_on_a_missing_include(self):
        with self.assertRaises(OSError):
            read_policy(self.policy("a", "malloc\ninclude no-such-policy\n"))


# ------------------------------------------------------------------ the real policy files

class RealPolicyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lessons = real_lessons()
        cls.tmp = tempfile.mkdtemp(prefix="test-inspection.")
        cls.own = {n: own_policy(l_.policy_file, cls.tmp) if os.path.isfile(l_.policy_file)
                   else (set(), []) for n, l_ in cls.lessons.items()}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    # Every lesson has a policy, and it reads (a lesson without one is not graded at all).
    def test_every_lesson_has_a_policy_that_includes_base(self):
        base, base_prefix = read_policy(os.path.join(POLICY_DIR, "base.allow"))
        self.assertGreater(len(self.lessons), 0)
        for name, lesson in self.lessons.items():
            with self.subTest(lesson=name):
                self.assertTrue(os.path.isfile(lesson.policy_file), lesson.policy_file)
                self.assertLessEqual(base, lesson.allowed)
                self.assertLessEqual(set(base_prefix), set(lesson.allowed_prefix))

    # Every policy file but base names a lesson: a misspelt one would leave its lesson ungraded.
    def test_every_policy_file_is_a_lesson_or_base(self):
        for f in sorted(os.listdir(POLICY_DIR)):
            if f.endswith(".allow") and f != "base.allow":
                self.assertIn(f[:-len(".allow")], self.lessons, f)

    # base.allow's header says what no lesson gets ("no read, write, open, ..."): every word of
    # it is a family these tests try, so the header and the tests cannot drift apart.
    def test_base_header_names_only_tested_families(self):
        with open(os.path.join(POLICY_DIR, "base.allow")) as f:
            header = " ".join(line.lstrip("# ").strip() for line in f if line.startswith("#"))
        m = re.search(r"calls anything not listed for its lesson: no (.*?)\.", header)
        self.assertIsNotNone(m, "base.allow's header no longer lists what no lesson gets")
        words = [w for w in re.split(r"[\s,/]+", m.group(1)) if w]
        self.assertGreater(len(words), 5)
        for w in words:
            self.assertIn(w, DENIED)

    # A denied call is allowed only where the lesson's own file names it, never through base,
    # another include or a prefix.
    def test_no_lesson_gets_a_denied_call_its_own_file_does_not_name(self):
        for name, lesson in self.lessons.items():
            own = self.own[name][0]
            for family, calls in DENIED.items():
                for call in calls:
                    if lesson.allows(call):
                        with self.subTest(lesson=name, call=call):
                            self.assertIn(call, own, "%s comes from base or a prefix" % call)

    # No prefix is empty (a lone "*" line would allow every call), and none allows a denied
    # call by accident.
    def test_no_prefix_is_empty_or_covers_a_denied_call(self):
        denied = [c for calls in DENIED.values() for c in calls]
        for name, lesson in self.lessons.items():
            for p in lesson.allowed_prefix:
                with self.subTest(lesson=name, prefix=p):
                    self.assertGreaterEqual(len(p), 3)
                    self.assertEqual([c for c in denied if c.startswith(p)], [])

    # Assembly only where the lesson's own file says "option asm".
    def test_only_a_lessons_own_option_asm_allows_assembly(self):
        for name, lesson in self.lessons.items():
            with self.subTest(lesson=name):
                self.assertEqual("option:asm" in lesson.allowed, "option:asm" in self.own[name][0])

    def allowed_of(self, names):
        """{lesson: the ones of names its policy allows}."""
        return {n: [c for c in names if l_.allows(c)] for n, l_ in self.lessons.items()}

    # The nonce stays in its pipe until the test has returned: no policy lets an exercise read
    # a file descriptor.
    def test_no_policy_lets_an_exercise_read_the_nonce(self):
        self.assertEqual(split_known(self.allowed_of(NONCE_READERS), "nonce")[0], {})

    # Code made at run time is never inspected: no policy lets an exercise map or protect
    # memory (either can make it executable).
    def test_no_policy_lets_an_exercise_make_memory_executable(self):
        self.assertEqual(split_known(self.allowed_of(EXEC_MEMORY), "exec-memory")[0], {})

    # Where mmap and mprotect are allowed, every program the grader links refuses executable
    # memory: each lesson's link wraps both, and the harness defines the wrappers that refuse
    # PROT_EXEC.
    def test_harness_refuses_executable_memory(self):
        tmp = tempfile.mkdtemp(prefix="test-inspection-flags.")
        self.addCleanup(shutil.rmtree, tmp, True)
        for name, lesson in sorted(self.lessons.items()):
            lesson.trusted = os.path.join(tmp, name)   # lesson_flags writes a probe there
            lesson.conf = read_conf(os.path.join(lesson.tests_dir, "lesson.conf"))
            lesson_flags(lesson)
            with self.subTest(lesson=name):
                self.assertIn("-Wl,--wrap=mmap", lesson.ldflags)
                self.assertIn("-Wl,--wrap=mprotect", lesson.ldflags)
        with open(os.path.join(HERE, "harness.c")) as f:
            harness = f.read()
        for fn, fail in (("__wrap_mmap", "return MAP_FAILED;"), ("__wrap_mprotect", "return -1;")):
            body = re.search(r"\n\w[^\n]*\b%s\([^)]*\)\n\{(.*?)\n\}" % fn, harness, re.S)
            with self.subTest(wrapper=fn):
                self.assertIsNotNone(body)
                self.assertRegex(body.group(1), r"if \(prot & PROT_EXEC\) \{\s*errno = EACCES;"
                                 r"\s*" + re.escape(fail))

    # Through inspect itself: an object that calls a denied name is refused, by name, for every
    # lesson whose own file does not list that name.
    def test_inspect_refuses_every_denied_call_for_every_lesson(self):
        out = os.path.join(self.tmp, "out")
        for name in sorted(self.lessons):
            lesson = fake_lesson(self.lessons[name].allowed, self.lessons[name].allowed_prefix)
            lesson.name = name
            for call in (c for calls in DENIED.values() for c in calls):
                if call in self.own[name][0]:
                    continue
                write_box(out, ["plain"], calls=["malloc", call])
                with self.subTest(lesson=name, call=call):
                    self.assertEqual(inspect(lesson, out, UNIVERSE)[0],
                                     "calls %s, which lesson %s's exercise may not use" %
                                     (call, name))


# ------------------------------------------------------------------ parsing the box's listings

class ParseTest(unittest.TestCase):
    # readelf -W -s: (name, type, bind, ndx) per symbol; headers and the nameless null symbol
    # are no symbols.
    def test_parse_symbols_reads_readelf_rows(self):
        rows = [("exercise.c", "FILE", "LOCAL", "ABS"), ("split_run", "FUNC", "GLOBAL", "1"),
                ("malloc", "NOTYPE", "GLOBAL", "UND"), ("x", "OBJECT", "WEAK", "COM")]
        self.assertEqual(parse_symbols(readelf_symbols(rows)),
                         [(n, t, b, x) for n, t, b, x in rows])

    # Nothing (a missing file), garbage or a truncated row gives no symbol: inspect then
    # refuses the object as incomplete.
    def test_parse_symbols_ignores_what_is_not_a_row(self):
        self.assertEqual(parse_symbols(None), [])
        self.assertEqual(parse_symbols("garbage\n12 not a row\n     3: 0 0 FUNC GLOBAL\n"), [])

    # readelf -W -S: every section name but the null section's, in order.
    def test_parse_sections_reads_names(self):
        text = readelf_sections([(".text", "AX"), (".text.x", "AX"), (".data", "WA")])
        self.assertEqual(parse_sections(text), [".text", ".text.x", ".data"])
        self.assertEqual(parse_sections(None), [])


# ------------------------------------------------------------------ inspect, one rule at a time

class InspectTest(TmpCase):
    # A clean object whose calls the lesson lists passes, with no note.
    def test_inspect_accepts_listed_calls(self):
        self.assertEqual(self.inspect_box(fake_lesson(), calls=["malloc", "pthread_create"]),
                         ("", []))

    # An unlisted call is refused, named, also when it is only a weak reference (weakref).
    def test_inspect_refuses_an_unlisted_call_by_name(self):
        lesson = fake_lesson()
        for call in ("system", "execve", "fork", "socket", "dlopen", "syscall", "read"):
            with self.subTest(call=call):
                self.assertIn("calls %s," % call, self.inspect_box(lesson, calls=[call])[0])
        weak = CLEAN_SYMBOLS + [("system", "NOTYPE", "WEAK", "UND")]
        self.assertIn("calls system,", self.inspect_box(lesson, symbols=weak)[0])

    # In a sanitizer build the compiler's instrumentation calls are allowed, the sanitizers'
    # user interfaces (which could silence a report) are not.
    def test_inspect_allows_instrumentation_but_not_sanitizer_interfaces(self):
        lesson = fake_lesson(variants=("plain", "asan", "tsan"))
        inst = {"asan": {"symbols": readelf_symbols(CLEAN_SYMBOLS + [
                    (c, "NOTYPE", "GLOBAL", "UND") for c in
                    ("__asan_report_load8", "__asan_init", "__ubsan_handle_add_overflow")])},
                "tsan": {"symbols": readelf_symbols(CLEAN_SYMBOLS + [
                    (c, "NOTYPE", "GLOBAL", "UND") for c in
                    ("__tsan_read8", "__tsan_func_entry", "__tsan_atomic32_load")])}}
        self.assertEqual(self.inspect_box(lesson, per_variant=inst)[0], "")
        for v, call in (("asan", "__asan_set_error_report_callback"), ("asan", "__lsan_disable"),
                        ("tsan", "__tsan_acquire"), ("asan", "__sanitizer_set_report_path")):
            bad = {v: {"symbols": readelf_symbols(CLEAN_SYMBOLS +
                                                  [(call, "NOTYPE", "GLOBAL", "UND")])}}
            with self.subTest(call=call):
                self.assertEqual(self.inspect_box(lesson, per_variant=bad)[0],
                                 "calls %s (in the %s build)" % (call, v))

    # Assembly (gcc's #APP marker) is refused unless the policy says "option asm".
    def test_inspect_refuses_assembly_without_option_asm(self):
        asm = "\t.text\n#APP\n\tnop\n#NO_APP\n"
        self.assertIn("contains assembly", self.inspect_box(fake_lesson(), asm=asm)[0])
        allowed = fake_lesson(allowed=("malloc", "option:asm"))
        self.assertEqual(self.inspect_box(allowed, asm=asm)[0], "")

    # A system call instruction is refused, option asm or not.
    def test_inspect_refuses_a_system_call_instruction(self):
        lesson = fake_lesson(allowed=("option:asm",))
        for insn in ("syscall", "sysenter", "int    $0x80", "vmcall", "sysret"):
            dis = "0000000000000000 <split_run>:\n   0:\t%s \n   2:\tret\n" % insn
            with self.subTest(insn=insn):
                self.assertEqual(self.inspect_box(lesson, dis=dis)[0],
                                 "contains a system call instruction")

    # Code that would run at load or exit time, before or after the harness, is refused by its
    # section; so is any section the compiler does not make for plain C.
    def test_inspect_refuses_load_and_exit_time_sections(self):
        for s in (".init_array", ".init_array.00101", ".fini_array", ".preinit_array", ".ctors",
                  ".dtors"):
            with self.subTest(section=s):
                self.assertEqual(self.inspect_box(fake_lesson(),
                                                  sections=CLEAN_SECTIONS + [(s, "WA")])[0],
                                 "defines section %s: code that runs at load or exit time" % s)
        for s in (".tm_clone_table", "evil", ".gnu.linkonce.t.x", ".jcr"):
            with self.subTest(section=s):
                self.assertEqual(self.inspect_box(fake_lesson(),
                                                  sections=CLEAN_SECTIONS + [(s, "WA")])[0],
                                 "defines section %s: an unexpected section" % s)

    # A sanitizer build may have .init_array, naming the sanitizer's module constructor only.
    def test_inspect_lets_only_the_sanitizer_constructor_run_at_load_time(self):
        lesson = fake_lesson(variants=("plain", "asan"))
        san = CLEAN_SECTIONS + [(".init_array", "WA"), (".rela.init_array", "I")]
        ok = {"asan": {"sections": readelf_sections(san),
                       "relocs": readelf_relocs(".rela.init_array", ["asan.module_ctor"])}}
        self.assertEqual(self.inspect_box(lesson, per_variant=ok)[0], "")
        bad = {"asan": {"sections": readelf_sections(san),
                        "relocs": readelf_relocs(".rela.init_array",
                                                 ["asan.module_ctor", "early_start"])}}
        self.assertEqual(self.inspect_box(lesson, per_variant=bad)[0],
                         "runs early_start at load or exit time")
        # In the plain build the same section is refused outright.
        self.assertIn("load or exit time", self.inspect_box(lesson, sections=san)[0])

    # An ifunc (its resolver runs at load time) and a unique symbol are refused.
    def test_inspect_refuses_ifunc_and_unique_symbols(self):
        for row, why in ((("pick", "GNU_IFUNC", "GLOBAL", "1"), "defines an ifunc (pick)"),
                         (("pick", "IFUNC", "LOCAL", "1"), "defines an ifunc (pick)"),
                         (("once", "OBJECT", "UNIQUE", "3"), "defines a unique symbol once"),
                         (("once", "OBJECT", "GNU_UNIQUE", "3"), "defines a unique symbol once")):
            with self.subTest(row=row):
                reason = self.inspect_box(fake_lesson(), symbols=CLEAN_SYMBOLS + [row])[0]
                self.assertTrue(reason.startswith(why), reason)

    # Defining a name the test program already has is an override, refused by name: main, any
    # name starting with "_" (__wrap_*, _start, __libc_*), and every name of the universe (the
    # tests, the harness, the course's code, cmocka, libc).
    def test_inspect_refuses_overrides(self):
        names = ["main", "__wrap_pthread_create", "__wrap_malloc", "_start", "__libc_start_main",
                 "_init"] + sorted(UNIVERSE)
        for name in names:
            for typ, bind in (("FUNC", "GLOBAL"), ("OBJECT", "GLOBAL"), ("FUNC", "WEAK")):
                rows = CLEAN_SYMBOLS + [(name, typ, bind, "1")]
                with self.subTest(name=name, bind=bind):
                    reason = self.inspect_box(fake_lesson(), symbols=rows)[0]
                    self.assertTrue(reason.startswith("defines %s, a name the tests" % name),
                                    reason)

    # A function exercise.h declares may not be weak (the tests' own could win).
    def test_inspect_refuses_a_weak_definition_of_a_declared_name(self):
        rows = CLEAN_SYMBOLS[:-1] + [("split_run", "FUNC", "WEAK", "1")]
        self.assertEqual(self.inspect_box(fake_lesson(), symbols=rows)[0],
                         "defines split_run as a weak symbol")

    # A helper someone forgot to make static passes, with a note (the grader makes it local).
    def test_inspect_notes_a_global_helper(self):
        rows = CLEAN_SYMBOLS + [("helper", "FUNC", "GLOBAL", "1")]
        self.assertEqual(self.inspect_box(fake_lesson(), symbols=rows),
                         ("", ["helper is not static: the grader made it local (write `static`)"]))

    # Reaching into the caller's frames, or switching a sanitizer or an optimisation off for
    # one function, is refused from the preprocessed source.
    def test_inspect_refuses_forbidden_builtins_and_attributes(self):
        for text, word in (("void *p = __builtin_frame_address(0);", "__builtin_frame_address"),
                           ("void *p = __builtin_return_address(0);", "__builtin_return_address"),
                           ("__builtin_longjmp(b, 1);", "__builtin_longjmp"),
                           ("__attribute__((no_sanitize(\"thread\"))) int f(void);", "no_sanitize"),
                           ("__attribute__((no_sanitize_address)) int f(void);",
                            "no_sanitize_address"),
                           ("__attribute__((optimize(\"O0\"))) int f(void);", "__attribute__"),
                           ("#pragma GCC optimize (\"O0\")", "#pragma GCC optimize"),
                           ("#pragma weak split_run", "#pragma weak"),
                           ("#pragma redefine_extname read my_read", "#pragma redefine_extname"),
                           ("__attribute__((no_instrument_function)) int f(void);",
                            "no_instrument_function")):
            with self.subTest(text=text):
                reason = self.inspect_box(fake_lesson(), source=CLEAN_SOURCE + text + "\n")[0]
                self.assertTrue(reason.startswith("uses " + word), reason)

    # Source that preprocesses differently in a sanitizer build (#ifdef __SANITIZE_THREAD__)
    # is refused: the builds must compile the same code.
    def test_inspect_refuses_source_that_differs_under_a_sanitizer(self):
        lesson = fake_lesson(variants=("plain", "asan", "tsan"))
        for v in ("asan", "tsan"):
            with self.subTest(variant=v):
                per = {v: {"i": CLEAN_SOURCE + "int quiet;\n"}}
                self.assertEqual(self.inspect_box(lesson, per_variant=per)[0],
                                 "the source preprocesses differently under the %s build (code "
                                 "that checks for a sanitizer)" % v)

    # Fail closed: a listing the box did not leave, or a symbol or section table left empty,
    # means a refusal, not a verdict.
    def test_inspect_refuses_missing_or_empty_listings(self):
        lesson = fake_lesson()
        incomplete = "the plain build left no complete object to inspect"
        for ext, why in (("i", "the preprocessed source is missing"), ("s", incomplete),
                         ("symbols", incomplete), ("sections", incomplete), ("dis", incomplete),
                         ("relocs", incomplete)):
            with self.subTest(listing=ext):
                write_box(self.out, ["plain"])
                os.unlink(os.path.join(self.out, "plain." + ext))
                self.assertEqual(inspect(lesson, self.out, UNIVERSE)[0], why)
        for ext in ("symbols", "sections"):
            with self.subTest(listing=ext, empty=True):
                write_box(self.out, ["plain"], per_variant={"plain": {ext: ""}})
                self.assertEqual(inspect(lesson, self.out, UNIVERSE)[0], incomplete)

    # A listing the box planted as a link (to one of the grader's files, a device, a FIFO) is
    # never followed: the same refusal as a missing one.
    def test_inspect_never_follows_a_link_in_the_box_output(self):
        lesson = fake_lesson()
        elsewhere = os.path.join(self.tmp, "elsewhere")
        with open(elsewhere, "w") as f:
            f.write(readelf_symbols(CLEAN_SYMBOLS))
        write_box(self.out, ["plain"])
        path = os.path.join(self.out, "plain.symbols")
        os.unlink(path)
        os.symlink(elsewhere, path)
        self.assertEqual(inspect(lesson, self.out, UNIVERSE)[0],
                         "the plain build left no complete object to inspect")


# ------------------------------------------------------------------ real objects

# Small hostile files, compiled for lesson 01 (plain build): what each makes, and what
# inspect must answer ("" for accepted). Each is a unit-level case of a rule the corpus
# (corpus/cases.txt) tests end to end.
SNIPPETS = {
    "calls-system": ("#include <stdlib.h>\nint split_run(void) { return system(\"id\"); }\n",
                     "calls system, which lesson 01-threads's exercise may not use"),
    "asm": ("int split_run(void) { __asm__ volatile(\"nop\"); return 0; }\n",
            "contains assembly (asm): not allowed in an exercise"),
    "constructor": ("static int ready;\n"
                    "__attribute__((constructor)) static void early(void) { ready = 1; }\n"
                    "int split_run(void) { return ready; }\n",
                    "defines section .init_array: code that runs at load or exit time"),
    "main": ("int main(void) { return 0; }\n",
             "defines main, a name the tests, the course, cmocka, libc or the runtime already "
             "use (an override): make it static and rename it"),
    "wrap": ("int __wrap_pthread_create(void) { return 0; }\n",
             "defines __wrap_pthread_create, a name the tests, the course, cmocka, libc or the "
             "runtime already use (an override): make it static and rename it"),
    "helper": ("int helper(int x) { return x + 1; }\nint split_run(void) { return helper(1); }\n",
               ""),
}

# The holes: each compiles to an object inspect accepts today, and each was seen to run a
# system call in the grader's test process (a full forged pass for the first). The object
# checks (HOLE_SIGNS) pass; the refusals are expected failures.
HOLES = {
    # const data in a section named .text.x: the assembler makes any .text* section executable,
    # and objdump -d shows an OBJECT symbol's bytes as data, so no syscall instruction is seen.
    "code-as-data-in-text": (
        "__attribute__((section(\".text.x\"))) static const unsigned char code[] =\n"
        "    {0x0f, 0x05, 0xc3};\n"
        "int split_run(void) { ((void (*)(void))(const void *)code)(); return 0; }\n"),
    # a function in a section named .data.x: ld merges it into .data, now writable and
    # executable; the exercise copies machine code over it, then calls it.
    "code-in-data": (
        "__attribute__((section(\".data.x\"), noinline)) static int pad(int x) { return x; }\n"
        "int split_run(void) { return pad(1); }\n"),
    # a nested function whose address is taken: gcc marks .note.GNU-stack executable for its
    # trampoline, so every stack is writable and executable.
    "executable-stack": (
        "__attribute__((noinline)) static void use(void (*f)(void)) { f(); }\n"
        "int split_run(int k) { void inner(void) { k++; } use(inner); return k; }\n"),
    # data in a section named .rela.*: ld copies it into the program's dynamic relocations,
    # which ld.so applies at load time, before the harness (a write anywhere, an IRELATIVE
    # call); the grader's test program then failed with ld.so's "unexpected reloc type".
    "relocations-as-data": (
        "__attribute__((section(\".rela.text.x\"))) const unsigned long fake[3] = {0, 0, 0};\n"
        "const void *split_run(void) { return fake; }\n"),
}

# What makes each hole: a section (name, flags) of its real object. Flags: readelf -W -S.
HOLE_SIGNS = {
    "code-as-data-in-text": (".text.x", "AX"),
    "code-in-data": (".data.x", "AX"),
    "executable-stack": (".note.GNU-stack", "X"),
    "relocations-as-data": (".rela.text.x", "A"),
}


def section_flags(out, variant="plain"):
    """{section name: its flags} from the readelf -W -S listing a box left."""
    flags = {}
    with open(os.path.join(out, variant + ".sections")) as f:
        for line in f:
            m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+[0-9a-f]+\s+"
                         r"[0-9a-f]+\s+([A-Za-z]*)\s+\d", line)
            if m and m.group(1) != "0":
                flags[m.group(2)] = m.group(3)
    return flags


def box_compile(lesson, jd, source, variants):
    """Compile source as the grader's build box does: stage_job's folders and flags, then
    box-build.sh compile itself, with a box's empty environment. Returns the out folder."""
    out = stage_job(jd, lesson, source)[3]
    p = subprocess.run(["/bin/sh", BOX_BUILD, "compile"] + list(variants),
                       env={"BOX_ROOT": jd, "PATH": "/usr/bin:/bin"}, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        errs = "".join(read_box_file(os.path.join(out, v + ".err")) or "" for v in variants)
        raise RuntimeError("box-build.sh compile failed in %s: %s%s" % (jd, p.stdout, errs))
    return out


class CompiledTest(unittest.TestCase):
    """Real objects, compiled in setUpClass on every core (the compile is most of the time;
    an error there fails every test of the class)."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="test-inspection.")
        os.chmod(cls.tmp, 0o755)
        cls.lessons = real_lessons()
        for lesson in cls.lessons.values():
            lesson.trusted = os.path.join(cls.tmp, "trusted", lesson.name)
            lesson.conf = read_conf(os.path.join(lesson.tests_dir, "lesson.conf"))
            lesson_flags(lesson)
        # The universe as the grader makes it (libraries and the course's compiled objects),
        # with lesson 00's tests, the harness and the course's shared code built for real.
        first = sorted(cls.lessons)[0]
        refs = sorted(n for n in cls.lessons
                      if os.path.isfile(os.path.join(TOP, "solutions", n, "exercise.c")))
        work = [("build", first, None)] + [("ref", n, None) for n in refs]
        work += [("snippet", "01-threads", k) for k in sorted(SNIPPETS)]
        work += [("hole", "01-threads", k) for k in sorted(HOLES)]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as ex:
            done = list(ex.map(cls.prepare, work))
        cls.universe = link_universe([cls.lessons[first]])
        cls.libraries = link_universe([])
        cls.own = {n: own_policy(cls.lessons[n].policy_file, cls.tmp)[0] for n in refs}
        cls.refs = {n: out for kind, n, _, out in done if kind == "ref"}
        cls.snippets = {k: out for kind, _, k, out in done if kind == "snippet"}
        cls.holes = {k: out for kind, _, k, out in done if kind == "hole"}

    @classmethod
    def prepare(cls, item):
        kind, name, key, lesson = item[0], item[1], item[2], cls.lessons[item[1]]
        if kind == "build":
            build_lesson(lesson)
            return kind, name, key, None
        jd = os.path.join(cls.tmp, kind, key or name)
        if kind == "ref":
            with open(os.path.join(TOP, "solutions", name, "exercise.c"), "rb") as f:
                return kind, name, key, box_compile(lesson, jd, f.read(), lesson.variants)
        text = (SNIPPETS[key][0] if kind == "snippet" else HOLES[key]).encode()
        return kind, name, key, box_compile(lesson, jd, text, ["plain"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    def reference_calls(self, name):
        """The calls the plain build of lesson name's reference answer makes (readelf)."""
        with open(os.path.join(self.refs[name], "plain.symbols")) as f:
            return {s[0] for s in parse_symbols(f.read()) if s[3] == "UND" and s[0]}

    def plain(self, name):
        """The lesson, inspected as its plain build only (what the hostile files were built
        for)."""
        lesson = self.lessons[name]
        copy = Lesson(lesson.name, lesson.tests_dir, lesson.lesson_dir, lesson.policy_file)
        copy.allowed, copy.allowed_prefix = lesson.allowed, lesson.allowed_prefix
        copy.declared, copy.variants = lesson.declared, ["plain"]
        return copy

    # The universe holds what an override would replace: the harness's and the tests' names,
    # the course's shared code, cmocka and libc.
    def test_universe_holds_harness_tests_course_and_libraries(self):
        for name in ("main", "course_run", "hang_hint", "expect_long_eq_at", "pt_check",
                     "is_prime", "_cmocka_run_group_tests", "malloc", "pthread_create", "write",
                     "__asan_init", "__tsan_init"):
            with self.subTest(name=name):
                self.assertTrue(name in self.universe, name)

    # Every name the course's own compiled side defines (the harness, the shared code, the
    # tests' main), and nothing the libraries define, is refused as a definition: an override.
    def test_inspect_refuses_a_definition_of_every_name_the_course_defines(self):
        course = sorted(self.universe - self.libraries)
        for name in ("main", "course_run", "hang_hint", "pt_check", "is_prime"):
            self.assertIn(name, course)
        out = os.path.join(self.tmp, "override")
        for name in course:
            write_box(out, ["plain"], symbols=CLEAN_SYMBOLS + [(name, "FUNC", "GLOBAL", "1")])
            with self.subTest(name=name):
                reason = inspect(self.plain("01-threads"), out, self.universe)[0]
                self.assertTrue(reason.startswith("defines %s, a name the tests" % name), reason)

    # Every lesson's reference answer passes inspection in every build the grader makes of it:
    # its policy lists every call it makes, it defines nothing the tests or the libraries
    # define (grade-references.sh then grades it for real). A failure lists every call of the
    # plain build the policy misses, not only the first.
    def test_every_reference_answer_passes_inspection(self):
        self.assertGreater(len(self.refs), 0)
        for name, out in sorted(self.refs.items()):
            lesson = self.lessons[name]
            with self.subTest(lesson=name):
                self.assertEqual(inspect(lesson, out, self.universe)[0], "",
                                 "calls its policy misses: %s" % sorted(
                                     c for c in self.reference_calls(name) if not lesson.allows(c)))

    def unused_denied(self):
        """{lesson: the denied calls its own file allows and its reference never makes}."""
        denied = {c for calls in DENIED.values() for c in calls}
        return {n: (self.own[n] & denied) - self.reference_calls(n) for n in self.refs}

    # A denied call a lesson allows is one its reference answer makes: an allowance no answer
    # of the course needs only widens what a hostile one can do.
    def test_every_denied_call_a_lesson_allows_is_one_its_reference_makes(self):
        self.assertEqual(split_known(self.unused_denied(), "unused-denied")[0], {})

    # "option asm" only where the reference answer has assembly (lesson 11's register switch).
    def test_option_asm_only_where_the_reference_has_assembly(self):
        for name in sorted(n for n in self.refs if "option:asm" in self.own[n]):
            with open(os.path.join(self.refs[name], "plain.s")) as f:
                with self.subTest(lesson=name):
                    self.assertRegex(f.read(), r"(?m)^#APP")

    # The hostile files get the answer each must get, from real compiler and readelf output.
    def test_inspect_answers_each_hostile_file(self):
        for key, (_, want) in sorted(SNIPPETS.items()):
            with self.subTest(snippet=key):
                reason, notes = inspect(self.plain("01-threads"), self.snippets[key],
                                        self.universe)
                self.assertEqual(reason, want)
                if key == "helper":
                    self.assertEqual(notes, ["helper is not static: the grader made it local "
                                             "(write `static`)"])

    # Each hole compiles to what it says it is (the section and flags that make it).
    def test_each_hole_makes_its_section(self):
        for key, (section, flags) in sorted(HOLE_SIGNS.items()):
            with self.subTest(hole=key):
                self.assertEqual(section_flags(self.holes[key]).get(section), flags)

    def refuses_hole(self, key):
        self.assertNotEqual(inspect(self.plain("01-threads"), self.holes[key], self.universe)[0],
                            "")

    # Each hole is refused: the section attribute in the source, and the flags of every
    # section of the object (no W with X, X only on .text*, .text* only X, .note.GNU-stack
    # never X, a .rel* section only of a relocation type).
    def test_inspect_refuses_code_as_data_in_text(self):
        self.refuses_hole("code-as-data-in-text")

    def test_inspect_refuses_code_in_data(self):
        self.refuses_hole("code-in-data")

    def test_inspect_refuses_an_executable_stack(self):
        self.refuses_hole("executable-stack")

    def test_inspect_refuses_relocations_as_data(self):
        self.refuses_hole("relocations-as-data")


if __name__ == "__main__":
    unittest.main()
