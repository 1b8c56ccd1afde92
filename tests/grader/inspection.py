"""tests/grader/inspection.py: the policy check of a student's compiled object, before it is
linked with anything: which calls, definitions, sections and source constructs a lesson allows.
Build: nothing (Python 3 standard library; imported by grade.py, tested by test_inspection.py)
Run:   tests/grader/grade.sh dir      (see tests/grader/README.md);
       python3 -m unittest discover -s tests/grader -p 'test_*.py'

Two sides. Trusted: the policy itself, read_policy() on tests/grader/policy/NN-topic.allow (a
name a line, a trailing * for a prefix, "include NAME", "option asm", "#" comments). Untrusted:
everything inspect() reads, the text files box-build.sh wrote in the box from the student's
source (preprocessed source, assembly, readelf and objdump listings), each read with
read_box_file (no links, capped) and parsed as hostile. inspect() returns the reason the
object is refused, or "" with notes for the feedback.
"""
import os
import re
import stat

from config import HERE

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
# A section chosen by the source: code placed as data or data as code, where objdump does
# not disassemble it or the linker turns it into something that runs (a .rela* section).
SECTION_ATTRIBUTE = re.compile(
    r"\b(__)?section(__)?\s*\(\s*\"|^\s*#\s*pragma\s+(clang\s+)?section\b", re.M)
SYSCALL_INSN = re.compile(r"\s(syscall|sysenter|int\s+\$0x80|vmcall|sysret)\b")


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
    return [name for name, _, _ in parse_section_table(text)]


def parse_section_table(text):
    """(name, type, flags) of each section in a readelf -W -S listing (flags may be '')."""
    table = []
    for line in (text or "").splitlines():
        m = re.match(r"\s*\[\s*(\d+)\]\s+(\S*)\s+(\S+)(?:\s+[0-9a-f]+){4}\s+([A-Za-z]*)\s+\d",
                     line)
        if m and m.group(1) != "0":
            table.append((m.group(2), m.group(3), m.group(4)))
        elif re.match(r"\s*\[\s*[1-9]\d*\]", line):
            table.append((line.split("]", 1)[1].split()[0] if line.split("]", 1)[1].split()
                          else "", "?", "?"))   # a line we cannot read is judged unsafe
    return table


def unsafe_section(name, typ, flags):
    """Why a section of the student's object could run code the inspection never saw, or ''.
    Executable only as .text*, and .text* only executable; never writable and executable; a
    relocation section only of a relocation type; the stack never executable (gcc marks
    .note.GNU-stack "x" for a nested function's trampoline)."""
    if typ == "?":
        return "a section the grader cannot read"
    if "W" in flags and "X" in flags:
        return "writable and executable"
    if re.fullmatch(r"\.text(\..*)?", name) and "X" not in flags:
        return "a code section that is not code"
    if "X" in flags and not re.fullmatch(r"\.text(\..*)?", name):
        return "executable outside .text"
    if re.fullmatch(r"\.rela?\..*", name) and typ not in ("REL", "RELA"):
        return "relocations that are not relocations"
    if name == ".note.GNU-stack" and "X" in flags:
        return "an executable stack (a nested function whose address is taken?)"
    return ""


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
    m = SECTION_ATTRIBUTE.search(pre)
    if m:
        return "places code or data in a section of its choice (%s): not allowed in an " \
            "exercise" % " ".join(m.group(0).split())[:40], notes
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
        table = parse_section_table(read_box_file(os.path.join(out, v + ".sections"), 1 << 20))
        sects = [name for name, _, _ in table]
        dis = read_box_file(os.path.join(out, v + ".dis"), 32 << 20)
        relocs = read_box_file(os.path.join(out, v + ".relocs"), 16 << 20)
        if asm is None or not syms or not sects or dis is None or relocs is None:
            return "the %s build left no complete object to inspect" % v, notes
        if re.search(r"^#APP", asm, re.M) and "option:asm" not in lesson.allowed:
            return "contains assembly (asm): not allowed in an exercise", notes
        if SYSCALL_INSN.search(dis):
            return "contains a system call instruction", notes
        for name, typ, flags in table:
            why = unsafe_section(name, typ, flags)
            if why:
                return "defines section %s: %s" % (name[:60], why), notes
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
