# The real-time core on Arm64, bare metal: images for QEMU virt (and, the
# same image, for a partition). Kernel and port objects are built without
# FP/SIMD registers, so an interrupt never disturbs a thread's FP state;
# the C library, applications and tests use them freely.

CROSS ?= aarch64-linux-gnu-
A64_CC := $(CROSS)gcc
A64_GCCINC = $(shell $(A64_CC) -print-file-name=include)
A64_BASE = $(CSTD) $(WARN) -O2 -g -ffreestanding -nostdinc \
	-isystem $(A64_GCCINC) -Irt/lib/include -Irt/include \
	-Irt/arch/aarch64/include -Irt -Iabi \
	-mcpu=cortex-a72 -mno-outline-atomics -fno-stack-protector -fno-pie \
	-fno-asynchronous-unwind-tables -fno-unwind-tables
A64_KCFLAGS = $(A64_BASE) -mgeneral-regs-only -I$(BUILD)/a64k/gen
A64_CFLAGS = $(A64_BASE) -Itests -Itests/unit
A64_LDFLAGS := -nostdlib -static -no-pie -T rt/arch/aarch64/link.ld \
	-Wl,--build-id=none -Wl,--no-warn-rwx-segments

# Structure offsets for assembly, from C: an asm-offsets.c compiled to
# assembly only, whose DEFINE() markers ("->NAME value expression") this
# turns into the #defines of a header. $(call asm_offsets_h,guard,source)
# is the recipe, from the .s ($<) to the header ($@).
define asm_offsets_h
	{ echo "/* Generated from $(2) by the build: do not edit. */"; \
	  echo "#ifndef $(1)"; echo "#define $(1)"; \
	  sed -n 's/^->\([A-Za-z_][A-Za-z0-9_]*\) \(-\{0,1\}[0-9][0-9]*\) \(.*\)$$/#define \1 \2 \/* \3 *\//p' $<; \
	  echo "#endif"; } > $@.tmp
	@grep -q '^#define [A-Za-z0-9_]* -\{0,1\}[0-9]' $@.tmp || \
		{ echo "$@: no offsets found in $<"; rm -f $@.tmp; exit 1; }
	mv $@.tmp $@
endef

RT_A64 := $(filter-out rt/arch/aarch64/asm-offsets.c, \
	$(wildcard rt/arch/aarch64/*.c) $(wildcard rt/arch/aarch64/*.S))
A64_KOBJS := $(patsubst %,$(BUILD)/a64k/%.o,$(basename $(RT_KERNEL) $(RT_A64)))
# The port's assembly takes its structure offsets from the C structures
# (rt/arch/aarch64/asm-offsets.c).
RT_ASM_OFFSETS := $(BUILD)/a64k/gen/asm-offsets.h
A64_LIBC_OBJS := $(call objs,a64,$(LIBC))
# The element tests that also mean something on a machine.
TARGET_TESTS := $(filter-out tests/unit/test_sim.c tests/unit/test_libc.c \
	tests/unit/test_irq_sim.c tests/unit/test_channel_sim.c \
	tests/unit/test_health_sim.c \
	tests/unit/simrun.c,$(wildcard tests/unit/*.c)) $(wildcard tests/target/*.c)

$(BUILD)/a64k/%.o: %.c
	@mkdir -p $(@D)
	$(A64_CC) $(A64_KCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/a64k/%.o: %.S
	@mkdir -p $(@D)
	$(A64_CC) $(A64_KCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/a64k/gen/asm-offsets.s: rt/arch/aarch64/asm-offsets.c
	@mkdir -p $(@D)
	$(A64_CC) $(A64_KCFLAGS) -MMD -MP -S $< -o $@

$(RT_ASM_OFFSETS): $(BUILD)/a64k/gen/asm-offsets.s
	$(call asm_offsets_h,TENON_RT_ASM_OFFSETS_H,rt/arch/aarch64/asm-offsets.c)

$(BUILD)/a64k/rt/arch/aarch64/vectors.o \
$(BUILD)/a64k/rt/arch/aarch64/switch.o: $(RT_ASM_OFFSETS)

$(BUILD)/a64/%.o: %.c
	@mkdir -p $(@D)
	$(A64_CC) $(A64_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/a64/bin/testsuite.elf: $(call objs,a64,$(TARGET_TESTS)) $(A64_KOBJS) \
			       $(A64_LIBC_OBJS)
	@mkdir -p $(@D)
	$(A64_CC) $(A64_LDFLAGS) $^ -lgcc -o $@


# latmus and hectic in one image, for the latency benchmark.
define a64_renamed
$(BUILD)/a64/bench/$(1).o: apps/$(1)/$(1).c
	@mkdir -p $$(@D)
	$(A64_CC) $(A64_CFLAGS) -Dtn_main=$(1)_main -c $$< -o $$@
endef
$(foreach app,latmus hectic,$(eval $(call a64_renamed,$(app))))

$(BUILD)/a64/bin/latbench.elf: $(BUILD)/a64/apps/latbench/latbench.o \
			      $(BUILD)/a64/bench/latmus.o \
			      $(BUILD)/a64/bench/hectic.o $(A64_KOBJS) \
			      $(A64_LIBC_OBJS)
	@mkdir -p $(@D)
	$(A64_CC) $(A64_LDFLAGS) $^ -lgcc -o $@

# control: the heater loop with latmus beside it (apps/control).
$(BUILD)/a64/bin/control.elf: $(BUILD)/a64/apps/control/control.o \
			      $(BUILD)/a64/bench/latmus.o $(A64_KOBJS) \
			      $(A64_LIBC_OBJS)
	@mkdir -p $(@D)
	$(A64_CC) $(A64_LDFLAGS) $^ -lgcc -o $@

# Test guests: images that are not real-time applications.
A64_GUESTS := resettest

# resettest: a bare guest, without the real-time core, so that it owns every
# EL1 register it checks (tests/system/run.py, config/reset-stress.dts).
RESETTEST_CFLAGS = $(A64_BASE) -mgeneral-regs-only -mstrict-align -Iabi

$(BUILD)/a64/resettest/%.o: tests/guests/resettest/%.c
	@mkdir -p $(@D)
	$(A64_CC) $(RESETTEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/a64/resettest/%.o: tests/guests/resettest/%.S
	@mkdir -p $(@D)
	$(A64_CC) $(RESETTEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/a64/bin/resettest.elf: $(BUILD)/a64/resettest/start.o \
				$(BUILD)/a64/resettest/resettest.o \
				tests/guests/resettest/link.ld
	@mkdir -p $(@D)
	$(A64_CC) -nostdlib -static -no-pie -T tests/guests/resettest/link.ld \
		-Wl,--build-id=none -Wl,--no-warn-rwx-segments \
		$(filter %.o,$^) -lgcc -o $@
