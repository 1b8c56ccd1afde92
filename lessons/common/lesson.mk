# lessons/common/lesson.mk: builds and runs one lesson's demo programs.
# A lesson's Makefile names its demos and their default arguments, then includes this:
#
#   DEMOS := hello stray_write
#   ARGS_hello := 4
#   RACY_DEMOS := racy          # demos that race on purpose: TSan must report them
#   include ../common/lesson.mk
#
# make -C lessons/NN-topic          build the demos into build/lessons/NN-topic/
# make -C lessons/NN-topic run      run each with its default arguments
# make -C lessons/NN-topic valgrind run each under valgrind (errors or leaks fail)
# make -C lessons/NN-topic tsan     run each under ThreadSanitizer: RACY_DEMOS must be
#                                   reported, every other demo must be clean

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
LESSON := $(notdir $(CURDIR))
OUT := $(TOP)/build/lessons/$(LESSON)
ifeq ($(origin CC),default)
CC := gcc
endif
PKGS ?=
include $(TOP)/lessons/common/build.conf
CFLAGS := $(STD_CFLAGS) $(OWN_WARNINGS) $(RUN_OPT) \
          -I$(TOP)/lessons/common $(if $(PKGS),$(shell pkg-config --cflags $(PKGS)))
LDLIBS := $(if $(PKGS),$(shell pkg-config --libs $(PKGS))) -lm
COMMON_SRC := $(wildcard $(TOP)/lessons/common/*.c)
COMMON_HDR := $(wildcard $(TOP)/lessons/common/*.h)
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all \
            --show-leak-kinds=definite,indirect,possible

.PHONY: all run valgrind tsan
all: $(addprefix $(OUT)/,$(DEMOS))

$(OUT)/%: %.c $(COMMON_SRC) $(COMMON_HDR) $(TOP)/lessons/common/build.conf
	@mkdir -p $(OUT)
	$(CC) $(CFLAGS) -o $@ $< $(COMMON_SRC) $(LDLIBS)

$(OUT)/tsan/%: %.c $(COMMON_SRC) $(COMMON_HDR) $(TOP)/lessons/common/build.conf
	@mkdir -p $(OUT)/tsan
	$(CC) $(CFLAGS) $(TEST_OPT) $(SAN_tsan) -o $@ $< $(COMMON_SRC) $(LDLIBS)

run: all
	@set -e; $(foreach d,$(DEMOS),echo "\$$ build/lessons/$(LESSON)/$(d) $(ARGS_$(d))"; \
	  $(OUT)/$(d) $(ARGS_$(d)); echo;)

# One verdict line per demo, like tsan: "valgrind: pc: clean", or its report and a failure.
valgrind: all
	@set -e; $(foreach d,$(DEMOS),\
	  $(VALGRIND) --log-file=$(OUT)/$(d).valgrind.log $(OUT)/$(d) $(ARGS_$(d)) > /dev/null \
	    || { cat $(OUT)/$(d).valgrind.log; echo "valgrind: $(d) is not clean (errors or leaks above)"; exit 1; }; \
	  echo "valgrind: $(d): clean";)

tsan: $(addprefix $(OUT)/tsan/,$(DEMOS))
	@set -e; $(foreach d,$(DEMOS),\
	  if [ -n "$(filter $(d),$(RACY_DEMOS))" ]; then \
	    if $(RUN_tsan) $(OUT)/tsan/$(d) $(ARGS_$(d)) > $(OUT)/tsan/$(d).log 2>&1; \
	    then echo "tsan: $(d) races on purpose, but ThreadSanitizer saw no race"; exit 1; \
	    else echo "tsan: $(d): race reported, as it should be"; fi; \
	  else \
	    $(RUN_tsan) $(OUT)/tsan/$(d) $(ARGS_$(d)) > $(OUT)/tsan/$(d).log 2>&1 \
	      || { cat $(OUT)/tsan/$(d).log; echo "tsan: $(d) is not clean"; exit 1; }; \
	    echo "tsan: $(d): clean"; \
	  fi;)
