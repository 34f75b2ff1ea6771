# Tenon's build: one non-recursive make, everything built under $(BUILD).
# `make test` and `make run` run tools/setup.sh first, which installs the
# Debian packages still missing and returns at once when none is.

BUILD ?= build
CC ?= gcc
ifeq ($(origin CC),default)
CC := gcc
endif
ifeq ($(origin CXX),default)
CXX := g++
endif

CSTD := -std=gnu11
WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow
SIM_INC := -Irt/include -Irt/arch/sim/include -Irt -Iabi
SIM_CFLAGS := $(CSTD) $(WARN) -O2 -g $(SIM_INC)
SAN_CFLAGS := $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined $(SIM_INC) -Itests
# C++ users of the real-time API: the unit tests hold one C++ file.
SAN_CXXFLAGS := -std=gnu++17 -Wall -Wextra -Werror -O1 -g \
	-fno-omit-frame-pointer -fno-exceptions -fno-rtti \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined \
	$(SIM_INC) -Itests
# The bare-metal C library, built for the host tests against its own headers
# with every public name renamed tn_libc_<name>, so it links beside glibc.
LIBC_SAN_CFLAGS := -Irt/lib/include -include rt/lib/host_prefix.h -fno-builtin \
	$(SAN_CFLAGS)

RT_KERNEL := $(wildcard rt/kernel/*.c)
RT_SIM := rt/arch/sim/sim.c rt/arch/sim/channel.c rt/arch/sim/hm.c
RT_SIM_MAIN := rt/arch/sim/main.c
UNIT_TESTS := $(wildcard tests/unit/*.c) tests/harness.c
UNIT_TESTS_CXX := $(wildcard tests/unit/*.cpp)
LIBC := $(wildcard rt/lib/*.c)
C_SOURCES := $(shell find rt apps tests tools hyp abi linux -name '*.[ch]' -o -name '*.cpp' \
	2>/dev/null)

# $(call objs,variant,sources)
objs = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

.PHONY: all help setup test check check-apps check-target check-matrix \
	matrix-systems run run-rt run-sim debug \
	bench bench-docs bench-sim bench-latency format format-check clean

# The application `make run-rt` (or run-sim, debug) builds and runs; the
# applications themselves are found by mk/apps.mk.
APP ?= demo

.DEFAULT_GOAL := all
# The application lists are needed by the rules below.
include mk/aarch64.mk
include mk/apps.mk

all: $(patsubst %,$(BUILD)/sim/bin/%,$(SIM_APPS)) $(BUILD)/san/bin/unit-tests

setup:
	@sh tools/setup.sh

$(BUILD)/sim/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(SAN_CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san-libc/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(LIBC_SAN_CFLAGS) -MMD -MP -c $< -o $@

# The host programs built with the sanitizers (the unit tests here,
# libtenon's tests, the tenon command and the fuzzer in mk/linux.mk): each
# one's objects are its prerequisites, given where it is described, and
# SAN_LDLIBS its libraries; this one rule links them all.
$(BUILD)/san/bin/%:
	@mkdir -p $(@D)
	$(CXX) -fsanitize=address,undefined $(filter %.o,$^) $(SAN_LDLIBS) -o $@

$(BUILD)/san/bin/unit-tests: $(call objs,san,$(UNIT_TESTS) $(RT_KERNEL) $(RT_SIM)) \
			    $(patsubst %.cpp,$(BUILD)/san/%.o,$(UNIT_TESTS_CXX)) \
			    $(call objs,san-libc,$(LIBC))

$(BUILD)/sim/bin/bench-sim: $(call objs,sim,tests/bench/bench_sim.c $(RT_KERNEL) $(RT_SIM))
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) $^ -o $@

# The tests proper, without the setup step: the format check, then every
# test (tests/run-tests.sh), whose last line gives the total.
check: $(BUILD)/san/bin/unit-tests $(patsubst %,$(BUILD)/sim/bin/%,$(SIM_APPS)) \
       a64-images system partition-system reset-system high-ram-system echo-system \
       matrix-systems \
       $(CONFIG_TOOL) \
       $(patsubst %,$(BUILD)/a64/bin/%.bin,$(APPS)) format-check
	sh tests/run-tests.sh $(BUILD)

# Only the applications on the simulator, or only the on-target tests.
check-apps: $(BUILD)/sim/bin/latmus $(BUILD)/sim/bin/hectic
	sh tests/check-apps.sh $(BUILD)/sim/bin

check-target: a64-images
	sh tests/target-tests.sh $(BUILD)/a64/bin

# The on-target suite on every core (Cortex-A53, A72, A76) and CPU count
# (1, 2, 4, 8), in partitions of 1, 2 and 4 vCPUs beside Linux
# (config/suite-rt<N>-linux.dts) and alone on a machine of one CPU
# (config/suite-rt1.dts); `make test` runs a short part of it.
MATRIX_SYSTEMS := suite-rt1 suite-rt1-linux suite-rt2-linux suite-rt4-linux

matrix-systems:
	@for s in $(MATRIX_SYSTEMS); do \
		$(MAKE) --no-print-directory system SYSTEM=$$s || exit 1; \
	done

check-matrix: a64-images matrix-systems
	python3 tests/matrix-tests.py --all $(BUILD)

test:
	@sh tools/setup.sh
	@$(MAKE) --no-print-directory check

help:
	@echo "make run            the whole system on QEMU virt (SYSTEM=name: config/name.dts,"
	@echo "                    ICOUNT=1: instruction-counted time, figures that mean something)"
	@echo "make run PANES=1    the same, each partition's console in its own tmux pane"
	@echo "make test           every test; the last line gives the counts"
	@echo "make run-rt         one application alone on QEMU (APP=name or APP_DIR=path, ARGS=...)"
	@echo "make run-sim        the same application on the host simulator"
	@echo "make debug          run-rt stopped, waiting for gdb-multiarch"
	@echo "make debug PART=rt  the whole system stopped; gdb on partition rt (or linux, hyp)"
	@echo "make new-app NAME=x a new application in apps/x (DIR=path: elsewhere)"
	@echo "make config         check the system description, print its layout"
	@echo "make bench          every benchmark in turn (about 30 minutes or more; docs/bench.md), then docs/bench.md's tables"
	@echo "                    rewritten from their results (build/bench/NAME.json)"
	@echo "make bench-docs     only the rewrite, from the results there are"
	@echo "make bench-sim, bench-latency, bench-partition, bench-direct, bench-compare, bench-console,"
	@echo "     bench-channel, bench-health   one benchmark (docs/bench.md)"
	@echo "make check-target, check-partition, check-system, check-config, check-linux   parts of make test"
	@echo "make bench-fuzz     the channel protocol fuzzer, ten million cases"
	@echo "make format         format the C sources"
	@echo "applications: $(APPS)"

# `make run` boots the whole system (SYSTEM, default qemu-virt: the
# hypervisor, the real-time partition and Linux) on QEMU; `make run-rt`
# boots one real-time application (APP, default demo; ARGS are its
# arguments) alone on the machine; `make run-sim` runs it on the host
# simulator; `make debug` boots it stopped, waiting for gdb (with PART=name,
# the whole system, to debug partition name or "hyp").
run:
	@sh tools/setup.sh
	@$(MAKE) --no-print-directory system
	@sh tools/system-run.sh $(if $(ICOUNT),-i) $(if $(PANES),-p) $(SYS_DIR) || \
		{ rc=$$?; [ $$rc -eq 130 ] || exit $$rc; } # 130: quit by hand

run-rt: check-app-name
	@sh tools/setup.sh
	@$(MAKE) --no-print-directory $(BUILD)/a64/bin/$(APP).elf
	@sh tools/qemu-run.sh $(if $(ICOUNT),-i) $(BUILD)/a64/bin/$(APP).elf $(ARGS) || \
		{ rc=$$?; [ $$rc -eq 130 ] || exit $$rc; } # 130: quit by hand

run-sim: check-app-name
	@sh tools/setup.sh
	@$(MAKE) --no-print-directory $(BUILD)/sim/bin/$(APP)
	$(BUILD)/sim/bin/$(APP) $(ARGS)

debug: $(if $(PART),,check-app-name)
	@sh tools/setup.sh
ifneq ($(PART),)
	@$(MAKE) --no-print-directory system
	@sh tools/system-run.sh -g $(PART) $(SYS_DIR) || \
		{ rc=$$?; [ $$rc -eq 130 ] || exit $$rc; }
else
	@$(MAKE) --no-print-directory $(BUILD)/a64/bin/$(APP).elf
	@sh tools/qemu-run.sh -g $(BUILD)/a64/bin/$(APP).elf $(ARGS) || \
		{ rc=$$?; [ $$rc -eq 130 ] || exit $$rc; }
endif

# latmus on CPU 0 of QEMU virt in instruction-counted time, idle and with
# hectic on CPUs 1-3; the figures go to docs/bench.md.
LATENCY_S ?= 10
bench-latency:
	@sh tools/setup.sh
	@$(MAKE) --no-print-directory $(BUILD)/a64/bin/latbench.elf
	sh tools/bench-latency.sh $(BUILD)/a64/bin/latbench.elf $(LATENCY_S) \
		$(BUILD)

bench-sim:
	@sh tools/setup.sh
	@$(MAKE) --no-print-directory $(BUILD)/sim/bin/bench-sim
	sh tools/bench-sim.sh $(BUILD)/sim/bin/bench-sim $(BUILD)

# Every benchmark in turn, each one's results in $(BUILD)/bench/NAME.json
# (an earlier run's removed first, so that one that fails leaves its
# tables alone), then docs/bench.md's tables rewritten from them; a failed
# benchmark does not stop the others, and is named at the end.
BENCHES := bench-sim bench-latency bench-partition bench-direct \
	bench-compare bench-console bench-channel bench-health

bench:
	@failed=; for b in $(BENCHES); do \
		echo "== make $$b"; rm -f $(BUILD)/bench/$$b.json; \
		$(MAKE) --no-print-directory $$b || failed="$$failed $$b"; \
	done; \
	python3 tools/bench-docs.py -b $(BUILD) || failed="$$failed bench-docs"; \
	if [ -n "$$failed" ]; then echo "make bench: failed:$$failed"; exit 1; fi

bench-docs:
	python3 tools/bench-docs.py -b $(BUILD)

format:
	clang-format -i $(C_SOURCES)

format-check:
	@clang-format --dry-run --Werror $(C_SOURCES) || \
		{ echo "C sources differ from .clang-format: run 'make format'"; exit 1; }

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)

include mk/linux.mk
include mk/config.mk
include mk/hyp.mk
