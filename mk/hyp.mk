# The hypervisor: EL2, built without FP/SIMD registers (those hold the
# guests' state), with the system description compiled in.

SYSTEM ?= qemu-virt
HYP_SRC := $(filter-out hyp/arch/aarch64/asm-offsets.c, \
	$(wildcard hyp/core/*.c) $(wildcard hyp/arch/aarch64/*.c) \
	$(wildcard hyp/arch/aarch64/*.S))
HYP_CFLAGS = $(CSTD) $(WARN) -O2 -g -ffreestanding -nostdinc \
	-isystem $(A64_GCCINC) -Irt/lib/include -Ihyp/arch/aarch64 -Ihyp \
	-Iabi -I$(BUILD)/hyp/gen -mcpu=cortex-a72 -mgeneral-regs-only \
	-mno-outline-atomics -fno-stack-protector -fno-pie
HYP_OBJS := $(patsubst %,$(BUILD)/hyp/%.o,$(basename $(HYP_SRC))) \
	$(BUILD)/hyp/rt/lib/string.o

# entry.S's offsets into struct vcpu and its stack sizes, generated from
# the C structures (hyp/arch/aarch64/asm-offsets.c).
HYP_ASM_OFFSETS := $(BUILD)/hyp/gen/asm-offsets.h

$(BUILD)/hyp/gen/asm-offsets.s: hyp/arch/aarch64/asm-offsets.c
	@mkdir -p $(@D)
	$(A64_CC) $(HYP_CFLAGS) -MMD -MP -S $< -o $@

$(HYP_ASM_OFFSETS): $(BUILD)/hyp/gen/asm-offsets.s
	$(call asm_offsets_h,TENON_HYP_ASM_OFFSETS_H,hyp/arch/aarch64/asm-offsets.c)

$(BUILD)/hyp/hyp/arch/aarch64/entry.o: $(HYP_ASM_OFFSETS)

$(BUILD)/hyp/%.o: %.c
	@mkdir -p $(@D)
	$(A64_CC) $(HYP_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hyp/%.o: %.S
	@mkdir -p $(@D)
	$(A64_CC) $(HYP_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hyp/sys/$(SYSTEM)/sysconfig.o: $(BUILD)/sys/$(SYSTEM)/sysconfig.c
	@mkdir -p $(@D)
	$(A64_CC) $(HYP_CFLAGS) -c $< -o $@

$(BUILD)/sys/$(SYSTEM)/tenon.elf: $(HYP_OBJS) \
				 $(BUILD)/hyp/sys/$(SYSTEM)/sysconfig.o
	@mkdir -p $(@D)
	$(A64_CC) -nostdlib -static -no-pie -T hyp/arch/aarch64/link.ld \
		-Wl,--build-id=none -Wl,--no-warn-rwx-segments $^ -lgcc -o $@

# Everything the system boots: the hypervisor with its tables, each
# partition's images and device tree.
system: $(BUILD)/sys/$(SYSTEM)/tenon.elf $(SYS_DIR)/.generated

# The whole system on QEMU, tested from outside (tests/system/run.py),
# with config/high-ram.dts (RAM above 4 GiB) and the reset guests beside it.
check-system: system reset-system high-ram-system echo-system \
	      $(patsubst %,$(BUILD)/a64/bin/%.bin,$(APPS))
	python3 tests/system/run.py $(BUILD) $(SYSTEM)

high-ram-system: $(BUILD)/a64/bin/hyptest.bin
	@$(MAKE) --no-print-directory system SYSTEM=high-ram

# config/echo.dts: apps/echo beside Linux, for the channel tests and
# make bench-channel.
echo-system:
	@$(MAKE) --no-print-directory system SYSTEM=echo

# The hypervisor linked with a table given in TABLE (a sysconfig.c), into
# tenon.elf beside it: how the system tests give it tables the compiler
# would refuse, to see it refuse them too.
hyp-with-table: $(HYP_OBJS)
	$(A64_CC) $(HYP_CFLAGS) -c $(TABLE) -o $(TABLE:.c=.o)
	$(A64_CC) -nostdlib -static -no-pie -T hyp/arch/aarch64/link.ld \
		-Wl,--build-id=none -Wl,--no-warn-rwx-segments $(HYP_OBJS) \
		$(TABLE:.c=.o) -lgcc -o $(dir $(TABLE))tenon.elf

.PHONY: system check-system high-ram-system echo-system hyp-with-table

# latmus in the real-time partition under instruction counting, Linux
# idle and then running hackbench; the figures go to docs/bench.md.
bench-partition: system
	python3 tools/bench-partition.py $(BUILD)

# The console's cost to the real-time CPU, Linux idle and then flooding
# its console, counted by the hypervisor and by a TCG plugin built
# against the installed QEMU's plugin header; the figures go to
# docs/bench.md.
$(BUILD)/qemu-plugin/qemu-plugin.h:
	sh tools/qemu-plugin-header.sh $(@D)

# The TCG plugins (tools/plugins/NAME.c), each one shared object.
$(BUILD)/tools/%.so: tools/plugins/%.c $(BUILD)/qemu-plugin/qemu-plugin.h
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -shared -fPIC -I$(BUILD)/qemu-plugin $< -o $@

bench-console: system $(BUILD)/tools/el2exits.so
	python3 tools/bench-console.py $(BUILD) $(BUILD)/tools/el2exits.so

# What channels cost: round trips through apps/echo, the doorbells' EL2
# instructions on the real-time CPU, a stream's rate, and latmus beside a
# flooded queue (tools/bench-channel.py; figures in docs/bench.md).
bench-channel: system echo-system $(BUILD)/tools/el2exits.so
	python3 tools/bench-channel.py $(BUILD) $(BUILD)/tools/el2exits.so

# The health monitor: a faulting real-time application's recovery time,
# and the periods it misses while Linux panics, reboots or floods
# (tools/bench-health.py; HEALTH_SOAK_S seconds of machine time each).
HEALTH_SOAK_S ?= 30
HEALTH_P0_WALL ?= 240
bench-health: system $(BUILD)/a64/bin/hmtest.bin $(BUILD)/tools/p0.so
	python3 tools/bench-health.py $(BUILD) $(HEALTH_SOAK_S) "" \
		$(BUILD)/tools/p0.so $(HEALTH_P0_WALL)

# What the hypervisor adds to the real-time interrupt path: latmus's P0
# on bare metal, in the partition with direct delivery and with the
# virtual GIC (tools/bench-direct.py; docs/bench.md).
DIRECT_WALL ?= 30
bench-direct: system $(BUILD)/a64/bin/latbench.elf $(BUILD)/a64/bin/latbench.bin \
	      $(BUILD)/tools/p0.so
	python3 tools/bench-direct.py $(BUILD) $(BUILD)/tools/p0.so \
		$(DIRECT_WALL)

.PHONY: bench-partition bench-console bench-channel bench-health \
	bench-direct

# The real-time core's on-target suite run inside a partition of its own on
# all four CPUs (config/rt-smp.dts), so that the hypervisor carries every
# interrupt, IPI and PSCI call of it.
partition-system:
	@$(MAKE) --no-print-directory system SYSTEM=rt-smp

check-partition: partition-system
	sh tests/partition-tests.sh $(BUILD)/sys/rt-smp

.PHONY: partition-system check-partition

# Two small partitions of the bare guest tests/guests/resettest, no Linux
# (config/reset-stress.dts): the system tests' restart checks and stress.
reset-system:
	@$(MAKE) --no-print-directory system SYSTEM=reset-stress

# The restart checks alone (make test runs them with the system tests).
check-reset: reset-system
	python3 tests/system/run.py $(BUILD) $(SYSTEM) reset

.PHONY: reset-system check-reset

# Wake-up latency side by side (tools/bench-compare.py; docs/bench.md):
# Tenon's core alone, its real-time partition beside Linux, Debian's
# PREEMPT_RT and generic kernels running cyclictest, each measured by the
# p0 plugin (tools/plugins/p0.c). Fetches what it needs into cache/bench
# (tools/bench-assets.sh) and installs gnuplot for the histograms; make
# test needs none of it.
# (the p0 plugin is built by the plugins' rule above)
BENCH_SAMPLES ?= 2000

bench-compare: system $(BUILD)/a64/bin/latbench.elf $(BUILD)/tools/p0.so
	@command -v gnuplot >/dev/null 2>&1 || \
		{ echo "bench-compare: apt-get install gnuplot-nox"; \
		  apt-get install -y -q gnuplot-nox >/dev/null || \
		  { apt-get update -q >/dev/null && \
		    apt-get install -y -q gnuplot-nox >/dev/null; }; }
	sh tools/bench-assets.sh $(BUILD) cache
	python3 tools/bench-compare.py $(BUILD) $(BUILD)/tools/p0.so \
		$(BENCH_SAMPLES)

.PHONY: bench-compare
