# Makefile: Async vs Threads, measured.
#
#   make                 the main job: install what is missing, build everything, run the
#                        experiments (quick), print the claims table, draw the plots, build
#                        the book, and say where each output is
#   make test            what CI runs: solutions pass, mutants fail, two compilers, valgrind,
#                        ThreadSanitizer, benchmarks' data, plots and the book
#   make check L=01 [IMPL=file.c] [T=test] [FAST=1]   test one lesson's exercise (or any file)
#   make hint L=01 | make progress | make watch L=01 | make reset L=01 | make read L=01
#   make solution L=01 [FORCE=1]   once lesson 01 passes: the reference answer, discussed
#   make bench L=06 [IMPL=file.c] [ROUNDS=3]   your answer measured beside the reference
#   make plots [FULL=1] | make claims | make book | make test-stubs | make clean
#   make grade SUBMISSIONS=dir [L=02 | LESSONS="01 02"]   grade a class in a sandbox
#   make gradescope [L=02 | LESSONS="01 02"]              build a Gradescope autograder zip

SHELL := /bin/bash
.DEFAULT_GOAL := all
ifeq ($(origin CC),default)
CC := gcc
endif
export CC

# Every lesson folder. (LESSONS, without _DIRS, is the instructor's filter for grading.)
LESSON_DIRS := $(patsubst lessons/%/,%,$(sort $(wildcard lessons/[0-9][0-9]-*/)))
DEB_PACKAGES := make gcc clang pkg-config libuv1-dev libcmocka-dev gnuplot-nox pandoc \
                valgrind inotify-tools python3 bubblewrap binutils util-linux \
                libboost-context-dev wrk nginx-light weasyprint epubcheck default-jre-headless \
                gdb strace
PKGS := libuv cmocka

# ---------------------------------------------------------------- set-up
.PHONY: deps
# In a copy without .git, the first make keeps the shipped stubs in .pristine/ (never
# overwritten), for make test's stub checks: tests/pristine-stub.sh.
deps: build/.deps-ok
	@[ ! -x tests/pristine-stub.sh ] || tests/pristine-stub.sh --save
# apt-get when root; otherwise the exact command to type, and stop.
build/.deps-ok: Makefile
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' \
	    || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing \
	      || { echo "apt-get could not install:$$missing"; exit 1; }; \
	  else \
	    echo "These Debian packages are missing:$$missing"; \
	    echo "Install them, then run make again:"; \
	    echo "  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
	@mkdir -p build && touch $@

# ---------------------------------------------------------------- build
.PHONY: all build demos benches compile-all
all: deps build plots claims book
	@tests/where.sh

# Then build/compile_commands.json, every C file's flags for editors (clangd finds it there).
build: deps demos benches compile-all
	@lessons/common/compile-commands.sh build/compile_commands.json

demos: deps
	@set -e; for l in $(LESSON_DIRS); do [ ! -f lessons/$$l/Makefile ] || $(MAKE) -s --no-print-directory -C lessons/$$l; done

# Every C file of the course compiled with $(CC), -Werror: lessons, stubs, solutions,
# tests, mutants, benchmarks. make test runs it with gcc and with clang.
compile-all: deps
	@tests/compile-all.sh

BENCH_SRC := $(wildcard plots/[0-9][0-9]-*/*.c)
BENCH_BIN := $(patsubst plots/%.c,build/bench/%,$(BENCH_SRC))
benches: deps $(BENCH_BIN)
include lessons/common/build.conf
BENCH_CFLAGS := $(STD_CFLAGS) $(OWN_WARNINGS) $(RUN_OPT)
# A benchmark links the lesson's reference solution, the shared code and the harness, and
# what plots/NN-topic/bench.conf names, if the lesson has one: LIBS, libraries that
# pkg-config does not know ("LIBS = -lboost_context"); SRCS, more C files to compile in, from
# the top of the checkout ("SRCS = solutions/12-coroutines-on-the-loop/exercise.c": another
# lesson's reference answer, its header included by a relative path). Every bench.conf's
# SRCS are prerequisites of every benchmark (/dev/null: sed must not wait on its input when
# there is no bench.conf).
build/bench/%: plots/%.c plots/bench/harness.c plots/bench/harness.h $(wildcard lessons/common/*.[ch]) \
               lessons/common/build.conf \
               $(wildcard lessons/*/*.h) $(wildcard plots/*/*.h) $(wildcard solutions/*/exercise.c) \
               $(wildcard plots/*/bench.conf) \
               $(shell sed -n 's/^SRCS[[:space:]]*=[[:space:]]*//p' /dev/null $(wildcard plots/*/bench.conf))
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -DBENCH_CFLAGS='"$(BENCH_CFLAGS)"' \
	  -Ilessons/$(*D) -Ilessons/common -Iplots/bench $$(pkg-config --cflags $(PKGS)) -o $@ \
	  $< plots/bench/harness.c lessons/common/*.c $(wildcard solutions/$(*D)/exercise.c) \
	  $$(sed -n 's/^SRCS[[:space:]]*=[[:space:]]*//p' plots/$(*D)/bench.conf 2>/dev/null) \
	  $$(pkg-config --libs libuv) \
	  $$(sed -n 's/^LIBS[[:space:]]*=[[:space:]]*//p' plots/$(*D)/bench.conf 2>/dev/null) -lm

# ---------------------------------------------------------------- learner's loop
.PHONY: check hint progress watch reset solution bench
check: deps
	@tests/check.sh "$(L)" "$(IMPL)"
hint:
	@lessons/common/hint.sh "$(L)"
progress: deps
	@lessons/common/progress.sh
watch: deps
	@lessons/common/watch.sh "$(L)" "$(IMPL)"
reset: deps
	@lessons/common/reset.sh "$(L)"
solution: deps
	@lessons/common/solution.sh "$(L)"
bench: deps
	@plots/bench/impl-bench.sh "$(L)" "$(IMPL)"

# ---------------------------------------------------------------- experiments
.PHONY: plots claims
FULL ?=
plots: deps demos benches
	@plots/run.sh $(if $(FULL),--full,--quick)
claims: deps
	@[ -d build/data/claims ] || plots/run.sh --quick
	@plots/claims.sh

# ---------------------------------------------------------------- book
.PHONY: book read
book: deps
	@book/build.sh
# One chapter in the terminal, with the learner's own figures filled in.
read: deps
	@book/chapter.sh "$(L)"

# ---------------------------------------------------------------- tests of the course
.PHONY: test test-stubs
test: deps
	@tests/test-all.sh
test-stubs: deps
	@tests/test-stubs.sh

# ---------------------------------------------------------------- grading a class
# Untrusted code: built and run in bubblewrap, as an unprivileged user, with limits.
# See tests/grader/README.md for the threat model.
SUBMISSIONS ?=
# Which lessons: LESSONS="01 02" or L=02 (numbers or names, spaces or commas); default: for
# make grade, the lessons the class submitted; for make gradescope, every lesson.
LESSONS ?=
GRADE_LESSONS = $(strip $(subst $(comma), ,$(LESSONS) $(L)))
comma := ,
.PHONY: grade gradescope
grade: deps
	@tests/grader/grade.sh "$(SUBMISSIONS)" $(if $(GRADE_LESSONS),--lessons "$(GRADE_LESSONS)")
gradescope: deps
	@tests/grader/gradescope/make-zip.sh "$(GRADE_LESSONS)"

.PHONY: clean
clean:
	rm -rf build
