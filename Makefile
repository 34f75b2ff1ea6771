# Tenon's build: one non-recursive make, everything built under $(BUILD).
# `make test` and `make run` run tools/setup.sh first, which installs the
# Debian packages still missing and returns at once when none is.

BUILD ?= build
CC ?= gcc
ifeq ($(origin CC),default)
CC := gcc
endif

CSTD := -std=gnu11
WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow
SIM_INC := -Irt/include -Irt/arch/sim/include -Irt
SIM_CFLAGS := $(CSTD) $(WARN) -O2 -g $(SIM_INC)
SAN_CFLAGS := $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined $(SIM_INC) -Itests
# The bare-metal C library, built for the host tests against its own headers
# with every public name renamed tn_libc_<name>, so it links beside glibc.
LIBC_SAN_CFLAGS := -Irt/lib/include -include rt/lib/host_prefix.h -fno-builtin \
	$(SAN_CFLAGS)

RT_KERNEL := $(wildcard rt/kernel/*.c)
RT_SIM := rt/arch/sim/sim.c
RT_SIM_MAIN := rt/arch/sim/main.c
UNIT_TESTS := $(wildcard tests/unit/*.c) tests/harness.c
LIBC := $(wildcard rt/lib/*.c)
C_SOURCES := $(shell find rt apps tests tools -name '*.[ch]' 2>/dev/null)

# $(call objs,variant,sources)
objs = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

.PHONY: all setup test check check-apps check-target check-matrix \
	matrix-systems run run-rt run-sim debug \
	bench-sim bench-latency format format-check clean

# The application `make run` (or run-sim, debug) builds and runs.
APP ?= demo
APPS := demo latmus hectic

all: $(patsubst %,$(BUILD)/sim/bin/%,$(APPS)) $(BUILD)/san/bin/unit-tests

setup:
	@sh tools/setup.sh

$(BUILD)/sim/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san-libc/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(LIBC_SAN_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/sim/bin/demo: $(call objs,sim,apps/demo/demo.c $(RT_KERNEL) $(RT_SIM) $(RT_SIM_MAIN))
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) $^ -o $@

$(BUILD)/sim/bin/latmus: $(call objs,sim,apps/latmus/latmus.c $(RT_KERNEL) $(RT_SIM) $(RT_SIM_MAIN))
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) $^ -o $@

$(BUILD)/sim/bin/hectic: $(call objs,sim,apps/hectic/hectic.c $(RT_KERNEL) $(RT_SIM) $(RT_SIM_MAIN))
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) $^ -o $@

$(BUILD)/san/bin/unit-tests: $(call objs,san,$(UNIT_TESTS) $(RT_KERNEL) $(RT_SIM)) \
			    $(call objs,san-libc,$(LIBC))
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) $^ -o $@

$(BUILD)/sim/bin/bench-sim: $(call objs,sim,tests/bench/bench_sim.c $(RT_KERNEL) $(RT_SIM))
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) $^ -o $@

# The tests proper, without the setup step: the format check, then every
# test (tools/run-tests.sh), whose last line gives the total.
check: $(BUILD)/san/bin/unit-tests $(patsubst %,$(BUILD)/sim/bin/%,$(APPS)) \
       a64-images system partition-system matrix-systems $(CONFIG_TOOL) \
       $(BUILD)/a64/bin/hyptest.bin format-check
	sh tools/run-tests.sh $(BUILD)

# Only the applications on the simulator, or only the on-target tests.
check-apps: $(BUILD)/sim/bin/latmus $(BUILD)/sim/bin/hectic
	sh tools/check-apps.sh $(BUILD)/sim/bin

check-target: a64-images
	sh tools/target-tests.sh $(BUILD)/a64/bin

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
	python3 tools/matrix-tests.py --all $(BUILD)

test:
	@sh tools/setup.sh
	@$(MAKE) --no-print-directory check

# `make run` boots the whole system (SYSTEM, default qemu-virt: the
# hypervisor, the real-time partition and Linux) on QEMU; `make run-rt`
# boots one real-time application (APP, default demo; ARGS are its
# arguments) alone on the machine; `make run-sim` runs it on the host
# simulator; `make debug` boots it stopped, waiting for gdb.
run:
	@sh tools/setup.sh
	@$(MAKE) --no-print-directory system
	sh tools/system-run.sh $(SYS_DIR)

run-rt:
	@sh tools/setup.sh
	@$(MAKE) --no-print-directory $(BUILD)/a64/bin/$(APP).elf
	sh tools/qemu-run.sh $(BUILD)/a64/bin/$(APP).elf $(ARGS)

run-sim:
	@sh tools/setup.sh
	@$(MAKE) --no-print-directory $(BUILD)/sim/bin/$(APP)
	$(BUILD)/sim/bin/$(APP) $(ARGS)

debug:
	@sh tools/setup.sh
	@$(MAKE) --no-print-directory $(BUILD)/a64/bin/$(APP).elf
	@echo "QEMU waits for gdb; in another terminal:"
	@echo "  gdb-multiarch $(BUILD)/a64/bin/$(APP).elf -ex 'target remote :1234'"
	sh tools/qemu-run.sh -g $(BUILD)/a64/bin/$(APP).elf $(ARGS)

# latmus on CPU 0 of QEMU virt in instruction-counted time, idle and with
# hectic on CPUs 1-3; the figures go to docs/bench.md.
bench-latency:
	@sh tools/setup.sh
	@$(MAKE) --no-print-directory $(BUILD)/a64/bin/latbench.elf
	sh tools/bench-latency.sh $(BUILD)/a64/bin/latbench.elf

bench-sim:
	@sh tools/setup.sh
	@$(MAKE) --no-print-directory $(BUILD)/sim/bin/bench-sim
	sh tools/bench-sim.sh $(BUILD)/sim/bin/bench-sim

format:
	clang-format -i $(C_SOURCES)

format-check:
	@clang-format --dry-run --Werror $(C_SOURCES) || \
		{ echo "C sources differ from .clang-format: run 'make format'"; exit 1; }

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

include mk/aarch64.mk
include mk/linux.mk
include mk/config.mk
include mk/hyp.mk
