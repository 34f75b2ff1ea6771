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

RT_KERNEL := $(wildcard rt/kernel/*.c)
RT_SIM := rt/arch/sim/sim.c
RT_SIM_MAIN := rt/arch/sim/main.c
UNIT_TESTS := $(wildcard tests/unit/*.c) tests/harness.c
C_SOURCES := $(shell find rt apps tests tools -name '*.[ch]' 2>/dev/null)

# $(call objs,variant,sources)
objs = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

.PHONY: all setup test check run bench-sim format format-check clean

all: $(BUILD)/sim/bin/demo $(BUILD)/san/bin/unit-tests

setup:
	@sh tools/setup.sh

$(BUILD)/sim/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/sim/bin/demo: $(call objs,sim,apps/demo/demo.c $(RT_KERNEL) $(RT_SIM) $(RT_SIM_MAIN))
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) $^ -o $@

$(BUILD)/san/bin/unit-tests: $(call objs,san,$(UNIT_TESTS) $(RT_KERNEL) $(RT_SIM))
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) $^ -o $@

$(BUILD)/sim/bin/bench-sim: $(call objs,sim,tests/bench/bench_sim.c $(RT_KERNEL) $(RT_SIM))
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) $^ -o $@

# The tests proper, without the setup step.
check: $(BUILD)/san/bin/unit-tests format-check
	$(BUILD)/san/bin/unit-tests

test:
	@sh tools/setup.sh
	@$(MAKE) --no-print-directory check

run:
	@sh tools/setup.sh
	@$(MAKE) --no-print-directory $(BUILD)/sim/bin/demo
	$(BUILD)/sim/bin/demo $(ARGS)

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
